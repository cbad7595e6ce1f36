import { CRITERIA, type Criterion, OUTCOMES, type Outcome } from "./prompt.js";

export type Verdict = Readonly<Record<Criterion, Outcome>>;

/**
 * Reads a judge's answer strictly: one JSON object (code fences and text around it tolerated) with an
 * allowed outcome for each criterion. Anything else is unparseable — retried, never tallied.
 */
export function parseVerdict(text: string): Verdict | null {
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  if (start < 0 || end <= start) return null;
  let value: unknown;
  try {
    value = JSON.parse(text.slice(start, end + 1));
  } catch {
    return null;
  }
  if (!value || typeof value !== "object") return null;
  const verdict: Partial<Record<Criterion, Outcome>> = {};
  for (const c of CRITERIA) {
    const outcome = String((value as Record<string, unknown>)[`${c}_win`] ?? "").toLowerCase();
    if (!(OUTCOMES as readonly string[]).includes(outcome)) return null;
    verdict[c] = outcome as Outcome;
  }
  return verdict as Verdict;
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
}

export function tallyVerdicts(
  verdicts: readonly (Verdict | null)[],
  samples: number,
  maxErrorRate: number,
): JudgeScore {
  const tally = Object.fromEntries(CRITERIA.map((c) => [c, { original: 0, generated: 0, tie: 0 }])) as Tally;
  let valid = 0;
  let failed = 0;
  let wins = 0;
  for (const v of verdicts) {
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
  };
}
