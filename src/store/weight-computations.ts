import { type Db, prepared } from "./db.js";

export type WeightSource = "snapshot" | "chain" | "step";

export interface NewWeightComputation {
  readonly source: WeightSource;
  readonly sourceRef: string | null;
  readonly snapshotDigest: string;
  readonly profile: string;
  readonly netuid: number;
  readonly block: number;
  readonly uids: number;
  readonly emitted: number;
  readonly result: unknown;
}

export interface WeightComputation extends Omit<NewWeightComputation, "result"> {
  readonly id: number;
  readonly createdAt: string;
  /** For a validator step: its number, how it ended and the extrinsic that carried the weights. */
  readonly step: {
    id: number;
    outcome: string;
    reason: string | null;
    txHash: string | null;
    /** Agreement with the chain's consensus at the step's block: the row on chain, the row computed. */
    agreement: { chain: number | null; computed: number | null };
  } | null;
}

interface Row {
  id: number;
  created_at: string;
  source: WeightSource;
  source_ref: string | null;
  snapshot_digest: string;
  profile: string;
  netuid: number;
  block: number;
  uids: number;
  emitted: number;
  step_id: number | null;
  step_outcome: string | null;
  step_reason: string | null;
  step_tx: string | null;
  agreement_chain: number | null;
  agreement_computed: number | null;
}

/** Every weight computation sn11 made, replay or live, so `sn11 weights --history` can list them. */
export class WeightComputations {
  constructor(private readonly db: Db) {}

  record(entry: NewWeightComputation, now: Date = new Date()): number {
    const info = prepared(
      this.db,
      `INSERT INTO weight_computations
           (created_at, source, source_ref, snapshot_digest, profile, netuid, block, uids, emitted, result_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      now.toISOString(),
      entry.source,
      entry.sourceRef,
      entry.snapshotDigest,
      entry.profile,
      entry.netuid,
      entry.block,
      entry.uids,
      entry.emitted,
      JSON.stringify(entry.result),
    );
    return Number(info.lastInsertRowid);
  }

  /** Newest first. */
  list(limit: number): WeightComputation[] {
    const rows = prepared(
      this.db,
      `SELECT w.id, w.created_at, w.source, w.source_ref, w.snapshot_digest, w.profile, w.netuid, w.block,
              w.uids, w.emitted, s.id AS step_id, s.outcome AS step_outcome, s.reason AS step_reason,
              s.tx_hash AS step_tx, s.agreement_chain, s.agreement_computed
           FROM weight_computations w LEFT JOIN validator_steps s ON s.weight_computation_id = w.id
           ORDER BY w.id DESC LIMIT ?`,
    ).all(limit) as Row[];
    return rows.map((r) => ({
      id: r.id,
      createdAt: r.created_at,
      source: r.source,
      sourceRef: r.source_ref,
      snapshotDigest: r.snapshot_digest,
      profile: r.profile,
      netuid: r.netuid,
      block: r.block,
      uids: r.uids,
      emitted: r.emitted,
      step:
        r.step_id === null
          ? null
          : {
              id: r.step_id,
              outcome: r.step_outcome as string,
              reason: r.step_reason,
              txHash: r.step_tx,
              agreement: { chain: r.agreement_chain, computed: r.agreement_computed },
            },
    }));
  }

  result(id: number): unknown {
    const row = prepared(this.db, "SELECT result_json FROM weight_computations WHERE id = ?").get(id) as
      | { result_json: string }
      | undefined;
    return row ? JSON.parse(row.result_json) : undefined;
  }
}
