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
      `SELECT id, created_at, source, source_ref, snapshot_digest, profile, netuid, block, uids, emitted
           FROM weight_computations ORDER BY id DESC LIMIT ?`,
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
    }));
  }

  result(id: number): unknown {
    const row = prepared(this.db, "SELECT result_json FROM weight_computations WHERE id = ?").get(id) as
      | { result_json: string }
      | undefined;
    return row ? JSON.parse(row.result_json) : undefined;
  }
}
