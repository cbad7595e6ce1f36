import { runCli } from "./cli.js";

/**
 * Process entry point. The first SIGINT/SIGTERM asks the command to stop: most commands abort at once,
 * the validator finishes the samples in flight first. A second signal exits at once (130), and so does a
 * command that has not stopped a minute after the first.
 */
const stop = new AbortController();
const abort = new AbortController();
let signals = 0;
const onSignal = (name: NodeJS.Signals) => {
  signals += 1;
  if (signals > 1) process.exit(130);
  stop.abort(new Error(name));
  setTimeout(() => process.exit(130), 60_000).unref();
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

const code = await runCli(process.argv.slice(2), {
  signal: abort.signal,
  stop: stop.signal,
  stdin: process.stdin,
});
process.exitCode = code;
