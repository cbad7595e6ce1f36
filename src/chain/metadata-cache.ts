import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";

/**
 * The chains' runtime metadata kept in the data dir, one file per runtime (`<genesis>-<spec version>`, the
 * key @polkadot/api checks against the chain's runtime version on connect): a one-shot command then
 * receives only what it asks for, not the ~600 KB of metadata again. A runtime upgrade is a new key.
 */
export class MetadataCache {
  private readonly loaded = new Set<string>();

  constructor(private readonly dir: string) {}

  /** Every cached runtime, as @polkadot/api's `metadata` option takes them; unreadable files are skipped. */
  load(): Record<string, `0x${string}`> {
    if (!existsSync(this.dir)) return {};
    const entries: Record<string, `0x${string}`> = {};
    for (const name of readdirSync(this.dir)) {
      const key = /^(0x[0-9a-f]+-\d+)\.scale\.gz$/.exec(name)?.[1];
      if (!key) continue;
      try {
        entries[key] = `0x${gunzipSync(readFileSync(join(this.dir, name))).toString("hex")}`;
        this.loaded.add(key);
      } catch {
        // A truncated file (a crash mid-write cannot make one, a full disk could): fetched again.
      }
    }
    return entries;
  }

  /** Whether the last load() read this runtime (a damaged file did not count). */
  has(key: string): boolean {
    return this.loaded.has(key);
  }

  /** Written to a temporary file and renamed: a reader never sees half a file. */
  save(key: string, metadataHex: string): void {
    if (!/^0x[0-9a-f]+-\d+$/.test(key)) return;
    mkdirSync(this.dir, { recursive: true });
    const target = this.file(key);
    const partial = `${target}.${process.pid}.partial`;
    writeFileSync(partial, gzipSync(Buffer.from(metadataHex.replace(/^0x/, ""), "hex")));
    renameSync(partial, target);
  }

  private file(key: string): string {
    return join(this.dir, `${key}.scale.gz`);
  }
}
