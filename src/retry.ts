import pRetry from "p-retry";
import { CancelledError } from "./errors.js";

export interface RetryOptions {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** The wait before the first retry, doubling after each (at most `maxDelayMs`). */
  readonly delayMs: number;
  readonly maxDelayMs?: number;
  readonly signal?: AbortSignal;
  /** Whether another attempt may succeed where this one failed. */
  readonly retryable: (error: Error) => boolean;
  /** Every failure, retried or not (the caller's log or its record of the last error). */
  readonly onFailure?: (error: Error, attempt: number, willRetry: boolean) => void;
}

/** Gave up after every attempt failed with a retryable error; `cause` is the last. */
export class RetriesExhausted extends Error {
  constructor(
    readonly attempts: number,
    override readonly cause: Error,
  ) {
    super(cause.message);
  }
}

/**
 * `work` under p-retry with sn11's rules: exponential backoff without jitter (tests and logs can follow
 * it), a stop is a CancelledError whenever it comes, a non-retryable error is thrown as it is, and running
 * out of attempts is a RetriesExhausted the caller words for its user.
 */
export async function retrying<T>(work: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const retryable = (error: Error) => !(error instanceof CancelledError) && options.retryable(error);
  try {
    return await pRetry(work, {
      retries: options.attempts - 1,
      minTimeout: options.delayMs,
      maxTimeout: options.maxDelayMs ?? Number.POSITIVE_INFINITY,
      factor: 2,
      randomize: false,
      signal: options.signal,
      shouldRetry: ({ error }) => retryable(error),
      onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
        if (error instanceof CancelledError) return;
        options.onFailure?.(error, attemptNumber, retriesLeft > 0 && retryable(error));
      },
    });
  } catch (error) {
    if (options.signal?.aborted || error instanceof CancelledError) throw new CancelledError();
    const failure = error as Error;
    if (retryable(failure)) throw new RetriesExhausted(options.attempts, failure);
    throw failure;
  }
}
