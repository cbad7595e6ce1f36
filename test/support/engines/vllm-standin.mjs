#!/usr/bin/env node
// A stand-in for `vllm` where no GPU is: it answers `--version`, refuses an option its release does not
// have exactly as vLLM's argparse does (exit 2, "unrecognized arguments"), and otherwise execs the real
// llama-server with the translated options, so sn11's spawn, readiness, stderr and restart paths run for
// real. Set by the environment: VLLM_STANDIN_LLAMA_SERVER (required), VLLM_STANDIN_RELEASE ("current" or
// "0.8.5"), VLLM_STANDIN_VERSION (printed by --version), VLLM_STANDIN_FORBID (comma-separated options
// to refuse as well), VLLM_STANDIN_LOG (a file that gets one JSON line per launch).
import { spawn } from "node:child_process";
import { appendFileSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const env = process.env;
const argv = process.argv.slice(2);
if (argv[0] === "--version") {
  process.stdout.write(`${env.VLLM_STANDIN_VERSION ?? "0.11.0"}\n`);
  process.exit(0);
}
if (argv[0] !== "serve" || !argv[1] || argv[1].startsWith("-")) {
  process.stderr.write("usage: vllm serve [model_tag] [options]\nvllm: error: expected: serve MODEL\n");
  process.exit(2);
}
const lists = JSON.parse(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), "vllm-flags.json"), "utf8"),
);
const known = new Set(lists[env.VLLM_STANDIN_RELEASE ?? "current"]);
for (const flag of (env.VLLM_STANDIN_FORBID ?? "").split(",").filter(Boolean)) known.delete(flag);

const model = argv[1];
const options = {};
const unknown = [];
for (let i = 2; i < argv.length; i++) {
  const arg = argv[i];
  if (!arg.startsWith("--")) {
    unknown.push(arg);
    continue;
  }
  const [flag, inline] = arg.split("=", 2);
  if (!known.has(flag)) unknown.push(arg);
  const next = argv[i + 1];
  options[flag] = inline ?? (next !== undefined && !next.startsWith("--") ? argv[++i] : true);
}
if (unknown.length > 0) {
  process.stderr.write(
    `usage: vllm serve [model_tag] [options]\nvllm: error: unrecognized arguments: ${unknown.join(" ")}\n`,
  );
  process.exit(2);
}
if (env.VLLM_STANDIN_LOG) {
  appendFileSync(
    env.VLLM_STANDIN_LOG,
    `${JSON.stringify({ model, options, cuda_visible_devices: env.CUDA_VISIBLE_DEVICES ?? null })}\n`,
  );
}
const gguf = readdirSync(model, { recursive: true }).find((f) => String(f).endsWith(".gguf"));
if (!gguf) {
  process.stderr.write(`ValueError: no model weights found in ${model}\n`);
  process.exit(1);
}
const sequences = Number(options["--max-num-seqs"] ?? 1);
const server = spawn(
  env.VLLM_STANDIN_LLAMA_SERVER,
  [
    "-m",
    join(model, String(gguf)),
    "--host",
    String(options["--host"] ?? "127.0.0.1"),
    "--port",
    String(options["--port"] ?? 8000),
    // vLLM's max model length is per sequence; llama-server divides its context among its slots.
    "-c",
    String(Math.min(Number(options["--max-model-len"] ?? 2048), 1024) * Math.min(sequences, 4)),
    "--parallel",
    String(Math.min(sequences, 4)),
    "--alias",
    String(options["--served-model-name"] ?? model),
    "--seed",
    String(options["--seed"] ?? 0),
    "-t",
    "1",
  ],
  { stdio: "inherit" },
);
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
