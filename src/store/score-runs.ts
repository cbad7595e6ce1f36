import { type Db, prepared } from "./db.js";

export type ScoreRunOrigin = "score" | "validate";

export interface ScoreRun {
  readonly id: number;
  readonly runKey: string;
  readonly repo: string;
  readonly revision: string;
  readonly profile: string;
  readonly seed: string;
  readonly status: "RUNNING" | "COMPLETED" | "FAILED";
  /** Who made it: `sn11 score`, or the validator daemon evaluating a queued entry. */
  readonly origin: ScoreRunOrigin;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly result: unknown;
}

export interface SampleRecord {
  readonly idx: number;
  readonly generation: string | null;
  readonly genTokens: number | null;
  /** Why the engine refused this sample's generation: a failed sample. */
  readonly genError: string | null;
  readonly verdict: unknown;
  readonly judgeError: string | null;
  readonly judgeTokensIn: number;
  readonly judgeTokensOut: number;
  readonly judgeCached: boolean;
  readonly judgeCost: number;
}

interface RunRow {
  id: number;
  run_key: string;
  repo: string;
  revision: string;
  profile: string;
  seed: string;
  status: ScoreRun["status"];
  origin: ScoreRunOrigin;
  created_at: string;
  updated_at: string;
  result_json: string | null;
}

const toRun = (r: RunRow): ScoreRun => ({
  id: r.id,
  runKey: r.run_key,
  repo: r.repo,
  revision: r.revision,
  profile: r.profile,
  seed: r.seed,
  status: r.status,
  origin: r.origin,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  result: r.result_json ? JSON.parse(r.result_json) : null,
});

/** Score runs and their samples; each finished generation and verdict is committed on its own. */
export class ScoreRuns {
  constructor(private readonly db: Db) {}

  /**
   * The unfinished run with this key, if any (what a restart continues): its own origin's only, so
   * `sn11 score` never writes into a run the daemon is making on the same box.
   */
  resumable(runKey: string, origin: ScoreRunOrigin = "score"): ScoreRun | undefined {
    const row = prepared(
      this.db,
      "SELECT * FROM score_runs WHERE run_key = ? AND origin = ? AND status = 'RUNNING' ORDER BY id DESC LIMIT 1",
    ).get(runKey, origin) as RunRow | undefined;
    return row ? toRun(row) : undefined;
  }

  create(
    run: {
      runKey: string;
      repo: string;
      revision: string;
      profile: string;
      seed: string;
      origin?: ScoreRunOrigin;
    },
    now = new Date(),
  ): ScoreRun {
    const at = now.toISOString();
    const info = prepared(
      this.db,
      `INSERT INTO score_runs (run_key, repo, revision, profile, seed, origin, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 'RUNNING', ?, ?)`,
    ).run(run.runKey, run.repo, run.revision, run.profile, run.seed, run.origin ?? "score", at, at);
    return this.get(Number(info.lastInsertRowid)) as ScoreRun;
  }

  get(id: number): ScoreRun | undefined {
    const row = prepared(this.db, "SELECT * FROM score_runs WHERE id = ?").get(id) as RunRow | undefined;
    return row ? toRun(row) : undefined;
  }

  /** The newest finished run of this repo (at this revision, when given). */
  latestFinished(repo: string, revision?: string, origin: ScoreRunOrigin = "score"): ScoreRun | undefined {
    const row = prepared(
      this.db,
      "SELECT * FROM score_runs WHERE repo = ? AND (? IS NULL OR revision = ?) AND origin = ? AND status != 'RUNNING' ORDER BY id DESC LIMIT 1",
    ).get(repo, revision ?? null, revision ?? null, origin) as RunRow | undefined;
    return row ? toRun(row) : undefined;
  }

  list(limit: number): ScoreRun[] {
    return (
      prepared(this.db, "SELECT * FROM score_runs ORDER BY id DESC LIMIT ?").all(limit) as RunRow[]
    ).map(toRun);
  }

  finish(id: number, status: "COMPLETED" | "FAILED", result: unknown, now = new Date()): void {
    prepared(this.db, "UPDATE score_runs SET status = ?, result_json = ?, updated_at = ? WHERE id = ?").run(
      status,
      JSON.stringify(result),
      now.toISOString(),
      id,
    );
  }

  /** How far a run is, without reading its texts: generated, judged and the judge's cost so far. */
  progress(runId: number): { generated: number; judged: number; costUsd: number } {
    const r = prepared(
      this.db,
      `SELECT COUNT(generation) + COUNT(gen_error) AS generated,
              COUNT(verdict_json) + COUNT(judge_error) AS judged, COALESCE(SUM(judge_cost), 0) AS cost
         FROM score_samples WHERE run_id = ?`,
    ).get(runId) as { generated: number; judged: number; cost: number };
    return { generated: r.generated, judged: r.judged, costUsd: r.cost };
  }

  samples(runId: number): SampleRecord[] {
    const rows = prepared(this.db, "SELECT * FROM score_samples WHERE run_id = ? ORDER BY idx").all(
      runId,
    ) as {
      idx: number;
      generation: string | null;
      gen_tokens: number | null;
      gen_error: string | null;
      verdict_json: string | null;
      judge_error: string | null;
      judge_tokens_in: number;
      judge_tokens_out: number;
      judge_cached: number;
      judge_cost: number;
    }[];
    return rows.map((r) => ({
      idx: r.idx,
      generation: r.generation,
      genTokens: r.gen_tokens,
      genError: r.gen_error,
      verdict: r.verdict_json ? JSON.parse(r.verdict_json) : null,
      judgeError: r.judge_error,
      judgeTokensIn: r.judge_tokens_in,
      judgeTokensOut: r.judge_tokens_out,
      judgeCached: r.judge_cached === 1,
      judgeCost: r.judge_cost,
    }));
  }

  saveGeneration(runId: number, idx: number, text: string, tokens: number): void {
    prepared(
      this.db,
      `INSERT INTO score_samples (run_id, idx, generation, gen_tokens) VALUES (?, ?, ?, ?)
         ON CONFLICT (run_id, idx) DO UPDATE SET generation = excluded.generation, gen_tokens = excluded.gen_tokens`,
    ).run(runId, idx, text, tokens);
  }

  /** The engine refused to generate this sample (its prompt does not fit, say): it counts as failed. */
  saveGenerationRefused(runId: number, idx: number, reason: string): void {
    prepared(
      this.db,
      `INSERT INTO score_samples (run_id, idx, generation, gen_tokens, gen_error) VALUES (?, ?, NULL, 0, ?)
         ON CONFLICT (run_id, idx) DO UPDATE SET generation = NULL, gen_tokens = 0, gen_error = excluded.gen_error`,
    ).run(runId, idx, reason);
  }

  saveVerdict(
    runId: number,
    idx: number,
    outcome: {
      verdict: unknown;
      error: string | null;
      tokensIn: number;
      tokensOut: number;
      cached: boolean;
      costUsd: number;
    },
  ): void {
    prepared(
      this.db,
      `UPDATE score_samples SET verdict_json = ?, judge_error = ?, judge_tokens_in = ?, judge_tokens_out = ?,
           judge_cached = ?, judge_cost = ? WHERE run_id = ? AND idx = ?`,
    ).run(
      outcome.verdict === null ? null : JSON.stringify(outcome.verdict),
      outcome.error,
      outcome.tokensIn,
      outcome.tokensOut,
      outcome.cached ? 1 : 0,
      outcome.costUsd,
      runId,
      idx,
    );
  }
}
