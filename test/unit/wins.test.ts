import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findProfile } from "../../src/scoring/profile.js";
import { computeWinRates, countWins, isWin, pairwiseWins } from "../../src/scoring/wins.js";

const seed = findProfile("dippy-2025-03")!;
const later = findProfile("dippy-2025-07")!;

describe("isWin (compete.py iswin, penalty 0.03)", () => {
  it.each([
    // scoreI, scoreJ, blockI, blockJ, wins?
    ["higher score, same block", 0.6, 0.5, 10, 10, true],
    ["tie, same block: no win either way", 0.5, 0.5, 10, 10, false],
    ["later block loses a tie", 0.5, 0.5, 11, 10, false],
    ["earlier block wins a tie", 0.5, 0.5, 10, 11, true],
    ["later, 3 % better: 0.97·0.63 = 0.6111 > 0.61 still wins", 0.63, 0.61, 11, 10, true],
    ["later, 2 % better loses", 0.612, 0.6, 11, 10, false],
    [
      "later by exactly the penalty: 0.97·(0.5/0.97) vs 0.5 → float tie, no win",
      0.5 / 0.97,
      0.5,
      11,
      10,
      false,
    ],
    ["zero never beats zero", 0, 0, 10, 11, false],
  ])("%s", (_label, si, sj, bi, bj, expected) => {
    expect(isWin(si, sj, bi, bj, 0.03)).toBe(expected);
  });
});

const c = (totalScore: number, block: number | null, valid = true) => ({
  totalScore,
  block,
  valid,
  recorded: block !== null,
});

describe("computeWinRates (compute_wins)", () => {
  it("counts invalid uids as opponents in the denominator", () => {
    const rates = computeWinRates(
      [c(0.61, 4_900_000), c(0.63, 4_950_000), c(0, null, false), c(0, null, false)],
      seed,
    );
    expect(rates).toEqual([2 / 3, 1, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY]);
  });

  it("gives −∞ to a valid uid with total 0 and to an invalid uid, whose score still counts as given", () => {
    // The registry zeroes invalid totals before this; compute_wins itself compares whatever it is handed.
    const rates = computeWinRates([c(0, 5_000_000), c(0.7, 5_000_000, false), c(0.5, 5_000_000)], seed);
    expect(rates[0]).toBe(Number.NEGATIVE_INFINITY);
    expect(rates[1]).toBe(Number.NEGATIVE_INFINITY);
    expect(rates[2]).toBe(0.5);
  });

  it("a single uid has win rate 0 (N − 1 = 0)", () => {
    expect(computeWinRates([c(0.5, 5_000_000)], seed)).toEqual([0]);
  });

  it("an unrecorded uid competes with sys.maxsize: the penalty never hits the recorded one", () => {
    // Both at score 0.5; the unrecorded one is invalid anyway, but its block must not count as earlier.
    const rates = computeWinRates(
      [c(0.5, 5_000_000), { totalScore: 0.5, block: null, valid: false, recorded: false }],
      seed,
    );
    expect(rates[0]).toBe(1);
  });

  it("seed profile halves scores committed before the reset block, the later profile does not", () => {
    const contestants = [c(0.6, 4_800_000), c(0.4, 4_900_000)];
    // Seed: 0.3 vs 0.4·0.97 = 0.388 → uid 1 wins.
    expect(computeWinRates(contestants, seed)).toEqual([0, 1]);
    expect(computeWinRates(contestants, later)).toEqual([1, 0]);
  });
});

describe("countWins (O(n log n)) against the pairwise definition", () => {
  // Few distinct scores and blocks: ties on both, and values exactly at the 3 % penalty's edge.
  const score = fc.oneof(
    fc.constantFrom(0, 0.5, 0.5 / 0.97, 0.485, 0.6, 1, 0.97),
    fc.double({ min: 0, max: 1, noNaN: true }),
  );
  const block = fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constant(Number.MAX_SAFE_INTEGER));
  const field = fc.array(fc.tuple(score, block), { minLength: 0, maxLength: 60 });

  it("counts the same wins on random fields, ties and the penalty included", () => {
    fc.assert(
      fc.property(field, fc.constantFrom(0.03, 0, 0.5), (pairs, penalty) => {
        const scores = pairs.map(([s]) => s);
        const blocks = pairs.map(([, b]) => b);
        expect(countWins(scores, blocks, penalty)).toEqual(pairwiseWins(scores, blocks, penalty));
      }),
      { numRuns: 500 },
    );
  });

  it("a NaN score compares as the definition says (never a win)", () => {
    const scores = [Number.NaN, 0.5, 0.4];
    const blocks = [1, 1, 2];
    expect(countWins(scores, blocks, 0.03)).toEqual(pairwiseWins(scores, blocks, 0.03));
  });
});
