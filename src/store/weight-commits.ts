import { type Db, prepared } from "./db.js";

/** A commit's life: `committed` until the chain's reveal is seen (`revealed`) or shown not to happen. */
export type CommitStatus = "committed" | "revealed" | "reveal_failed";

export interface WeightCommitRecord {
  readonly id: number;
  readonly stepId: number | null;
  readonly createdAt: string;
  readonly netuid: number;
  readonly hotkey: string;
  readonly uid: number;
  readonly versionKey: number;
  readonly commitVersion: number;
  readonly revealRound: number;
  readonly commitEpoch: number;
  readonly revealEpoch: number;
  readonly firstRevealBlock: number;
  readonly lastRevealBlock: number;
  readonly payloadHex: string;
  readonly ciphertextHex: string;
  readonly beaconKeyHex: string;
  readonly txHash: string;
  readonly txBlock: number;
  readonly status: CommitStatus;
  readonly revealBlock: number | null;
  readonly reason: string | null;
  /** Our own decryption with the chain's pulse: `ok`, or what failed; null until the pulse is on chain. */
  readonly selfCheck: string | null;
  readonly checkedBlock: number | null;
  readonly updatedAt: string;
}

export type NewWeightCommit = Omit<
  WeightCommitRecord,
  "id" | "createdAt" | "status" | "revealBlock" | "reason" | "selfCheck" | "checkedBlock" | "updatedAt"
>;

export interface RevealUpdate {
  readonly status: CommitStatus;
  readonly revealBlock?: number | null;
  readonly reason?: string | null;
  readonly selfCheck?: string | null;
  readonly checkedBlock: number;
}

const COLUMNS = `id, step_id AS stepId, created_at AS createdAt, netuid, hotkey, uid, version_key AS versionKey,
  commit_version AS commitVersion, reveal_round AS revealRound, commit_epoch AS commitEpoch,
  reveal_epoch AS revealEpoch, first_reveal_block AS firstRevealBlock, last_reveal_block AS lastRevealBlock,
  payload_hex AS payloadHex, ciphertext_hex AS ciphertextHex, beacon_key_hex AS beaconKeyHex, tx_hash AS txHash,
  tx_block AS txBlock, status, reveal_block AS revealBlock, reason, self_check AS selfCheck,
  checked_block AS checkedBlock, updated_at AS updatedAt`;

/** Every timelocked commit this validator sent, and what became of its reveal. */
export class WeightCommits {
  constructor(private readonly db: Db) {}

  record(commit: NewWeightCommit, now: Date = new Date()): number {
    const at = now.toISOString();
    const info = prepared(
      this.db,
      `INSERT INTO weight_commits (step_id, created_at, netuid, hotkey, uid, version_key, commit_version,
         reveal_round, commit_epoch, reveal_epoch, first_reveal_block, last_reveal_block, payload_hex,
         ciphertext_hex, beacon_key_hex, tx_hash, tx_block, status, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'committed', ?)`,
    ).run(
      commit.stepId,
      at,
      commit.netuid,
      commit.hotkey,
      commit.uid,
      commit.versionKey,
      commit.commitVersion,
      commit.revealRound,
      commit.commitEpoch,
      commit.revealEpoch,
      commit.firstRevealBlock,
      commit.lastRevealBlock,
      commit.payloadHex,
      commit.ciphertextHex,
      commit.beaconKeyHex,
      commit.txHash,
      commit.txBlock,
      at,
    );
    return Number(info.lastInsertRowid);
  }

  update(id: number, u: RevealUpdate, now: Date = new Date()): void {
    prepared(
      this.db,
      `UPDATE weight_commits SET status = ?, reveal_block = COALESCE(?, reveal_block), reason = ?,
         self_check = COALESCE(?, self_check), checked_block = ?, updated_at = ? WHERE id = ?`,
    ).run(
      u.status,
      u.revealBlock ?? null,
      u.reason ?? null,
      u.selfCheck ?? null,
      u.checkedBlock,
      now.toISOString(),
      id,
    );
  }

  /** Commits whose reveal is not settled yet, oldest first. */
  pending(netuid: number): WeightCommitRecord[] {
    return prepared(
      this.db,
      `SELECT ${COLUMNS} FROM weight_commits WHERE netuid = ? AND status = 'committed' ORDER BY id`,
    ).all(netuid) as WeightCommitRecord[];
  }

  forStep(stepId: number): WeightCommitRecord | undefined {
    return prepared(
      this.db,
      `SELECT ${COLUMNS} FROM weight_commits WHERE step_id = ? ORDER BY id DESC LIMIT 1`,
    ).get(stepId) as WeightCommitRecord | undefined;
  }

  get(id: number): WeightCommitRecord | undefined {
    return prepared(this.db, `SELECT ${COLUMNS} FROM weight_commits WHERE id = ?`).get(id) as
      | WeightCommitRecord
      | undefined;
  }

  counts(): Record<CommitStatus, number> {
    const rows = prepared(
      this.db,
      "SELECT status, COUNT(*) AS n FROM weight_commits GROUP BY status",
    ).all() as {
      status: CommitStatus;
      n: number;
    }[];
    const out: Record<CommitStatus, number> = { committed: 0, revealed: 0, reveal_failed: 0 };
    for (const r of rows) out[r.status] = r.n;
    return out;
  }
}
