import { describe, expect, it } from "vitest";
import { copiedFrom, submissionRateLimit } from "../../src/scoring/owner-rules.js";

describe("the owner's submission rate limit", () => {
  it.each([
    [
      "inside the limit: FAILED, frees at previous + limit",
      { previousBlock: 1000, block: 1500, previousFailed: false, sameEntry: false },
      { limited: true, gap: 500, freesAt: 29800 },
    ],
    [
      "exactly at the limit: passes",
      { previousBlock: 1000, block: 29800, previousFailed: false, sameEntry: false },
      { limited: false },
    ],
    [
      "the previous one FAILED: a retry is allowed",
      { previousBlock: 1000, block: 1001, previousFailed: true, sameEntry: false },
      { limited: false },
    ],
    [
      "the same entry again",
      { previousBlock: 1000, block: 1500, previousFailed: false, sameEntry: true },
      { limited: false },
    ],
    [
      "the same block (no gap)",
      { previousBlock: 1000, block: 1000, previousFailed: false, sameEntry: false },
      { limited: false },
    ],
  ])("%s", (_name, input, expected) => {
    expect(submissionRateLimit(input, 28800)).toEqual(expected);
  });
});

describe("the owner's copied-weights rule", () => {
  const e = (repo: string, commitBlock: number) => ({ repo, commitBlock });
  it.each([
    ["alone: the original", [e("a/x", 10)], 10, null],
    [
      "an earlier entry with the same weights: a copy of it",
      [e("a/orig", 10), e("a/copy", 20)],
      20,
      "a/orig",
    ],
    ["the earlier one asks: it is the original", [e("a/orig", 10), e("a/copy", 20)], 10, null],
    ["several earlier: the earliest", [e("a/b", 15), e("a/a", 5), e("a/c", 30)], 30, "a/a"],
    ["the same block is not earlier", [e("a/one", 10), e("a/two", 10)], 10, null],
    ["a tie on the earliest block: queue order", [e("a/first", 5), e("a/second", 5)], 9, "a/first"],
  ])("%s", (_name, sameHash, block, expected) => {
    expect(copiedFrom(sameHash, block)?.repo ?? null).toBe(expected);
  });
});
