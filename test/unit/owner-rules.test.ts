import { describe, expect, it } from "vitest";
import { submissionRateLimit } from "../../src/scoring/owner-rules.js";

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
