/**
 * What running a command needs beyond the command line (config, logger, store, option parsing: zod, pino
 * and the SQLite addon), in one module loaded only when a command runs: `--version` and the root help
 * never pay for it.
 */
export { commanderOptions, parseOptions } from "./commands/options.js";
export { commandOptions, parseCommandOptions } from "./config/command-options.js";
export { environmentEntries, environmentText } from "./config/environment.js";
export { loadConfig } from "./config/load.js";
export { KEY_SPECS } from "./config/schema.js";
export { routeConsole } from "./console-route.js";
export { createLogger, LOG_LEVELS } from "./log.js";
export { Store } from "./store/store.js";
