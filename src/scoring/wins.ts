import type { ScoringProfile } from "./profile.js";

export interface Contestant {
  readonly valid: boolean;
  readonly totalScore: number;
  readonly block: number | null;
  /** False for uids rejected before the reference records their block: they compete with sys.maxsize. */
  readonly recorded: boolean;
}

const NO_BLOCK = Number.MAX_SAFE_INTEGER;

/**
 * Whether i beats j: the strictly later submission has its score scaled by (1 − penalty); a tie is no win.
 * Float64 throughout, as the reference computes it in Python.
 */
export function isWin(
  scoreI: number,
  scoreJ: number,
  blockI: number,
  blockJ: number,
  penalty: number,
): boolean {
  const adjustedI = blockI > blockJ ? (1 - penalty) * scoreI : scoreI;
  const adjustedJ = blockJ > blockI ? (1 - penalty) * scoreJ : scoreJ;
  return adjustedI > adjustedJ;
}

/**
 * The reference's `compute_wins`: every uid (valid or not) is an opponent of every other, so invalid uids
 * still count in each denominator. Win rate is −∞ for an invalid uid or a total of 0.
 */
export function computeWinRates(contestants: readonly Contestant[], profile: ScoringProfile): number[] {
  const n = contestants.length;
  const reset = profile.scoreReset;
  const blocks = contestants.map((c) => (c.recorded && c.block !== null ? c.block : NO_BLOCK));
  const scores = contestants.map((c, i) =>
    reset && (blocks[i] as number) < reset.block ? c.totalScore * reset.factor : c.totalScore,
  );
  const penalty = profile.laterBlockPenalty;
  return contestants.map((c, i) => {
    if (!c.valid || c.totalScore === 0) return Number.NEGATIVE_INFINITY;
    if (n <= 1) return 0;
    const si = scores[i] as number;
    const bi = blocks[i] as number;
    let wins = 0;
    for (let j = 0; j < n; j++) {
      if (j !== i && isWin(si, scores[j] as number, bi, blocks[j] as number, penalty)) wins++;
    }
    return wins / (n - 1);
  });
}
