/**
 * The validator daemon's memory over a long run: `sn11 validate --every 1` on the devnet (live: every step
 * sends weights) after one evaluation on a spawned llama-server, sampling the sn11 process's RSS (VmRSS;
 * the engine is a separate process and stopped by then) idle between steps. Goal: at most 150 MB, flat
 * over 100 steps. Prints the samples and the ratios late/early, measured in this one run.
 *
 *   npm run bench:daemon-rss            (STEPS=100 by default)
 *   ENGINE=embedded npm run bench:daemon-rss   (node-llama-cpp, in the engine's own child process)
 *   NODE_FLAGS= npm run bench:daemon-rss       (V8's defaults instead of sea/node-flags.json)
 *   BINARY=dist/sn11 npm run bench:daemon-rss  (the single binary, Node 24)
 */

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LLAMA_SERVER } from "../test/support/engines/llama.js";
import { REPO_ROOT, shippedNodeFlags } from "../test/support/shared.js";
import { quickEvaluation, startValidatorNet } from "../test/support/validator-net.js";

const STEPS = Number(process.env.STEPS ?? 100);
/** live (weights sent every step), dry-run or offline. */
const MODE = process.env.MODE ?? "live";
const net = await startValidatorNet({ weightsRateLimit: 0 });
net.addModel("bench/model-a", 3);
net.commit(net.miners.bob, "bench/model-a", 5_000_001);
net.devnet.produceBlock();

const statusMiB = (pid: number, field: string): number => {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
};
const rssMiB = (pid: number) => statusMiB(pid, "VmRSS");

/** llama-server (a spawned process) or embedded (node-llama-cpp in the daemon's own process). */
const ENGINE = process.env.ENGINE ?? "llama-server";
const args = quickEvaluation(net, 8).map((a) => (a === "embedded" ? ENGINE : a));
/**
 * The daemon as users start it: with the V8 flags the npm entry's shebang and the binary's execArgv give
 * (sea/node-flags.json). NODE_FLAGS="" runs it on V8's defaults instead; BINARY=dist/sn11 runs the binary.
 */
const nodeFlags =
  process.env.NODE_FLAGS !== undefined
    ? process.env.NODE_FLAGS.split(" ").filter(Boolean)
    : shippedNodeFlags();
const sn11Args = [
  "validate",
  ...(MODE === "live" ? [] : [`--${MODE}`]),
  "--every",
  "1",
  "--immediate",
  "--sync-every",
  "5",
  ...(ENGINE === "llama-server" ? ["--engine-bin", LLAMA_SERVER] : []),
  ...args,
];
const [command, commandArgs] = process.env.BINARY
  ? [process.env.BINARY, sn11Args]
  : [
      process.execPath,
      [
        // HEAPSNAP=1: heap snapshots at the first and last sample (SIGUSR2), to see what grows.
        ...(process.env.HEAPSNAP ? ["--heapsnapshot-signal=SIGUSR2"] : []),
        ...nodeFlags,
        join(REPO_ROOT, "bin", "sn11.mjs"),
        ...sn11Args,
      ],
    ];
console.error(`daemon: ${command} ${commandArgs.slice(0, 3).join(" ")} …`);
const child = spawn(command, commandArgs, { env: net.env, stdio: ["ignore", "pipe", "inherit"] });
const pid = child.pid as number;
let steps = 0;
let evaluated = false;
const samples: { step: number; rssMiB: number; anonMiB: number; fileMiB: number }[] = [];
const wanted = new Set([1, 5, 10, 25, 50, 75, STEPS - 1, STEPS]);
let buffered = "";
child.stdout.on("data", (chunk: Buffer) => {
  buffered += chunk.toString();
  const lines = buffered.split("\n");
  buffered = lines.pop() ?? "";
  for (const line of lines) {
    if (line.startsWith("evaluated ")) {
      evaluated = true;
      process.stderr.write(`${line}\n`);
    }
    const step = /^step (\d+): (\S+)/.exec(line);
    if (!step) continue;
    steps++;
    if (steps === 1 || steps % 20 === 0) process.stderr.write(`${line}\n`);
    // Sampled right after a step's line: the daemon is idle until the next second's step.
    if (evaluated && wanted.has(steps))
      samples.push({
        step: steps,
        rssMiB: Math.round(rssMiB(pid) * 10) / 10,
        // Of which anonymous memory (heap, malloc) and file-backed (the node binary, addons) pages.
        anonMiB: Math.round(statusMiB(pid, "RssAnon") * 10) / 10,
        fileMiB: Math.round(statusMiB(pid, "RssFile") * 10) / 10,
      });
    if (steps >= STEPS) child.kill("SIGTERM");
  }
});
const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
await net.stop();

const at = (step: number) => samples.find((s) => s.step >= step)?.rssMiB ?? Number.NaN;
const first = samples[0]?.rssMiB ?? Number.NaN;
const last = samples.at(-1)?.rssMiB ?? Number.NaN;
console.log(
  JSON.stringify(
    {
      mode: MODE,
      engine: ENGINE,
      daemon: process.env.BINARY ?? "bin/sn11.mjs",
      node_flags: process.env.BINARY ? "the binary's execArgv" : nodeFlags,
      steps,
      exit_code: code,
      evaluated,
      rss_mib: samples,
      max_rss_mib: Math.max(...samples.map((s) => s.rssMiB)),
      goal_mib: 150,
      ratio_last_to_first: Math.round((last / first) * 1000) / 1000,
      ratio_last_to_step_25: Math.round((last / at(25)) * 1000) / 1000,
    },
    null,
    2,
  ),
);
