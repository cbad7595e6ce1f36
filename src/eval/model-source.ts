import { createHash } from "node:crypto";
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
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

/** Every GGUF file under a directory, as paths relative to it, sorted. */
export function ggufFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".gguf"))
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/**
 * The GGUF a llama.cpp engine loads from a model's files (paths relative to the model): the one named (a
 * path or a file name), else the only one. Several without a choice: `refuse` is a usage error naming
 * them (sn11 score), `first` takes the first in sorted order (the daemon, which cannot ask).
 */
export function pickGguf(
  files: readonly string[],
  choice: string | undefined,
  onMany: "refuse" | "first",
  where: string,
): string | null {
  const ggufs = files.filter((f) => f.endsWith(".gguf")).sort();
  if (choice !== undefined) {
    const byName = ggufs.filter((f) => basename(f) === choice);
    const one = ggufs.includes(choice) ? choice : byName.length === 1 ? byName[0] : undefined;
    if (!one) {
      throw new UsageError(`--gguf ${choice}: no such GGUF file in ${where}`, {
        hint: ggufs.length ? `it has: ${ggufs.join(", ")}` : "it has no .gguf file",
      });
    }
    return one;
  }
  if (ggufs.length > 1 && onMany === "refuse") {
    throw new UsageError(`${where} has ${ggufs.length} GGUF files: ${ggufs.join(", ")}`, {
      hint: "pick the one to run with --gguf FILE",
    });
  }
  return ggufs[0] ?? null;
}

/** The GGUF's name as the card shows it: relative to the model directory, or the file's own path. */
export function ggufLabel(source: ModelSource): string | null {
  if (!source.gguf) return null;
  return source.dir ? relative(source.dir, source.gguf) : source.gguf;
}

/** A Hub identity for a local model (`--as namespace/name@sha`): the seed and samples validators draw. */
export function parseIdentity(value: string): { repo: string; revision: string } {
  const match = /^([\w.-]+\/[\w.-]+)@([0-9a-f]{40})$/.exec(value);
  if (!match) {
    throw new UsageError(`--as ${value}: expected namespace/name@<40-hex commit sha>`, {
      hint: "validators seed with the commit sha the Hub resolves, not a branch name (the sha of the commit you will submit)",
    });
  }
  return { repo: match[1] as string, revision: match[2] as string };
}

/**
 * A local GGUF file or a directory holding one; identified by the GGUF's sha256 (a directory without one
 * by its path), or by the Hub identity given with `as`.
 */
export async function localModelSource(
  path: string,
  options: { readonly gguf?: string; readonly as?: { repo: string; revision: string } } = {},
): Promise<ModelSource> {
  const full = resolve(path);
  if (!existsSync(full)) throw new UsageError(`${path} does not exist`);
  const isDir = statSync(full).isDirectory();
  if (!isDir && !full.endsWith(".gguf")) {
    throw new UsageError(`${path} is neither a model directory nor a .gguf file`);
  }
  if (!isDir && options.gguf !== undefined) {
    throw new UsageError(`--gguf picks a file in a model directory; ${path} is a file already`);
  }
  const picked = isDir ? pickGguf(ggufFiles(full), options.gguf, "refuse", path) : null;
  const gguf = isDir ? (picked === null ? null : join(full, picked)) : full;
  return {
    repo: options.as?.repo ?? `local/${basename(full).replace(/\.gguf$/, "")}`,
    revision:
      options.as?.revision ??
      // A directory is identified by its GGUF when it has one, else by its path (not content-addressed).
      (gguf ? `sha256:${await sha256File(gguf)}` : `dir:${full}`),
    gguf,
    dir: isDir ? full : null,
    tokens: isDir ? tokensOf(full) : { bos: null, eos: null },
  };
}
