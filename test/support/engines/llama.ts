import { existsSync } from "node:fs";
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
