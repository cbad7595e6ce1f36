import type { ScoreRun } from "../store/score-runs.js";
import type { ScoreCard } from "./pipeline.js";

/** What a `sn11 score` run tells at a glance, read from its stored card (null until it finished). */
export function scoreRunFacts(run: ScoreRun) {
  const card = run.result as Partial<ScoreCard> | null;
  return {
    revision: run.revision,
    status: run.status,
    total_score: card?.total_score ?? null,
    win_rate: card?.win_rate ?? null,
    samples: card?.samples ?? null,
    engine: card?.engine?.name ?? null,
    dataset: card?.dataset ?? null,
    updated_at: run.updatedAt,
  };
}
