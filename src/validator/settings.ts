/** The validator's operating constants (not scoring: those live in the profile). */
export const VALIDATOR_SETTINGS = Object.freeze({
  /** First retry of an evaluation that failed for infrastructure reasons; doubles each time. */
  errorBackoffMs: 60_000,
  errorBackoffMaxMs: 60 * 60_000,
  /** Between steps, the chain is read this often to queue new commitments. */
  syncEveryMs: 5 * 60_000,
  /** How long one remote score query may take. */
  remoteTimeoutMs: 30_000,
});

/** The retry time of an evaluation after its `attempts`-th infrastructure failure. */
export function errorRetryAt(now: Date, attempts: number): Date {
  const delay = Math.min(
    VALIDATOR_SETTINGS.errorBackoffMs * 2 ** Math.max(0, attempts - 1),
    VALIDATOR_SETTINGS.errorBackoffMaxMs,
  );
  return new Date(now.getTime() + delay);
}
