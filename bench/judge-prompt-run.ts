import { judgeModelFor } from "../src/eval/judge/endpoint-model.js";
import { Judge } from "../src/eval/judge/judge.js";
import {
  comparePrompts,
  type PromptVariant,
  pairsOfRun,
  SN11_PROMPT,
} from "../src/eval/judge/prompt-compare.js";
import { createLogger } from "../src/log.js";
import { findProfile } from "../src/scoring/profile.js";
import { Store } from "../src/store/store.js";

/** The comparison as printed: sn11's prompt first, the other second; rates rounded to 4 places. */
export async function runPromptComparison(options: {
  dataDir: string;
  runId?: number;
  against: PromptVariant;
  judgeUrl: string;
  judgeModel?: string;
  judgeApiKey?: string;
  reasoningMaxLength?: number;
}) {
  const profile = findProfile("dippy-2025-03")!;
  const store = Store.open(options.dataDir);
  try {
    const pairs = await pairsOfRun(store, options.runId);
    const model = judgeModelFor(options.judgeUrl, options.judgeModel ?? profile.judge.model);
    // No verdict cache: both prompts are asked afresh.
    const judge = new Judge({
      endpoints: [{ url: options.judgeUrl, model, apiKey: options.judgeApiKey }],
      logger: createLogger({ write: () => true }, "silent"),
      reasoningMaxLength: options.reasoningMaxLength,
    });
    const c = await comparePrompts(pairs, [SN11_PROMPT, options.against], judge, {
      maxErrorRate: profile.judge.maxErrorRate,
    });
    const r4 = (x: number) => Math.round(x * 10_000) / 10_000;
    return {
      pairs: c.pairs,
      judge: { url: options.judgeUrl, model },
      prompts: c.results.map((r) => ({
        name: r.name,
        win_rate: r4(r.score.winRate),
        valid: r.score.valid,
        failed: r.score.failed,
        skipped: r.score.skipped,
        tally: r.score.tally,
      })),
      difference: r4(c.difference),
      standard_error: r4(c.standardError),
      interval_95: [r4(c.difference - 1.96 * c.standardError), r4(c.difference + 1.96 * c.standardError)],
      by_criterion: Object.fromEntries(Object.entries(c.byCriterion).map(([k, v]) => [k, r4(v)])),
    };
  } finally {
    store.close();
  }
}
