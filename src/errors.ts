/**
 * Expected failures carry a user-facing message, a hint and an exit code; anything else is a bug.
 * Exit codes follow sysexits where one fits.
 */
export const EXIT = {
  ok: 0,
  bug: 1,
  usage: 2,
  network: 69,
  chain: 70,
  engine: 70,
  config: 78,
  cancelled: 130,
} as const;

export abstract class Sn11Error extends Error {
  abstract readonly exitCode: number;
  abstract readonly kind: string;
  readonly hint: string | undefined;

  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }
}

export class UsageError extends Sn11Error {
  readonly exitCode = EXIT.usage;
  readonly kind = "usage";
}

export class ConfigError extends Sn11Error {
  readonly exitCode = EXIT.config;
  readonly kind = "config";
}

export class NetworkError extends Sn11Error {
  readonly exitCode = EXIT.network;
  readonly kind = "network";
}

export class ChainError extends Sn11Error {
  readonly exitCode = EXIT.chain;
  readonly kind = "chain";
}

export class EngineError extends Sn11Error {
  readonly exitCode = EXIT.engine;
  readonly kind = "engine";
}

export class CancelledError extends Sn11Error {
  readonly exitCode = EXIT.cancelled;
  readonly kind = "cancelled";
  constructor(message = "cancelled") {
    super(message);
  }
}

export function isSn11Error(error: unknown): error is Sn11Error {
  return error instanceof Sn11Error;
}

/** Throws CancelledError when the signal has fired: call it between units of long work. */
export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new CancelledError();
}

/**
 * An engine that exited before it answered its health probe. `refusedArguments` when its command line
 * was refused (argparse's exit code 2, a binary that is not there): no model can ever start, so the
 * validator stops instead of retrying every model for ever.
 */
export class EngineStartError extends EngineError {
  constructor(
    message: string,
    readonly refusedArguments: boolean,
    options: { hint?: string } = {},
  ) {
    super(message, options);
  }
}
