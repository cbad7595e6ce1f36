import { createHash } from "node:crypto";
import { canonicalJson } from "../../scoring/snapshot.js";
import type { SampleSets } from "../../store/sample-sets.js";
import type { Conversation } from "../conversation.js";
import { SeededRandom } from "./random.js";
import { type JudgeSample, judgeCandidates, pickFitting } from "./sampling.js";

export function datasetDigest(rows: readonly Conversation[]): string {
  return createHash("sha256").update(canonicalJson(rows)).digest("hex");
}

/** A prompt-length rule for the judge set: its identity (part of the cache key) and the check. */
export interface PromptFilter {
  readonly id: string;
  readonly fits: (sample: JudgeSample) => Promise<boolean>;
}

/**
 * The judge set of one model: sampled once from the dataset with the model's seed (prompts that do not
 * fit the filter are replaced, as the reference replaces them) and kept in the store, so a resumed
 * evaluation, or the same model scored again, judges exactly the same conversations.
 */
export async function judgeSet(
  rows: readonly Conversation[],
  seed: string,
  options: { count: number; maxMessages: number; filter?: PromptFilter },
  cache?: SampleSets,
): Promise<{ samples: JudgeSample[]; cached: boolean; key: string; rejected: number }> {
  const digest = datasetDigest(rows);
  const key = createHash("sha256")
    .update(
      canonicalJson({
        digest,
        seed,
        count: options.count,
        maxMessages: options.maxMessages,
        ...(options.filter ? { filter: options.filter.id } : {}),
      }),
    )
    .digest("hex");
  const hit = cache?.get<JudgeSample>(key);
  if (hit) return { samples: hit, cached: true, key, rejected: 0 };
  const candidates = judgeCandidates(rows, new SeededRandom(seed), options.maxMessages);
  const { samples, rejected } = options.filter
    ? await pickFitting(candidates, options.count, options.filter.fits)
    : { samples: candidates.slice(0, options.count), rejected: 0 };
  cache?.put({ key, datasetDigest: digest, seed, samples });
  return { samples, cached: false, key, rejected };
}
