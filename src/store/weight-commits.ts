import { type Db, prepared } from "./db.js";

/** A commit's life: `committed` until the chain's reveal is seen (`revealed`) or shown not to happen. */
export type CommitStatus = "committed" | "revealed" | "reveal_failed";
/** `timelock`: drand-timelocked, the chain reveals it. `hash`: sn11 reveals it with the stored salt. */
export type CommitMode = "timelock" | "hash";

export interface WeightCommitRecord {
  readonly id: number;
  readonly stepId: number | null;
  readonly createdAt: string;
  readonly mode: CommitMode;
  readonly netuid: number;
  readonly hotkey: string;
  readonly uid: number;
  readonly versionKey: number;
  /** The `commit_reveal_version` sent (timelock only). */
  readonly commitVersion: number | null;
  /** The drand round the commit is locked to (timelock only). */
  readonly revealRound: number | null;
  readonly commitEpoch: number;
  readonly revealEpoch: number;
  readonly firstRevealBlock: number;
  readonly lastRevealBlock: number;
  /** The SCALE payload (timelock) or hash preimage (hash). */
  readonly payloadHex: string;
  /** What went on chain: the ciphertext, or the hash. */
  readonly commitHex: string;
  readonly beaconKeyHex: string | null;
  /** The salt the reveal needs (hash only). */
  readonly salt: number[] | null;
  readonly txHash: string;
  readonly txBlock: number;
  readonly status: CommitStatus;
  readonly revealBlock: number | null;
  /** The `reveal_weights` transaction (hash only). */
  readonly revealTxHash: string | null;
  readonly reason: string | null;
  /** Our own decryption with the chain's pulse: `ok`, or what failed; null until the pulse is on chain. */
  readonly selfCheck: string | null;
  readonly checkedBlock: number | null;
  readonly updatedAt: string;
}

export type NewWeightCommit = Omit<
  WeightCommitRecord,
  | "id"
  | "createdAt"
  | "status"
  | "revealBlock"
  | "revealTxHash"
  | "reason"
  | "selfCheck"
  | "checkedBlock"
  | "updatedAt"
>;

export interface RevealUpdate {
  readonly status: CommitStatus;
  readonly revealBlock?: number | null;
  readonly revealTxHash?: string | null;
  readonly reason?: string | null;
  readonly selfCheck?: string | null;
  readonly checkedBlock: number;
}

type Row = Omit<WeightCommitRecord, "salt"> & { saltJson: string | null };

const COLUMNS = `id, step_id AS stepId, created_at AS createdAt, mode, netuid, hotkey, uid,
  version_key AS versionKey, commit_version AS commitVersion, reveal_round AS revealRound,
  commit_epoch AS commitEpoch, reveal_epoch AS revealEpoch, first_reveal_block AS firstRevealBlock,
  last_reveal_block AS lastRevealBlock, payload_hex AS payloadHex, commit_hex AS commitHex,
  beacon_key_hex AS beaconKeyHex, salt_json AS saltJson, tx_hash AS txHash, tx_block AS txBlock, status,
  reveal_block AS revealBlock, reveal_tx_hash AS revealTxHash, reason, self_check AS selfCheck,
  checked_block AS checkedBlock, updated_at AS updatedAt`;

function toRecord({ saltJson, ...row }: Row): WeightCommitRecord {
  return { ...row, salt: saltJson ? (JSON.parse(saltJson) as number[]) : null };
}

/** Every weights commit this validator sent, and what became of its reveal. */
export class WeightCommits {
  constructor(private readonly db: Db) {}

  record(commit: NewWeightCommit, now: Date = new Date()): number {
    const at = now.toISOString();
    const info = prepared(
      this.db,
      `INSERT INTO weight_commits (step_id, created_at, mode, netuid, hotkey, uid, version_key, commit_version,
         reveal_round, commit_epoch, reveal_epoch, first_reveal_block, last_reveal_block, payload_hex,
         commit_hex, beacon_key_hex, salt_json, tx_hash, tx_block, status, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'committed', ?)`,
    ).run(
      commit.stepId,
      at,
      commit.mode,
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
      commit.commitHex,
      commit.beaconKeyHex,
      commit.salt ? JSON.stringify(commit.salt) : null,
      commit.txHash,
      commit.txBlock,
      at,
    );
    return Number(info.lastInsertRowid);
  }

  update(id: number, u: RevealUpdate, now: Date = new Date()): void {
    prepared(
      this.db,
      `UPDATE weight_commits SET status = ?, reveal_block = COALESCE(?, reveal_block),
         reveal_tx_hash = COALESCE(?, reveal_tx_hash), reason = ?, self_check = COALESCE(?, self_check),
         checked_block = ?, updated_at = ? WHERE id = ?`,
    ).run(
      u.status,
      u.revealBlock ?? null,
      u.revealTxHash ?? null,
      u.reason ?? null,
      u.selfCheck ?? null,
      u.checkedBlock,
      now.toISOString(),
      id,
    );
  }

  /** Commits whose reveal is not settled yet, oldest first. */
  pending(netuid: number): WeightCommitRecord[] {
    return (
      prepared(
        this.db,
        `SELECT ${COLUMNS} FROM weight_commits WHERE netuid = ? AND status = 'committed' ORDER BY id`,
      ).all(netuid) as Row[]
    ).map(toRecord);
  }

  forStep(stepId: number): WeightCommitRecord | undefined {
    const row = prepared(
      this.db,
      `SELECT ${COLUMNS} FROM weight_commits WHERE step_id = ? ORDER BY id DESC LIMIT 1`,
    ).get(stepId) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  get(id: number): WeightCommitRecord | undefined {
    const row = prepared(this.db, `SELECT ${COLUMNS} FROM weight_commits WHERE id = ?`).get(id) as
      | Row
      | undefined;
    return row ? toRecord(row) : undefined;
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
