import { describe, expect, it } from "vitest";
import { classifyExtensions } from "../../src/chain/extensions.js";
import { nextEpochStart, preflightSetWeights } from "../../src/chain/preflight.js";
import type { Metagraph } from "../../src/chain/types.js";
import { testMetagraph } from "../support/metagraph.js";

describe("classifyExtensions", () => {
  const known = new Set(["CheckNonce", "ChargeTransactionPayment"]);
  it("passes known ones, treats unknown empty ones as no-ops and flags unknown ones that carry data", () => {
    const report = classifyExtensions(
      [
        { name: "CheckNonce", explicit: "Compact<u32>", implicit: "Null" },
        { name: "DrandPriority", explicit: "Null", implicit: "Null" },
        { name: "EmptyTuple", explicit: "()", implicit: "Null" },
        { name: "CarriesData", explicit: "Compact<u64>", implicit: "Null" },
        { name: "SignsData", explicit: "Null", implicit: "H256" },
      ],
      known,
    );
    expect(report.emptyUnknown).toEqual(["DrandPriority", "EmptyTuple"]);
    expect(report.unsupported.map((u) => u.name)).toEqual(["CarriesData", "SignsData"]);
  });
});

function metagraph(hyper: Partial<Metagraph["hyperparameters"]> = {}, lastUpdate = 0): Metagraph {
  return testMetagraph({ hyper, lastUpdate });
}

describe("preflightSetWeights (the chain's set_weights checks)", () => {
  it.each<[string, Metagraph, string, number[], number[], number, string[]]>([
    ["a permitted validator", metagraph(), "hk0", [1, 2], [1, 2], 7, []],
    ["unregistered hotkey", metagraph(), "nobody", [1], [1], 7, ["HotKeyNotRegisteredInSubNet"]],
    ["no permit", metagraph(), "hk1", [0, 2], [1, 2], 7, ["NeuronNoValidatorPermit"]],
    ["self weight needs no permit", metagraph(), "hk1", [1], [1], 7, []],
    [
      "version key below the chain's",
      metagraph({ weightsVersion: 8 }),
      "hk0",
      [1],
      [1],
      7,
      ["IncorrectWeightVersionKey"],
    ],
    ["version key 0 on chain accepts any", metagraph({ weightsVersion: 0 }), "hk0", [1], [1], 1, []],
    ["rate limit", metagraph({}, 950), "hk0", [1], [1], 7, ["SettingWeightsTooFast"]],
    ["rate limit passed exactly", metagraph({}, 900), "hk0", [1], [1], 7, []],
    ["duplicate uids", metagraph(), "hk0", [1, 1], [1, 2], 7, ["DuplicateUids"]],
    ["uid out of range", metagraph(), "hk0", [5], [1], 7, ["UidVecContainInvalidOne"]],
    ["length mismatch", metagraph(), "hk0", [1, 2], [1], 7, ["WeightVecNotEqualSize"]],
    [
      "too few weights",
      metagraph({ minAllowedWeights: 3 }),
      "hk0",
      [1, 2],
      [1, 2],
      7,
      ["WeightVecLengthIsLow"],
    ],
    [
      "commit-reveal on",
      metagraph({ commitRevealEnabled: true }),
      "hk0",
      [1],
      [1],
      7,
      ["CommitRevealEnabled"],
    ],
  ])("%s", (_label, m, hotkey, uids, values, key, codes) => {
    expect(preflightSetWeights(m, hotkey, uids, values, key).problems.map((p) => p.code)).toEqual(codes);
  });

  it("names the block the rate limit frees", () => {
    const check = preflightSetWeights(metagraph({}, 950), "hk0", [1], [1], 7);
    expect(check.rateLimitFreesAt).toBe(1050);
    expect(check.problems[0]?.message).toContain("frees at block 1050");
  });
});

describe("nextEpochStart (legacy epoch arithmetic)", () => {
  it.each([
    // block, netuid, tempo → first block of the next epoch
    [0, 11, 360, 349],
    [349, 11, 360, 710],
    [348, 11, 360, 349],
    [1000, 1, 99, 1098],
  ])("block %i netuid %i tempo %i → %i", (block, netuid, tempo, expected) => {
    const next = nextEpochStart(block, netuid, tempo);
    expect(next).toBe(expected);
    expect(Math.floor((next + netuid + 1) / (tempo + 1))).toBe(
      Math.floor((block + netuid + 1) / (tempo + 1)) + 1,
    );
  });
});
