import { type Db, prepared } from "./db.js";

export interface CachedModel {
  readonly repo: string;
  readonly sha: string;
  readonly bytes: number;
  readonly complete: boolean;
  readonly lastUsed: string;
  readonly inUsePid: number | null;
}

interface Row {
  repo: string;
  sha: string;
  bytes: number;
  complete: number;
  last_used: string;
  in_use_pid: number | null;
}

const toModel = (r: Row): CachedModel => ({
  repo: r.repo,
  sha: r.sha,
  bytes: r.bytes,
  complete: r.complete === 1,
  lastUsed: r.last_used,
  inUsePid: r.in_use_pid,
});

/** Which model snapshots the download cache holds, how big, when last used and whether a process uses one. */
export class ModelCacheTable {
  constructor(private readonly db: Db) {}

  upsert(repo: string, sha: string, bytes: number, complete: boolean, now = new Date()): void {
    prepared(
      this.db,
      `INSERT INTO model_cache (repo, sha, bytes, complete, last_used) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (repo, sha) DO UPDATE SET bytes = excluded.bytes, complete = excluded.complete, last_used = excluded.last_used`,
    ).run(repo, sha, bytes, complete ? 1 : 0, now.toISOString());
  }

  markInUse(repo: string, sha: string, pid: number | null): void {
    prepared(this.db, "UPDATE model_cache SET in_use_pid = ? WHERE repo = ? AND sha = ?").run(pid, repo, sha);
  }

  remove(repo: string, sha: string): void {
    prepared(this.db, "DELETE FROM model_cache WHERE repo = ? AND sha = ?").run(repo, sha);
  }

  /** Least recently used first. */
  all(): CachedModel[] {
    return (prepared(this.db, "SELECT * FROM model_cache ORDER BY last_used, repo, sha").all() as Row[]).map(
      toModel,
    );
  }

  totalBytes(): number {
    return (prepared(this.db, "SELECT coalesce(sum(bytes), 0) AS n FROM model_cache").get() as { n: number })
      .n;
  }
}
