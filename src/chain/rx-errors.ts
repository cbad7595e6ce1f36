import { config } from "rxjs";
import type { Logger } from "../log.js";

/**
 * @polkadot/api subscribes to the runtime version without an error handler; RxJS throws such an error
 * from a timer, and an uncaught exception ends the process. A subscription that times out (a slow or
 * overloaded endpoint) must cost a log line, not the validator daemon: the client's calls have their own
 * timeouts and retries, and the next connection subscribes again.
 */
export function routeUnhandledRxErrors(logger: Logger): void {
  config.onUnhandledError = (error: unknown) =>
    logger.warn(
      { error: error instanceof Error ? error.message : String(error) },
      "a chain subscription failed; calls go on",
    );
}
