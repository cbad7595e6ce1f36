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
  const wins = countWins(scores, blocks, profile.laterBlockPenalty);
  return contestants.map((c, i) => {
    if (!c.valid || c.totalScore === 0) return Number.NEGATIVE_INFINITY;
    if (n <= 1) return 0;
    return (wins[i] as number) / (n - 1);
  });
}

/**
 * For each i, how many j ≠ i it beats under `isWin`, in O(n log n): against an earlier block i wins when
 * sⱼ < (1 − p)·sᵢ, against a later one when (1 − p)·sⱼ < sᵢ, against the same block when sⱼ < sᵢ. Blocks are
 * swept in order with a Fenwick tree over the ranks of every value compared, the products computed exactly
 * as `isWin` computes them. A NaN score (no order) falls back to the pairwise count.
 */
export function countWins(scores: readonly number[], blocks: readonly number[], penalty: number): number[] {
  const n = scores.length;
  if (scores.some(Number.isNaN)) return pairwiseWins(scores, blocks, penalty);
  const scaled = scores.map((s) => (1 - penalty) * s);
  const values = [...new Set([...scores, ...scaled])].sort((a, b) => a - b);
  const rank = (x: number) => lowerBound(values, x); // how many distinct values are below x
  const byBlock = [...Array(n).keys()].sort((a, b) => (blocks[a] as number) - (blocks[b] as number));
  const groups: number[][] = [];
  for (const i of byBlock) {
    const last = groups.at(-1);
    if (last && blocks[last[0] as number] === blocks[i]) last.push(i);
    else groups.push([i]);
  }
  const wins = new Array<number>(n).fill(0);
  // Earlier blocks: the scores of every group before, queried with the penalised score of i.
  const earlier = new Fenwick(values.length);
  for (const group of groups) {
    for (const i of group) wins[i] = (wins[i] as number) + earlier.countBelow(rank(scaled[i] as number));
    for (const i of group) earlier.add(rank(scores[i] as number));
  }
  // Later blocks: the penalised scores of every group after, queried with the score of i.
  const later = new Fenwick(values.length);
  for (let g = groups.length - 1; g >= 0; g--) {
    const group = groups[g] as number[];
    for (const i of group) wins[i] = (wins[i] as number) + later.countBelow(rank(scores[i] as number));
    for (const i of group) later.add(rank(scaled[i] as number));
  }
  // The same block: plain scores, i itself never below itself.
  for (const group of groups) {
    const sorted = group.map((i) => scores[i] as number).sort((a, b) => a - b);
    for (const i of group) wins[i] = (wins[i] as number) + lowerBound(sorted, scores[i] as number);
  }
  return wins;
}

/** The definition, one pair at a time (O(n²)): the reference's loop, and the property tests' oracle. */
export function pairwiseWins(
  scores: readonly number[],
  blocks: readonly number[],
  penalty: number,
): number[] {
  return scores.map((si, i) => {
    let wins = 0;
    for (let j = 0; j < scores.length; j++) {
      if (j !== i && isWin(si, scores[j] as number, blocks[i] as number, blocks[j] as number, penalty))
        wins++;
    }
    return wins;
  });
}

/** The number of items of the ascending `sorted` that are below x. */
function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Counts of ranks added so far, and how many lie below a rank, in O(log n) each. */
class Fenwick {
  private readonly tree: Int32Array;
  constructor(size: number) {
    this.tree = new Int32Array(size + 1);
  }
  add(rank: number): void {
    for (let k = rank + 1; k < this.tree.length; k += k & -k) this.tree[k] = (this.tree[k] as number) + 1;
  }
  /** Added ranks strictly below `rank`. */
  countBelow(rank: number): number {
    let total = 0;
    for (let k = rank; k > 0; k -= k & -k) total += this.tree[k] as number;
    return total;
  }
}
