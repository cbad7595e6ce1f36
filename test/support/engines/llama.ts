import { chmodSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LlamaServerEngine } from "../../../src/eval/engines/llama-server.js";
import { createLogger } from "../../../src/log.js";
import { tempDir } from "../cli.js";
import { HAS_SHARED, sharedFile } from "../shared.js";
import { type TinyModelOptions, writeTinyGguf } from "./gguf.js";

/** The real llama-server of ../shared/engines (a launcher around Debian's llama.cpp-tools). */
export const LLAMA_SERVER = sharedFile("engines/llama-server");
export const HAS_LLAMA_SERVER = HAS_SHARED && existsSync(LLAMA_SERVER);

/**
 * The real llama-server behind a launcher that sends its stderr to /dev/null: an engine that does not die of
 * a broken pipe when sn11 exits (Python's vLLM ignores SIGPIPE), so only sn11's own cleanup can stop it.
 */
export function pipeDeafLlamaServer(): string {
  const file = join(tempDir("sn11-deaf-engine-"), "llama-server");
  writeFileSync(file, `#!/bin/sh\nexec ${JSON.stringify(LLAMA_SERVER)} "$@" 2>/dev/null\n`);
  chmodSync(file, 0o755);
  return file;
}

/**
 * A local judge: the real llama-server on a tiny model with room for the judge prompt (byte-level tokens
 * make it ~2200 tokens). Returns its OpenAI-compatible base URL.
 */
export async function startLocalJudge(
  options: { parallel?: number; contextLength?: number; model?: TinyModelOptions } = {},
) {
  const contextLength = options.contextLength ?? 8192;
  const engine = new LlamaServerEngine({
    binary: LLAMA_SERVER,
    model: tinyModelPath({ contextLength, ...options.model }),
    threads: 1,
    contextSize: contextLength,
    parallel: options.parallel ?? 2,
    logger: createLogger({ write: () => true }, "silent"),
  });
  await engine.start();
  return { engine, base: engine.url as string, url: `${engine.url}/v1`, stop: () => engine.stop() };
}

/**
 * The tiny judge model leaning to "generated" just enough for verdicts to differ between models: the
 * plain tiny model answers "tie" or "original" to everything, and every model would score 0.
 */
export const LEANING_JUDGE: TinyModelOptions = { prefer: { after: '"', next: "g", strength: 0.18 } };

export function tinyModelPath(options?: TinyModelOptions): string {
  return writeTinyGguf(join(tempDir("sn11-gguf-"), "tiny.gguf"), options);
}
