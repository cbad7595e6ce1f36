import { readFileSync } from "node:fs";
import { z } from "zod";
import { UsageError } from "../../errors.js";
import {
  CRITERIA,
  type Criterion,
  type JudgeScore,
  type StoredVerdict,
  tallyVerdicts,
} from "../../scoring/judge-score.js";
import type { Store } from "../../store/store.js";
import type { JudgeSample } from "../datasets/sampling.js";
import type { ChatMessage } from "../templates/render.js";
import type { Judge } from "./judge.js";
import { judgeMessages } from "./prompt.js";

/** One comparison the judge makes: the card and both versions of the chat, as the judge reads them. */
export interface JudgedPair {
  readonly card: string;
  readonly original: string;
  readonly generated: string;
}

/** A judge prompt: the messages for one pair. */
export interface PromptVariant {
  readonly name: string;
  readonly messages: (pair: JudgedPair) => ChatMessage[];
}

export const SN11_PROMPT: PromptVariant = {
  name: "sn11",
  messages: (pair) => judgeMessages(pair.card, pair.original, pair.generated),
};

const variantFile = z.object({
  name: z.string().min(1),
  system: z.string().min(1),
  user: z.string().min(1),
});

/**
 * A prompt from a JSON file `{name, system, user}` whose texts hold `{card}`, `{original}` and
 * `{generated}` where the pair goes (e.g. the reference's two f-strings, pasted).
 */
export function promptFromFile(path: string): PromptVariant {
  let parsed: z.infer<typeof variantFile>;
  try {
    parsed = variantFile.parse(JSON.parse(readFileSync(path, "utf8")));
  } catch (error) {
    throw new UsageError(`${path} is not a prompt file: ${(error as Error).message.slice(0, 200)}`, {
      hint: 'a JSON object {"name", "system", "user"} with {card}, {original} and {generated} in the texts',
    });
  }
  const fill = (text: string, pair: JudgedPair) =>
    text
      .replaceAll("{card}", pair.card)
      .replaceAll("{original}", pair.original)
      .replaceAll("{generated}", pair.generated);
  return {
    name: parsed.name,
    messages: (pair) => [
      { role: "system", content: fill(parsed.system, pair) },
      { role: "user", content: fill(parsed.user, pair) },
    ],
  };
}

export interface VariantResult {
  readonly name: string;
  readonly score: JudgeScore;
}

export interface PromptComparison {
  readonly pairs: number;
  readonly results: readonly [VariantResult, VariantResult];
  /** Win rate of the first minus the second. */
  readonly difference: number;
  /** The paired difference's standard error (per pair: generated wins of the first minus the second, / 3). */
  readonly standardError: number;
  readonly byCriterion: Readonly<Record<Criterion, number>>;
}

const generatedWins = (v: StoredVerdict | null): number | null =>
  v && v !== "skipped" ? CRITERIA.filter((c) => v[c] === "generated").length : null;

/**
 * The same pairs through two judge prompts on one judge: both win rates with their tallies, the
 * difference and its paired standard error (so a difference can be told from noise).
 */
export async function comparePrompts(
  pairs: readonly JudgedPair[],
  variants: readonly [PromptVariant, PromptVariant],
  judge: Judge,
  options: { maxErrorRate: number; signal?: AbortSignal },
): Promise<PromptComparison> {
  const verdicts = await Promise.all(
    variants.map(async (variant) =>
      (
        await judge.judgeAll(
          pairs.map((p) => variant.messages(p)),
          options.signal,
        )
      ).map((o) => o.verdict),
    ),
  );
  const [a, b] = verdicts as [(StoredVerdict | null)[], (StoredVerdict | null)[]];
  const scoreOf = (v: (StoredVerdict | null)[]) => tallyVerdicts(v, options.maxErrorRate);
  const results = [
    { name: variants[0].name, score: scoreOf(a) },
    { name: variants[1].name, score: scoreOf(b) },
  ] as const;
  const paired = a
    .map((v, i) => [generatedWins(v), generatedWins(b[i] ?? null)] as const)
    .filter((d): d is readonly [number, number] => d[0] !== null && d[1] !== null)
    .map(([x, y]) => (x - y) / 3);
  const mean = paired.reduce((s, d) => s + d, 0) / Math.max(1, paired.length);
  const variance = paired.reduce((s, d) => s + (d - mean) ** 2, 0) / Math.max(1, paired.length - 1);
  const rate = (score: JudgeScore, c: Criterion) =>
    score.valid === 0 ? 0 : score.tally[c].generated / score.valid;
  return {
    pairs: pairs.length,
    results,
    difference: results[0].score.winRate - results[1].score.winRate,
    standardError: Math.sqrt(variance / Math.max(1, paired.length)),
    byCriterion: Object.fromEntries(
      CRITERIA.map((c) => [c, rate(results[0].score, c) - rate(results[1].score, c)]),
    ) as Record<Criterion, number>,
  };
}

/** The pairs of a finished score run in the store: its judge set and its generations. */
export async function pairsOfRun(store: Store, runId?: number): Promise<JudgedPair[]> {
  const { judgedPair } = await import("../pipeline.js");
  const runs = store.scoreRuns.list(1000).filter((r) => r.status === "COMPLETED");
  const run = runId === undefined ? runs[0] : runs.find((r) => r.id === runId);
  if (!run) {
    throw new UsageError(
      runId === undefined ? "no completed score run in this data dir" : `no completed score run ${runId}`,
      {
        hint: "run sn11 score first (sn11 score --list shows the runs)",
      },
    );
  }
  const key = (run.result as { sample_set?: string } | null)?.sample_set;
  const samples = key ? store.sampleSets.get<JudgeSample>(key) : undefined;
  if (!samples) throw new UsageError(`score run ${run.id} has no stored judge set (scored by an older sn11)`);
  const generations = new Map(store.scoreRuns.samples(run.id).map((s) => [s.idx, s.generation]));
  return samples.flatMap((sample, i) => {
    const generation = generations.get(i);
    return typeof generation === "string" ? [judgedPair(sample, generation)] : [];
  });
}
