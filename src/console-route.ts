import { format } from "node:util";
import type { Logger } from "./log.js";

/**
 * Libraries that print (@polkadot/api's `API-WS: disconnected …`, among others) write through `console`; while a
 * command runs, every console call goes to its logger at debug level instead, so stderr carries only sn11's own
 * lines (and with `--json`, nothing before the one error document). Nested runs (in-process tests) route to
 * the innermost logger; the last restore puts the console back.
 */
const METHODS = ["log", "info", "warn", "error", "debug", "trace"] as const;
type Method = (typeof METHODS)[number];

const active: Logger[] = [];
let originals: Record<Method, (...args: unknown[]) => void> | null = null;

export function routeConsole(logger: Logger): () => void {
  active.push(logger);
  if (!originals) {
    originals = Object.fromEntries(METHODS.map((m) => [m, console[m]])) as Record<
      Method,
      (...args: unknown[]) => void
    >;
    for (const method of METHODS) {
      console[method] = (...args: unknown[]) => {
        active.at(-1)?.debug({ console: method }, format(...args));
      };
    }
  }
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    active.splice(active.lastIndexOf(logger), 1);
    if (active.length === 0 && originals) {
      for (const method of METHODS) console[method] = originals[method];
      originals = null;
    }
  };
}
