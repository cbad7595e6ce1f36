import type { EvaluationStatus } from "../scoring/registry.js";
import { type Db, prepared } from "./db.js";

export interface EvaluationRecord {
  readonly repo: string;
  readonly entryHash: string;
  readonly profile: string;
  readonly status: EvaluationStatus;
  readonly totalScore: number | null;
  readonly revision: string | null;
  readonly reason: string | null;
  readonly updatedAt: string;
}

/** An evaluations row as SQLite returns it (PostgreSQL's, once its timestamps are ISO strings). */
export interface EvaluationRow {
  repo: string;
  entry_hash: string;
  profile: string;
  status: EvaluationStatus;
  total_score: number | null;
  revision: string | null;
  reason: string | null;
  updated_at: string;
}

/** One evaluation result per (repo, entry hash, profile): what a validator step reads its scores from. */
export class Evaluations {
  constructor(private readonly db: Db) {}

  upsert(record: Omit<EvaluationRecord, "updatedAt">, now: Date = new Date()): void {
    const at = now.toISOString();
    prepared(
      this.db,
      `INSERT INTO evaluations (repo, entry_hash, profile, status, total_score, revision, reason, created_at, updated_at)
         VALUES (@repo, @entryHash, @profile, @status, @totalScore, @revision, @reason, @at, @at)
         ON CONFLICT (repo, entry_hash, profile) DO UPDATE SET
           status = excluded.status, total_score = excluded.total_score, revision = excluded.revision,
           reason = excluded.reason, updated_at = excluded.updated_at`,
    ).run({ ...record, at });
  }

  get(repo: string, entryHash: string, profile: string): EvaluationRecord | undefined {
    const row = prepared(
      this.db,
      "SELECT * FROM evaluations WHERE repo = ? AND entry_hash = ? AND profile = ?",
    ).get(repo, entryHash, profile) as EvaluationRow | undefined;
    return row ? toEvaluation(row) : undefined;
  }

  forProfile(profile: string): EvaluationRecord[] {
    const rows = prepared(
      this.db,
      "SELECT * FROM evaluations WHERE profile = ? ORDER BY repo, entry_hash",
    ).all(profile) as EvaluationRow[];
    return rows.map(toEvaluation);
  }
}

export function toEvaluation(r: EvaluationRow): EvaluationRecord {
  return {
    repo: r.repo,
    entryHash: r.entry_hash,
    profile: r.profile,
    status: r.status,
    totalScore: r.total_score,
    revision: r.revision,
    reason: r.reason,
    updatedAt: r.updated_at,
  };
}
