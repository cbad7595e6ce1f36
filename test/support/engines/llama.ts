import { existsSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../cli.js";
import { HAS_SHARED, sharedFile } from "../shared.js";
import { type TinyModelOptions, writeTinyGguf } from "./gguf.js";

/** The real llama-server of ../shared/engines (a launcher around Debian's llama.cpp-tools). */
export const LLAMA_SERVER = sharedFile("engines/llama-server");
export const HAS_LLAMA_SERVER = HAS_SHARED && existsSync(LLAMA_SERVER);

export function tinyModelPath(options?: TinyModelOptions): string {
  return writeTinyGguf(join(tempDir("sn11-gguf-"), "tiny.gguf"), options);
}
