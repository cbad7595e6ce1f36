import { type Db, prepared } from "./db.js";

export interface StoredVerdict<V> {
  readonly verdict: V;
  readonly tokensIn: number;
  readonly tokensOut: number;
}

/** Verdicts by (prompt digest, judge model): a judge call is never paid for twice. */
export class JudgeVerdicts {
  constructor(private readonly db: Db) {}

  get<V>(promptDigest: string, model: string): StoredVerdict<V> | undefined {
    const row = prepared(
      this.db,
      "SELECT verdict_json, tokens_in, tokens_out FROM judge_verdicts WHERE prompt_digest = ? AND model = ?",
    ).get(promptDigest, model) as { verdict_json: string; tokens_in: number; tokens_out: number } | undefined;
    return row
      ? { verdict: JSON.parse(row.verdict_json) as V, tokensIn: row.tokens_in, tokensOut: row.tokens_out }
      : undefined;
  }

  put(promptDigest: string, model: string, entry: StoredVerdict<unknown>, now = new Date()): void {
    prepared(
      this.db,
      `INSERT OR REPLACE INTO judge_verdicts (prompt_digest, model, verdict_json, tokens_in, tokens_out, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(
      promptDigest,
      model,
      JSON.stringify(entry.verdict),
      entry.tokensIn,
      entry.tokensOut,
      now.toISOString(),
    );
  }
}
