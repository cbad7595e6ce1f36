import { cutWindow } from "../../scoring/evaluation-draws.js";
import { type Conversation, validatorMessages } from "../conversation.js";
import type { ChatMessage } from "../templates/render.js";
import type { SeededRandom } from "./random.js";

export interface JudgeSample {
  /** Index of the conversation in the dataset. */
  readonly source: number;
  /** The context the model continues: the card, then at most `maxMessages − 1` turns, ending on a user turn. */
  readonly messages: readonly ChatMessage[];
  readonly lastUserMessage: string;
  /** The reply that really followed that context in the dataset (no EOS appended). */
  readonly originalReply: string;
}

/**
 * The judge stage's cut of one conversation (DIPPY-SPEC §2.4 with the later alignment fix of §9.2):
 * a random prefix of at most `maxMessages` messages (card included), trimmed back to a user turn, paired
 * with the assistant reply that follows that user turn in the full conversation. Null when none does.
 */
export function cutConversation(
  conversation: Conversation,
  source: number,
  rng: SeededRandom,
  maxMessages: number,
): JudgeSample | null {
  const all = validatorMessages(conversation);
  const window = cutWindow(all.length, maxMessages);
  if (!window) return null;
  const cutoff = rng.int(window.from, window.to);
  const truncated = all.slice(0, cutoff);
  while (truncated.length > 0 && truncated[truncated.length - 1]?.role !== "user") truncated.pop();
  const last = truncated.at(-1);
  if (!last) return null;
  // The last user turn in the whole conversation with this text (a later repeat wins, as in the reference).
  let at = -1;
  for (let i = all.length - 2; i >= 0; i--) {
    if (all[i]?.role === "user" && all[i]?.content === last.content) {
      at = i;
      break;
    }
  }
  const reply = at >= 0 ? all[at + 1] : undefined;
  if (!reply || reply.role !== "assistant") return null;
  return { source, messages: truncated, lastUserMessage: last.content, originalReply: reply.content };
}

export interface SampleOptions {
  readonly count: number;
  readonly maxMessages: number;
  /** Whether the rendered prompt fits the model (e.g. ≤ 8192 tokens); everything fits when absent. */
  readonly fits?: (sample: JudgeSample) => boolean;
}

/**
 * Every usable sample in the order the judge set takes them: cut every conversation (one draw each, in
 * dataset order), shuffle, drop the ones with an empty message.
 */
export function judgeCandidates(
  rows: readonly Conversation[],
  rng: SeededRandom,
  maxMessages: number,
): JudgeSample[] {
  const cut = rows.map((row, i) => cutConversation(row, i, rng, maxMessages));
  const order = rng.shuffle(cut.map((_, i) => i));
  return order
    .map((i) => cut[i])
    .filter((sample): sample is JudgeSample => sample !== null && sample !== undefined)
    .filter((sample) => !sample.messages.some((m) => m.content.length === 0));
}

/**
 * The judge set: the first `count` candidates that fit. Unlike the reference, a replacement for a rejected
 * sample passes the same checks.
 */
export function sampleJudgeSet(
  rows: readonly Conversation[],
  rng: SeededRandom,
  options: SampleOptions,
): JudgeSample[] {
  const fits = options.fits ?? (() => true);
  const chosen: JudgeSample[] = [];
  for (const sample of judgeCandidates(rows, rng, options.maxMessages)) {
    if (chosen.length >= options.count) break;
    if (fits(sample)) chosen.push(sample);
  }
  return chosen;
}

/** The same choice when whether a sample fits takes I/O (the engine's tokenizer): one check at a time. */
export async function pickFitting(
  candidates: readonly JudgeSample[],
  count: number,
  fits: (sample: JudgeSample) => Promise<boolean>,
): Promise<{ samples: JudgeSample[]; rejected: number }> {
  const samples: JudgeSample[] = [];
  let rejected = 0;
  for (const sample of candidates) {
    if (samples.length >= count) break;
    if (await fits(sample)) samples.push(sample);
    else rejected++;
  }
  return { samples, rejected };
}
