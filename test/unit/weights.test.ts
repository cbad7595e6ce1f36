import { describe, expect, it } from "vitest";
import { roundHalfEven } from "../../src/scoring/float32.js";
import { findProfile, type ScoringProfile } from "../../src/scoring/profile.js";
import { computeStepWeights, softmaxF32, toEmittedWeights } from "../../src/scoring/weights.js";

const seed = findProfile("dippy-2025-03")!;
const later = findProfile("dippy-2025-07")!;
const NEG = Number.NEGATIVE_INFINITY;

describe("roundHalfEven (Python round)", () => {
  it.each([
    [0.5, 0],
    [1.5, 2],
    [2.5, 2],
    [3.5, 4],
    [9755.3, 9755],
    [9754.5, 9754],
    [9755.5, 9756],
    [65535, 65535],
  ])("%d → %d", (x, expected) => {
    expect(roundHalfEven(x)).toBe(expected);
  });
});

describe("softmaxF32", () => {
  it("matches hand-computed values: exp((6/7 − 1)/0.075) = 0.14886 → 0.12957 / 0.87043", () => {
    const x = Float32Array.from([6 / 7, 1], (v) => Math.fround(Math.fround(v) / Math.fround(0.075)));
    const w = softmaxF32(x);
    expect(w[0]).toBeCloseTo(0.12957043945789337, 6);
    expect(w[1]).toBeCloseTo(0.8704295754432678, 6);
  });

  it("is NaN everywhere when every input is −∞ (torch behaviour)", () => {
    expect(Array.from(softmaxF32(Float32Array.from([NEG, NEG])))).toEqual([Number.NaN, Number.NaN]);
  });

  it("gives exactly 0 to −∞ entries", () => {
    expect(Array.from(softmaxF32(Float32Array.from([0, NEG])))).toEqual([1, 0]);
  });
});

describe("computeStepWeights", () => {
  it("plain softmax when the burn uid is not in the metagraph", () => {
    const { normalized } = computeStepWeights([6 / 7, 1, NEG, NEG], seed);
    expect(normalized[0]).toBeCloseTo(0.12957044, 6);
    expect(normalized[1]).toBeCloseTo(0.87042958, 6);
    expect(normalized[2]).toBe(0);
  });

  it("burn uid 74 gets the ratio, its own softmax share discarded, the rest scaled by 1 − ratio", () => {
    const rates = Array.from({ length: 80 }, () => NEG);
    rates[3] = 1;
    rates[5] = 6 / 7;
    rates[74] = 1; // the burn uid's own win rate does not matter
    const { normalized } = computeStepWeights(rates, seed);
    // Softmax shares: uid 3 and 74 get 1/(2+e) each, uid 5 e/(2+e). After the overwrite the vector sums to
    // 0.25·(1+e)/(2+e) + 0.75 < 1, and the renormalisation lifts the burn above 0.75 (a reference quirk).
    const e = Math.exp((6 / 7 - 1) / 0.075);
    const total = (0.25 * (1 + e)) / (2 + e) + 0.75;
    expect(normalized[74]).toBeCloseTo(0.75 / total, 6);
    expect(normalized[74]).toBeCloseTo(0.84874, 5);
    expect(normalized[3]).toBeCloseTo(0.25 / (2 + e) / total, 6);
    expect(normalized[5]).toBeCloseTo((0.25 * e) / (2 + e) / total, 6);
    expect(Array.from(normalized).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it("the 2025-07 burn leaves miners ~1e−11 each (float32: still non-zero, emitted as 0)", () => {
    const rates = Array.from({ length: 75 }, () => NEG);
    rates[0] = 1;
    const { normalized, held } = computeStepWeights(rates, later);
    expect(normalized[74]).toBeCloseTo(1, 6);
    expect(normalized[0]).toBeGreaterThan(0);
    expect(normalized[0]).toBeLessThan(1e-10);
    expect(toEmittedWeights(held)).toEqual({ uids: [74], weights: [65535] });
  });

  it("all −∞ → every weight 0 and nothing emitted, not even the burn", () => {
    const rates = Array.from({ length: 100 }, () => NEG);
    const { normalized, held } = computeStepWeights(rates, seed);
    expect(Array.from(normalized).every((v) => v === 0)).toBe(true);
    expect(toEmittedWeights(held)).toEqual({ uids: [], weights: [] });
  });

  it("the moving average has no memory in the reference profiles (weights reset each step)", () => {
    const rates = [1, 0.5, NEG];
    const first = computeStepWeights(rates, seed);
    const again = computeStepWeights(rates, seed, Float32Array.from([0, 0, 1]));
    expect(Array.from(again.held)).toEqual(Array.from(first.held));
    expect(first.held[0]).toBeCloseTo((first.normalized[0] as number) * 0.1, 7);
  });

  it("a profile with real smoothing blends the previous vector", () => {
    const smoothing: ScoringProfile = { ...seed, movingAverage: { alpha: 0.5, resetEachStep: false } };
    const { held, normalized } = computeStepWeights([1, NEG], smoothing, Float32Array.from([0, 1]));
    expect(normalized[0]).toBe(1);
    expect(held[0]).toBeCloseTo(0.5, 7);
    expect(held[1]).toBeCloseTo(0.5, 7);
  });
});

describe("toEmittedWeights (SDK convert_weights_and_uids_for_emit)", () => {
  it("the SDK's own example", () => {
    expect(toEmittedWeights([0.1, 0.2, 0.7, 0])).toEqual({ uids: [0, 1, 2], weights: [9362, 18724, 65535] });
  });

  it("drops values that round to 0 and keeps uids ascending", () => {
    expect(toEmittedWeights([0.5, 0.000001, 1], [9, 3, 5])).toEqual({
      uids: [5, 9],
      weights: [65535, 32768],
    });
  });

  it("all zero → nothing to set", () => {
    expect(toEmittedWeights([0, 0, 0])).toEqual({ uids: [], weights: [] });
  });

  it("rejects negative weights and mismatched lengths", () => {
    expect(() => toEmittedWeights([-0.1, 1])).toThrow(RangeError);
    expect(() => toEmittedWeights([1], [0, 1])).toThrow(RangeError);
  });
});
