import { createHash } from "node:crypto";
import type { RepoFile, SafetensorsIndex } from "./types.js";

/** The Git LFS pointer text of a file with that content hash and size. */
export function lfsPointer(oid: string, size: number): string {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${size}\n`;
}

/**
 * The reference's model hash (DIPPY-SPEC §4.3): sha256 of the index file's bytes followed by, for each
 * distinct shard of the weight map in filename order, the hex sha256 of that shard's LFS pointer text
 * (the reference hashes the pointer files of a smudge-less clone, not the weights). Shards it cannot
 * resolve are skipped, as the reference skips them.
 */
export async function referenceModelHash(
  index: SafetensorsIndex,
  files: readonly RepoFile[],
  contentSha256: (path: string) => Promise<string | null>,
): Promise<string> {
  const shards = [...new Set(Object.values(index.weightMap))].sort();
  const byPath = new Map(files.map((f) => [f.path, f]));
  const hash = createHash("sha256").update(index.raw);
  for (const shard of shards) {
    const file = byPath.get(shard);
    if (!file) continue;
    const oid = file.lfsOid ?? (await contentSha256(shard));
    if (!oid) continue;
    hash.update(createHash("sha256").update(lfsPointer(oid, file.size)).digest("hex"));
  }
  return hash.digest("hex");
}

/**
 * sn11's content hash: the weights themselves, independent of the index's formatting — sha256 over
 * `path size oid` lines of every safetensors file, sorted by path. Identical weights give identical hashes.
 */
export async function contentHash(
  files: readonly RepoFile[],
  contentSha256: (path: string) => Promise<string | null>,
): Promise<string | null> {
  const shards = files
    .filter((f) => f.path.endsWith(".safetensors"))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  if (shards.length === 0) return null;
  const hash = createHash("sha256");
  for (const f of shards) hash.update(`${f.path} ${f.size} ${f.lfsOid ?? (await contentSha256(f.path))}\n`);
  return hash.digest("hex");
}

export function parseIndex(raw: Buffer): { index: SafetensorsIndex | null; problem: string | null } {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString("utf8"));
  } catch (error) {
    return { index: null, problem: `model.safetensors.index.json is not JSON: ${(error as Error).message}` };
  }
  const value = json as { metadata?: { total_size?: unknown }; weight_map?: unknown };
  const weightMap = value.weight_map;
  if (!weightMap || typeof weightMap !== "object" || Array.isArray(weightMap)) {
    return { index: null, problem: "model.safetensors.index.json has no weight_map object" };
  }
  const totalSize = typeof value.metadata?.total_size === "number" ? value.metadata.total_size : null;
  return { index: { raw, totalSize, weightMap: weightMap as Record<string, string> }, problem: null };
}
