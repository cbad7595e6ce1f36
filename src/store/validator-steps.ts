import { type Db, prepared } from "./db.js";

/**
 * How a step ended. `sent`: weights included on chain. `dry_run` / `offline`: computed, not sent on purpose.
 * `committed`: a timelocked commit included on chain (its reveal is tracked in weight_commits).
 * `not_sent`: computed, refused before or by the chain (rate limit, nothing to emit, dispatch error).
 * `skipped`: no full registry (chain unreachable, remote scores unavailable): nothing computed.
 * `interrupted`: the process stopped mid-step.
 */
export type StepOutcome =
  | "running"
  | "sent"
  | "committed"
  | "dry_run"
  | "offline"
  | "not_sent"
  | "skipped"
  | "interrupted";

export interface StepRecord {
  readonly id: number;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly profile: string;
  readonly netuid: number;
  readonly mode: string;
  readonly outcome: StepOutcome;
  readonly reason: string | null;
  readonly block: number | null;
  readonly blockHash: string | null;
  readonly snapshotDigest: string | null;
  readonly emitted: number | null;
  readonly txHash: string | null;
  readonly txBlock: number | null;
  readonly weightComputationId: number | null;
  /** Agreement with the chain's consensus at the step's block: its weights on chain, and those computed. */
  readonly agreement: { readonly chain: number | null; readonly computed: number | null } | null;
}

export interface StepFinish {
  readonly outcome: Exclude<StepOutcome, "running">;
  readonly reason: string | null;
  readonly block?: number | null;
  readonly blockHash?: string | null;
  readonly snapshotDigest?: string | null;
  readonly snapshot?: unknown;
  readonly emitted?: number | null;
  readonly txHash?: string | null;
  readonly txBlock?: number | null;
  readonly weightComputationId?: number | null;
  readonly agreement?: { readonly chain: number | null; readonly computed: number | null } | null;
}

interface Row {
  id: number;
  started_at: string;
  finished_at: string | null;
  profile: string;
  netuid: number;
  mode: string;
  outcome: StepOutcome;
  reason: string | null;
  block: number | null;
  block_hash: string | null;
  snapshot_digest: string | null;
  emitted: number | null;
  tx_hash: string | null;
  tx_block: number | null;
  weight_computation_id: number | null;
  agreement_chain: number | null;
  agreement_computed: number | null;
}

const COLUMNS = `id, started_at, finished_at, profile, netuid, mode, outcome, reason, block, block_hash,
  snapshot_digest, emitted, tx_hash, tx_block, weight_computation_id, agreement_chain, agreement_computed`;

function toRecord(r: Row): StepRecord {
  return {
    id: r.id,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    profile: r.profile,
    netuid: r.netuid,
    mode: r.mode,
    outcome: r.outcome,
    reason: r.reason,
    block: r.block,
    blockHash: r.block_hash,
    snapshotDigest: r.snapshot_digest,
    emitted: r.emitted,
    txHash: r.tx_hash,
    txBlock: r.tx_block,
    weightComputationId: r.weight_computation_id,
    agreement:
      r.agreement_chain === null && r.agreement_computed === null
        ? null
        : { chain: r.agreement_chain, computed: r.agreement_computed },
  };
}

/** Every validator step: what it read, what it computed, what it sent or why it sent nothing. */
export class ValidatorSteps {
  constructor(private readonly db: Db) {}

  begin(entry: { profile: string; netuid: number; mode: string }, now: Date = new Date()): number {
    const info = prepared(
      this.db,
      `INSERT INTO validator_steps (started_at, profile, netuid, mode, outcome) VALUES (?, ?, ?, ?, 'running')`,
    ).run(now.toISOString(), entry.profile, entry.netuid, entry.mode);
    return Number(info.lastInsertRowid);
  }

  finish(id: number, f: StepFinish, now: Date = new Date()): void {
    prepared(
      this.db,
      `UPDATE validator_steps SET finished_at = ?, outcome = ?, reason = ?, block = ?, block_hash = ?,
           snapshot_digest = ?, snapshot_json = ?, emitted = ?, tx_hash = ?, tx_block = ?,
           weight_computation_id = ?, agreement_chain = ?, agreement_computed = ?
         WHERE id = ?`,
    ).run(
      now.toISOString(),
      f.outcome,
      f.reason,
      f.block ?? null,
      f.blockHash ?? null,
      f.snapshotDigest ?? null,
      f.snapshot === undefined ? null : JSON.stringify(f.snapshot),
      f.emitted ?? null,
      f.txHash ?? null,
      f.txBlock ?? null,
      f.weightComputationId ?? null,
      f.agreement?.chain ?? null,
      f.agreement?.computed ?? null,
      id,
    );
  }

  /** Steps a killed process left `running`. */
  markInterrupted(now: Date = new Date()): number {
    return prepared(
      this.db,
      `UPDATE validator_steps SET outcome = 'interrupted', finished_at = ?, reason = 'the process stopped mid-step'
         WHERE outcome = 'running'`,
    ).run(now.toISOString()).changes;
  }

  /** Newest first. */
  list(limit: number): StepRecord[] {
    return (
      prepared(this.db, `SELECT ${COLUMNS} FROM validator_steps ORDER BY id DESC LIMIT ?`).all(limit) as Row[]
    ).map(toRecord);
  }

  get(id: number): StepRecord | undefined {
    const row = prepared(this.db, `SELECT ${COLUMNS} FROM validator_steps WHERE id = ?`).get(id) as
      | Row
      | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** The newest step that ended in one of `outcomes`. */
  lastWithOutcome(outcomes: readonly StepOutcome[]): StepRecord | undefined {
    const row = prepared(
      this.db,
      `SELECT ${COLUMNS} FROM validator_steps WHERE outcome IN (${outcomes.map(() => "?").join(", ")})
         ORDER BY id DESC LIMIT 1`,
    ).get(...outcomes) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** The newest step that recorded its snapshot (the chain state it computed weights from). */
  lastWithSnapshot(): StepRecord | undefined {
    const row = prepared(
      this.db,
      `SELECT ${COLUMNS} FROM validator_steps WHERE snapshot_json IS NOT NULL ORDER BY id DESC LIMIT 1`,
    ).get() as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  snapshot(id: number): unknown {
    const row = prepared(this.db, "SELECT snapshot_json FROM validator_steps WHERE id = ?").get(id) as
      | { snapshot_json: string | null }
      | undefined;
    return row?.snapshot_json ? JSON.parse(row.snapshot_json) : undefined;
  }
}
