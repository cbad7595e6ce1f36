/** The validator's operating constants (not scoring: those live in the profile). */
export const VALIDATOR_SETTINGS = Object.freeze({
  /** First retry of an evaluation that failed for infrastructure reasons; doubles each time. */
  errorBackoffMs: 60_000,
  errorBackoffMaxMs: 60 * 60_000,
  /** Between steps, the chain is read this often to queue new commitments. */
  syncEveryMs: 5 * 60_000,
  /** How long one remote score query may take. */
  remoteTimeoutMs: 30_000,
  /**
   * A worker's lease on the job it runs, renewed every third of it: a worker that dies (kill -9, a lost
   * box) holds its job at most this long before another takes it.
   */
  leaseMs: 60_000,
});

/** How long until the `attempts`-th retry of an evaluation after an infrastructure failure. */
export function errorRetryDelayMs(attempts: number): number {
  return Math.min(
    VALIDATOR_SETTINGS.errorBackoffMs * 2 ** Math.max(0, attempts - 1),
    VALIDATOR_SETTINGS.errorBackoffMaxMs,
  );
}

/** The retry time of an evaluation after its `attempts`-th infrastructure failure. */
export function errorRetryAt(now: Date, attempts: number): Date {
  return new Date(now.getTime() + errorRetryDelayMs(attempts));
}
