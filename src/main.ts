import { runCli } from "./cli.js";

/**
 * Process entry point: turns SIGINT/SIGTERM into an abort the running command sees, runs the cleanup
 * registry through runCli, and forces the exit if a second signal comes or the command ignores the first.
 */
const controller = new AbortController();
let signals = 0;
const onSignal = (name: NodeJS.Signals) => {
  signals += 1;
  if (signals > 1) process.exit(130);
  controller.abort(new Error(name));
  setTimeout(() => process.exit(130), 10_000).unref();
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

const code = await runCli(process.argv.slice(2), { signal: controller.signal, stdin: process.stdin });
process.exitCode = code;
