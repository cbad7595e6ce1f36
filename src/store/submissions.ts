import { type Db, prepared } from "./db.js";

export interface Submission {
  readonly netuid: number;
  readonly hotkey: string;
  readonly repo: string;
  readonly revision: string;
  readonly commitment: string;
  readonly block: number | null;
  readonly txHash: string | null;
  readonly outcome: "submitted" | "unchanged" | "landed-after-drop";
}

/** What this machine committed, for `sn11 status` and the miner's own records. */
export class Submissions {
  constructor(private readonly db: Db) {}

  record(s: Submission, now = new Date()): void {
    prepared(
      this.db,
      `INSERT INTO submissions (netuid, hotkey, repo, revision, commitment, block, tx_hash, outcome, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      s.netuid,
      s.hotkey,
      s.repo,
      s.revision,
      s.commitment,
      s.block,
      s.txHash,
      s.outcome,
      now.toISOString(),
    );
  }

  /** The newest submission that sent something (a no-op "unchanged" attempt does not hide the one that landed). */
  latest(hotkey: string, netuid: number): (Submission & { createdAt: string }) | undefined {
    const row = prepared(
      this.db,
      `SELECT * FROM submissions WHERE hotkey = ? AND netuid = ?
         ORDER BY outcome != 'unchanged' DESC, id DESC LIMIT 1`,
    ).get(hotkey, netuid) as
      | {
          netuid: number;
          hotkey: string;
          repo: string;
          revision: string;
          commitment: string;
          block: number | null;
          tx_hash: string | null;
          outcome: Submission["outcome"];
          created_at: string;
        }
      | undefined;
    return row
      ? {
          netuid: row.netuid,
          hotkey: row.hotkey,
          repo: row.repo,
          revision: row.revision,
          commitment: row.commitment,
          block: row.block,
          txHash: row.tx_hash,
          outcome: row.outcome,
          createdAt: row.created_at,
        }
      : undefined;
  }
}
