/**
 * The judge stage's score, as the reference computes it (DIPPY-SPEC §2.5, SCORING.md): per valid verdict
 * three criteria, the generated reply's wins over 3 × valid verdicts, and the failure rule on failed calls.
 */
export const CRITERIA = ["realism", "entertainment", "coherency"] as const;
export type Criterion = (typeof CRITERIA)[number];
export const OUTCOMES = ["original", "generated", "tie"] as const;
export type Outcome = (typeof OUTCOMES)[number];

export type Verdict = Readonly<Record<Criterion, Outcome>>;

/**
 * An answer the reference tallies as neither valid nor failed: a JSON object without one of the three
 * `*_win` keys (its collect_judge_scores skips it). Stored in place of a verdict.
 */
export const SKIPPED = "skipped";
export type StoredVerdict = Verdict | typeof SKIPPED;

export type Tally = Record<Criterion, Record<Outcome, number>>;

export interface JudgeScore {
  readonly tally: Tally;
  readonly valid: number;
  readonly failed: number;
  /** Generated wins over 3 × valid verdicts: the reference's judge score. */
  readonly winRate: number;
  /** More failed calls than the profile's share of the run's samples: the model fails. */
  readonly overErrorBudget: boolean;
  /** Answers without one of the verdict keys: neither valid nor failed, as the reference counts them. */
  readonly skipped: number;
}

/**
 * One entry per sample of the run: its verdict, or null for a failed call (or a failed generation). The
 * error budget is `maxErrorRate` of the run's samples: the reference's `exceptions / 512 > 0.1` at the
 * profile's 512, and the same share for a shorter local run (of 8 samples, one failure fails it).
 */
export function tallyVerdicts(verdicts: readonly (StoredVerdict | null)[], maxErrorRate: number): JudgeScore {
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
    overErrorBudget: failed > maxErrorRate * verdicts.length,
    skipped,
  };
}

export interface EvaluationOutcome {
  readonly status: "COMPLETED" | "FAILED";
  /** The profile's total score: the judge win rate (the reference's only live stage), 0 when FAILED. */
  readonly totalScore: number;
  readonly reason: string | null;
}

/**
 * The evaluation's verdict from its judge score. No valid verdict at all is never a score: it is the
 * judge that failed (the reference would say 0 and COMPLETED).
 */
export function evaluationOutcome(
  score: JudgeScore,
  samples: number,
  maxErrorRate: number,
): EvaluationOutcome {
  if (score.valid === 0) {
    return {
      status: "FAILED",
      totalScore: 0,
      reason: `no judge call succeeded (${score.failed} failed): is the judge reachable?`,
    };
  }
  if (score.overErrorBudget) {
    return {
      status: "FAILED",
      totalScore: 0,
      reason: `${score.failed} judge calls failed, more than ${maxErrorRate * 100} % of ${samples}`,
    };
  }
  return { status: "COMPLETED", totalScore: score.winRate, reason: null };
}
