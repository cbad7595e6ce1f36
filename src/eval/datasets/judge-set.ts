import { createHash } from "node:crypto";
import { canonicalJson } from "../../scoring/snapshot.js";
import type { SampleSets } from "../../store/sample-sets.js";
import type { Conversation } from "../conversation.js";
import { SeededRandom } from "./random.js";
import { type JudgeSample, type SampleOptions, sampleJudgeSet } from "./sampling.js";

export function datasetDigest(rows: readonly Conversation[]): string {
  return createHash("sha256").update(canonicalJson(rows)).digest("hex");
}

/**
 * The judge set of one model: sampled once from the dataset with the model's seed and kept in the store,
 * so a resumed evaluation, or the same model scored again, judges exactly the same conversations.
 */
export function judgeSet(
  rows: readonly Conversation[],
  seed: string,
  options: SampleOptions,
  cache?: SampleSets,
): { samples: JudgeSample[]; cached: boolean; key: string } {
  const digest = datasetDigest(rows);
  const key = createHash("sha256")
    .update(canonicalJson({ digest, seed, count: options.count, maxMessages: options.maxMessages }))
    .digest("hex");
  const hit = cache?.get<JudgeSample>(key);
  if (hit) return { samples: hit, cached: true, key };
  const samples = sampleJudgeSet(rows, new SeededRandom(seed), options);
  cache?.put({ key, datasetDigest: digest, seed, samples });
  return { samples, cached: false, key };
}
