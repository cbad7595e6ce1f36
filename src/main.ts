import { runCli } from "./cli.js";

/**
 * Process entry point. The first SIGINT/SIGTERM/SIGHUP asks the command to stop: most commands abort at once,
 * the validator finishes the samples in flight first. A second signal exits at once (130), and so does a
 * command that has not stopped a minute after the first; either way the exit hooks still kill every
 * spawned engine's process group and close the store.
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
// A closed terminal or an SSH session that drops: a stop like SIGTERM, not a kill that leaves engines behind.
process.on("SIGHUP", onSignal);

// `sn11 … | head`: a reader that has seen enough is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

const code = await runCli(process.argv.slice(2), {
  signal: abort.signal,
  stop: stop.signal,
  stdin: process.stdin,
});
process.exitCode = code;
