import { CRITERIA, type Criterion, OUTCOMES, type Outcome } from "./prompt.js";

export type Verdict = Readonly<Record<Criterion, Outcome>>;

/**
 * An answer the reference tallies as neither valid nor failed: a JSON object without one of the three
 * `*_win` keys (its collect_judge_scores skips it). Stored in place of a verdict.
 */
export const SKIPPED = "skipped";
export type StoredVerdict = Verdict | typeof SKIPPED;

export type ParsedAnswer =
  | { readonly kind: "verdict"; readonly verdict: Verdict }
  | { readonly kind: "skipped"; readonly reason: string }
  | { readonly kind: "unparseable"; readonly reason: string };

/**
 * Reads a judge's answer as strictly as the reference where it decides a score: an outcome other than
 * exactly "original", "generated" or "tie" is a failed call (the reference fails on it), a missing
 * `*_win` key is skipped (the reference skips it). Lenient only where no verdict can change: code fences
 * and text around the one JSON object.
 */
export function parseAnswer(text: string): ParsedAnswer {
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  if (start < 0 || end <= start) return { kind: "unparseable", reason: "no JSON object" };
  let value: unknown;
  try {
    value = JSON.parse(text.slice(start, end + 1));
  } catch {
    return { kind: "unparseable", reason: "invalid JSON" };
  }
  if (!value || typeof value !== "object" || Array.isArray(value))
    return { kind: "unparseable", reason: "not a JSON object" };
  const answer = value as Record<string, unknown>;
  const missing = CRITERIA.filter((c) => !(`${c}_win` in answer));
  if (missing.length > 0)
    return { kind: "skipped", reason: `no ${missing.map((c) => `${c}_win`).join(", ")}` };
  const verdict: Partial<Record<Criterion, Outcome>> = {};
  for (const c of CRITERIA) {
    const outcome = answer[`${c}_win`];
    if (typeof outcome !== "string" || !(OUTCOMES as readonly string[]).includes(outcome))
      return { kind: "unparseable", reason: `${c}_win is ${JSON.stringify(outcome)}` };
    verdict[c] = outcome as Outcome;
  }
  return { kind: "verdict", verdict: verdict as Verdict };
}

/** The verdict of an answer, or null when the answer gives none (skipped or unparseable). */
export function parseVerdict(text: string): Verdict | null {
  const parsed = parseAnswer(text);
  return parsed.kind === "verdict" ? parsed.verdict : null;
}

export type Tally = Record<Criterion, Record<Outcome, number>>;

export interface JudgeScore {
  readonly tally: Tally;
  readonly valid: number;
  readonly failed: number;
  /** Generated wins over 3 × valid verdicts: the reference's judge score. */
  readonly winRate: number;
  /** More failed calls than the profile allows (10 % of the sample count): the model fails. */
  readonly overErrorBudget: boolean;
  /** Answers without one of the verdict keys: neither valid nor failed, as the reference counts them. */
  readonly skipped: number;
}

export function tallyVerdicts(
  verdicts: readonly (StoredVerdict | null)[],
  samples: number,
  maxErrorRate: number,
): JudgeScore {
  const tally = Object.fromEntries(CRITERIA.map((c) => [c, { original: 0, generated: 0, tie: 0 }])) as Tally;
  let valid = 0;
  let failed = 0;
  let wins = 0;
  let skipped = 0;
  for (const v of verdicts) {
    if (v === SKIPPED) {
      skipped++;
      continue;
    }
    if (!v) {
      failed++;
      continue;
    }
    valid++;
    for (const c of CRITERIA) {
      tally[c][v[c]]++;
      if (v[c] === "generated") wins++;
    }
  }
  return {
    tally,
    valid,
    failed,
    winRate: valid === 0 ? 0 : wins / (3 * valid),
    overErrorBudget: failed > maxErrorRate * samples,
    skipped,
  };
}
