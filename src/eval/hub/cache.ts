import { existsSync, linkSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { ConfigError } from "../../errors.js";
import { isProcessAlive } from "../../process-alive.js";
import type { CachedModel, ModelCacheTable } from "../../store/model-cache.js";
import { formatBytes } from "./prechecks.js";

/**
 * The download cache: content-addressed blobs (LFS files by their sha256) hard-linked into one snapshot
 * directory per (repo, commit). A byte budget evicts least recently used snapshots first and never one a
 * live process has marked in use.
 */
export class ModelCache {
  constructor(
    readonly root: string,
    private readonly table: ModelCacheTable,
    private readonly budgetBytes: number | null,
  ) {
    mkdirSync(this.blobDir, { recursive: true });
  }

  get blobDir(): string {
    return join(this.root, "blobs");
  }

  blobPath(oid: string): string {
    return join(this.blobDir, oid);
  }

  snapshotDir(repo: string, sha: string): string {
    return join(this.root, "snapshots", repo.replace("/", "--"), sha);
  }

  /** Hard-links a verified blob into a snapshot (a copy would double the bytes on disk). */
  linkInto(blob: string, snapshotPath: string): void {
    mkdirSync(dirname(snapshotPath), { recursive: true });
    if (existsSync(snapshotPath)) rmSync(snapshotPath);
    linkSync(blob, snapshotPath);
  }

  acquire(repo: string, sha: string, bytes: number): void {
    this.table.upsert(repo, sha, bytes, false);
    this.table.markInUse(repo, sha, process.pid);
  }

  complete(repo: string, sha: string, bytes: number): void {
    this.table.upsert(repo, sha, bytes, true);
  }

  release(repo: string, sha: string): void {
    this.table.markInUse(repo, sha, null);
  }

  /** Makes room for `needed` more bytes within the budget, evicting what it may; throws when it cannot. */
  makeRoom(needed: number, keep: { repo: string; sha: string }): string[] {
    if (this.budgetBytes === null) return [];
    const evicted: string[] = [];
    let total = this.table
      .all()
      .filter((m) => !(m.repo === keep.repo && m.sha === keep.sha))
      .reduce((s, m) => s + m.bytes, 0);
    for (const model of this.table.all()) {
      if (total + needed <= this.budgetBytes) break;
      if (model.repo === keep.repo && model.sha === keep.sha) continue;
      if (model.inUsePid !== null && isProcessAlive(model.inUsePid)) continue;
      rmSync(this.snapshotDir(model.repo, model.sha), { recursive: true, force: true });
      this.table.remove(model.repo, model.sha);
      total -= model.bytes;
      evicted.push(`${model.repo}@${model.sha}`);
    }
    this.collectGarbage();
    if (total + needed > this.budgetBytes) {
      throw new ConfigError(
        `the model cache budget of ${formatBytes(this.budgetBytes)} cannot hold ${formatBytes(needed)} more (models in use stay)`,
        { hint: "raise the cache budget or wait for the running evaluation" },
      );
    }
    return evicted;
  }

  /**
   * Removes the snapshots `select` picks, except those a live process uses; returns what went and the
   * bytes freed (blobs another snapshot still links stay).
   */
  prune(select: (model: CachedModel) => boolean): { removed: CachedModel[]; bytes: number } {
    const removed: CachedModel[] = [];
    for (const model of this.table.all()) {
      if (!select(model)) continue;
      if (model.inUsePid !== null && isProcessAlive(model.inUsePid)) continue;
      rmSync(this.snapshotDir(model.repo, model.sha), { recursive: true, force: true });
      this.table.remove(model.repo, model.sha);
      removed.push(model);
    }
    this.collectGarbage();
    return { removed, bytes: removed.reduce((sum, m) => sum + m.bytes, 0) };
  }

  /** Blobs no snapshot links to any more (link count 1) are deleted; so are stale partial downloads. */
  collectGarbage(): void {
    for (const name of readdirSync(this.blobDir)) {
      const path = join(this.blobDir, name);
      const stat = statSync(path);
      if (!name.endsWith(".partial") && stat.nlink <= 1) rmSync(path, { force: true });
    }
  }
}

/** Of the disk the cache could have (what is free plus what it holds), the share it takes by default. */
export const DEFAULT_CACHE_SHARE = 0.8;

/**
 * The cache budget when none is given: 80 % of the free disk plus what the cache already holds, so the
 * cache never fills the disk the store and the logs share with it.
 */
export function defaultCacheBudget(freeBytes: number, cachedBytes: number): number {
  return Math.floor((freeBytes + cachedBytes) * DEFAULT_CACHE_SHARE);
}

/** Where downloaded models live under a data dir. */
export function modelsDir(dataDir: string): string {
  return join(dataDir, "models");
}

/** The free-disk check before a download starts: the bytes still to fetch plus a margin must fit. */
export function assertFreeSpace(
  dir: string,
  needed: number,
  statfs: (path: string) => { bavail: number; bsize: number },
  marginBytes = 512 * 1024 * 1024,
): void {
  const stats = statfs(dir);
  const free = stats.bavail * stats.bsize;
  if (free < needed + marginBytes) {
    throw new ConfigError(
      `not enough disk space in ${dir}: ${formatBytes(free)} free, the download needs ${formatBytes(needed)} and a ${formatBytes(marginBytes)} margin`,
      { hint: "free some space or point --data-dir at a larger disk" },
    );
  }
}
