import { createHash } from "node:crypto";
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { UsageError } from "../errors.js";

export interface ModelSource {
  /** The identity the score is recorded and seeded under. */
  readonly repo: string;
  readonly revision: string;
  /** The GGUF file llama.cpp engines load (null when the model has none). */
  readonly gguf: string | null;
  /** The directory with the safetensors weights vLLM loads (null for a lone GGUF file). */
  readonly dir: string | null;
  readonly tokens: { readonly bos: string | null; readonly eos: string | null };
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** A special token as tokenizer_config.json writes it: a string, or an AddedToken object. */
export function tokenText(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && typeof (value as { content?: unknown }).content === "string") {
    return (value as { content: string }).content;
  }
  return null;
}

/** The tokenizer's BOS/EOS strings from tokenizer_config.json, where the directory has one. */
export function tokensOf(dir: string): { bos: string | null; eos: string | null } {
  try {
    const config = JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8")) as Record<
      string,
      unknown
    >;
    return { bos: tokenText(config.bos_token), eos: tokenText(config.eos_token) };
  } catch {
    return { bos: null, eos: null };
  }
}

export function findGguf(dir: string): string | null {
  const found = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".gguf"))
    .map((e) => join(e.parentPath, e.name))
    .sort();
  return found[0] ?? null;
}

/** A local GGUF file or a directory holding one; its revision is the file's sha256. */
export async function localModelSource(path: string): Promise<ModelSource> {
  const full = resolve(path);
  if (!existsSync(full)) throw new UsageError(`${path} does not exist`);
  const isDir = statSync(full).isDirectory();
  const gguf = isDir ? findGguf(full) : full;
  if (!isDir && !full.endsWith(".gguf")) {
    throw new UsageError(`${path} is neither a model directory nor a .gguf file`);
  }
  return {
    repo: `local/${basename(isDir ? full : full).replace(/\.gguf$/, "")}`,
    // A directory is identified by its GGUF when it has one, else by its path (not content-addressed).
    revision: gguf ? `sha256:${await sha256File(gguf)}` : `dir:${full}`,
    gguf,
    dir: isDir ? full : null,
    tokens: isDir ? tokensOf(full) : { bos: null, eos: null },
  };
}
