import { createHash } from "node:crypto";
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { UsageError } from "../../errors.js";
import { parseIndex } from "./model-hash.js";
import type { RepoFile, RepoInspection } from "./types.js";

function walk(dir: string, root: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === ".git" || entry.name === ".cache") continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) walk(full, root, out);
    else if (entry.isFile()) out.push(relative(root, full));
  }
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * A local model directory seen the way the Hub will see it once uploaded: weight files count as LFS files
 * whose oid is their sha256, so the model hash computed here is the one validators will compute.
 */
export function inspectLocalDir(path: string): RepoInspection {
  const root = resolve(path);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new UsageError(`${path} is not a directory`);
  const paths: string[] = [];
  walk(root, root, paths);
  const files: RepoFile[] = paths
    .sort()
    .map((p) => ({ path: p, size: statSync(join(root, p)).size, lfsOid: null }));
  const readJson = (p: string) => {
    try {
      return JSON.parse(readFileSync(join(root, p), "utf8")) as Record<string, unknown>;
    } catch {
      return null;
    }
  };
  const indexPath = join(root, "model.safetensors.index.json");
  const parsed = existsSync(indexPath)
    ? parseIndex(readFileSync(indexPath))
    : { index: null, problem: "model.safetensors.index.json is missing" };
  const hashes = new Map<string, Promise<string>>();
  return {
    repo: basename(root),
    source: "local",
    revision: "local",
    sha: null,
    private: false,
    gated: false,
    files,
    index: parsed.index,
    indexProblem: parsed.problem,
    config: readJson("config.json"),
    tokenizerConfig: readJson("tokenizer_config.json"),
    contentSha256: (p) => {
      if (!paths.includes(p)) return Promise.resolve(null);
      let pending = hashes.get(p);
      if (!pending) {
        pending = sha256File(join(root, p));
        hashes.set(p, pending);
      }
      return pending;
    },
  };
}
