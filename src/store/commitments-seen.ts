import { type Db, prepared } from "./db.js";

export interface SeenCommitment {
  readonly hotkey: string;
  readonly repo: string;
  readonly entryHash: string;
  readonly block: number;
}

/**
 * Every commitment the validator has seen pass the registry's parse, block and hash rules. The chain keeps
 * only a hotkey's latest commitment; the owner's per-hotkey rate limit needs the one before it.
 */
export class CommitmentsSeen {
  constructor(private readonly db: Db) {}

  record(entries: readonly SeenCommitment[], now: Date = new Date()): void {
    const at = now.toISOString();
    this.db.transaction(() => {
      for (const e of entries) {
        prepared(
          this.db,
          `INSERT OR IGNORE INTO commitments_seen (hotkey, repo, entry_hash, block, first_seen)
             VALUES (?, ?, ?, ?, ?)`,
        ).run(e.hotkey, e.repo, e.entryHash, e.block, at);
      }
    })();
  }

  /** The hotkey's latest commitment before `block` (another entry than the one at `block`). */
  previous(hotkey: string, block: number): SeenCommitment | undefined {
    const row = prepared(
      this.db,
      `SELECT hotkey, repo, entry_hash, block FROM commitments_seen
         WHERE hotkey = ? AND block < ? ORDER BY block DESC LIMIT 1`,
    ).get(hotkey, block) as { hotkey: string; repo: string; entry_hash: string; block: number } | undefined;
    return row
      ? { hotkey: row.hotkey, repo: row.repo, entryHash: row.entry_hash, block: row.block }
      : undefined;
  }
}
