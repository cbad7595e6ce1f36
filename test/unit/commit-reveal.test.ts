import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  commitGuard,
  decodeTlockPayload,
  encodeTlockPayload,
  legacyEpoch,
  legacyEpochStart,
  planAtInclusion,
  planIndexedReveal,
  planLegacyReveal,
  QUICKNET_BEACON,
  roundAt,
} from "../../src/chain/commit-reveal.js";
import type { CommitRevealState } from "../../src/chain/commit-reveal-reads.js";
import { buildTimelockedCommit, preflightCommit } from "../../src/chain/commit-weights.js";
import { beaconPublicKey, signRound } from "../../src/chain/timelock.js";
import type { Metagraph } from "../../src/chain/types.js";
import type { WeightCommitRecord } from "../../src/store/weight-commits.js";
import { assessReveal } from "../../src/validator/reveals.js";
import { testMetagraph } from "../support/metagraph.js";

const ALICE = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
const ALICE_HEX = "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";

describe("WeightsTlockPayload", () => {
  it("encodes COMMIT-REVEAL.md §1.2's example byte for byte", () => {
    const bytes = encodeTlockPayload({
      hotkey: Buffer.from(ALICE_HEX, "hex"),
      uids: [0, 1, 2],
      values: [65535, 32768, 1],
      versionKey: 7,
    });
    expect(Buffer.from(bytes).toString("hex")).toBe(
      `80${ALICE_HEX}0c0000010002000cffff008001000700000000000000`,
    );
    expect(bytes.length).toBe(55);
  });

  it("decodes what it encodes, for any vector (compact lengths past 63 included)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.array(fc.integer({ min: 0, max: 65535 }), { maxLength: 300 }),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        (hotkey, uids, versionKey) => {
          const payload = { hotkey, uids, values: uids.map((u) => 65535 - u), versionKey };
          const decoded = decodeTlockPayload(encodeTlockPayload(payload));
          expect(decoded).toEqual({ ...payload, hotkey: Uint8Array.from(hotkey) });
        },
      ),
      { numRuns: 50 },
    );
  });

  it("truncated payloads decode to null, never throw", () => {
    const bytes = encodeTlockPayload({
      hotkey: new Uint8Array(32),
      uids: [1, 2],
      values: [3, 4],
      versionKey: 1,
    });
    for (let n = 0; n < bytes.length; n++) expect(decodeTlockPayload(bytes.slice(0, n))).toBeNull();
  });
});

describe("the reveal round", () => {
  it("reproduces the SDK's worked example (COMMIT-REVEAL.md §1.3)", () => {
    const plan = planLegacyReveal({
      netuid: 11,
      tempo: 360,
      revealPeriodEpochs: 1,
      currentBlock: 6_000_000,
      nowSeconds: 1_750_000_000,
      beacon: QUICKNET_BEACON,
    });
    expect(plan.firstRevealBlock).toBe(6_000_169);
    expect(plan.revealRound).toBe(19_066_232);
    expect(plan.revealEpoch).toBe(plan.commitEpoch + 1);
    expect(plan.lastRevealBlock).toBe(6_000_169 + 360);
  });

  it.each([
    // block, netuid, tempo → epoch, and the first block of the next epoch
    [0, 11, 360, 0, 349],
    [348, 11, 360, 0, 349],
    [349, 11, 360, 1, 710],
    [100, 1, 10, 9, 108],
  ])(
    "legacy epoch of block %i (netuid %i, tempo %i) is %i; the next starts at %i",
    (block, netuid, tempo, epoch, next) => {
      expect(legacyEpoch(block, netuid, tempo)).toBe(epoch);
      expect(legacyEpochStart(epoch + 1, netuid, tempo)).toBe(next);
    },
  );

  it("every block of an epoch plans the reveal into the first block of the epoch after the period", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 10_000_000 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 400 }),
        (block, period, tempo) => {
          const plan = planLegacyReveal({
            netuid: 11,
            tempo,
            revealPeriodEpochs: period,
            currentBlock: block,
            nowSeconds: 1_800_000_000,
            beacon: QUICKNET_BEACON,
          });
          expect(legacyEpoch(plan.firstRevealBlock, 11, tempo)).toBe(legacyEpoch(block, 11, tempo) + period);
          expect(legacyEpoch(plan.firstRevealBlock - 1, 11, tempo)).toBe(
            legacyEpoch(block, 11, tempo) + period - 1,
          );
          expect(plan.revealRound).toBeGreaterThanOrEqual(roundAt(1_800_000_000, QUICKNET_BEACON));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("on SubnetEpochIndex runtimes the window starts at the chain's next epoch start", () => {
    const plan = planIndexedReveal({
      netuid: 11,
      tempo: 360,
      revealPeriodEpochs: 2,
      currentBlock: 1000,
      nowSeconds: 1_750_000_000,
      beacon: QUICKNET_BEACON,
      epochIndex: 50,
      nextEpochStart: 1100,
    });
    expect(plan).toMatchObject({
      commitEpoch: 50,
      revealEpoch: 52,
      firstRevealBlock: 1460,
      lastRevealBlock: 1819,
    });
    expect(plan.revealRound).toBe(
      Math.floor((1_750_000_000 + (1463 - 1000) * 12 - QUICKNET_BEACON.genesisTime) / 3),
    );
  });

  it("a commit included in a later epoch than planned is tracked in the epoch the chain files it under", () => {
    const inputs = {
      netuid: 11,
      tempo: 360,
      revealPeriodEpochs: 1,
      nowSeconds: 1_750_000_000,
      beacon: QUICKNET_BEACON,
    };
    const plan = planLegacyReveal({ ...inputs, currentBlock: 347 });
    expect(plan.commitEpoch).toBe(0);
    expect(planAtInclusion(plan, { block: 348, netuid: 11, tempo: 360, revealPeriodEpochs: 1 })).toBe(plan);
    const later = planAtInclusion(plan, { block: 350, netuid: 11, tempo: 360, revealPeriodEpochs: 1 });
    expect(later).toMatchObject({
      commitEpoch: 1,
      revealEpoch: 2,
      firstRevealBlock: 710,
      revealRound: plan.revealRound,
    });
    const indexed = { ...plan, schedule: "epoch-index" as const };
    expect(planAtInclusion(indexed, { block: 350, netuid: 11, tempo: 360, revealPeriodEpochs: 1 })).toBe(
      indexed,
    );
  });

  it("commits wait when the epoch boundary is 3 blocks away or less", () => {
    expect(commitGuard(996, 1000)).toBeNull();
    expect(commitGuard(997, 1000)).toBe(1000);
    expect(commitGuard(999, 1000)).toBe(1000);
  });
});

function metagraph(lastUpdate = 0, permit = true): Metagraph {
  return testMetagraph({
    hyper: { commitRevealEnabled: true, weightsVersion: 0 },
    lastUpdate,
    permit,
    hotkeys: [ALICE],
  });
}

const STATE: CommitRevealState = {
  block: { number: 1000, hash: "0x" },
  version: 4,
  lastStoredRound: 500,
  beacon: { ...QUICKNET_BEACON, publicKeyHex: beaconPublicKey(5n) },
  schedule: "legacy",
  epoch: 2,
  nextEpochStart: 1071,
  unrevealedCommits: 0,
  hashCommits: [],
};

describe("preflight of a timelocked commit", () => {
  const commit = (round = 1000, uids = [1, 2]) =>
    buildTimelockedCommit({
      hotkey: ALICE,
      emit: { uids, weights: uids.map(() => 65535) },
      versionKey: 7,
      revealRound: round,
      beaconPublicKeyHex: STATE.beacon.publicKeyHex,
    });

  it("passes when the chain would take it", () => {
    expect(preflightCommit(metagraph(), STATE, commit()).problems).toEqual([]);
  });

  it.each([
    ["CommittingWeightsTooFast", metagraph(950), STATE, commit()],
    ["NeuronNoValidatorPermit", metagraph(0, false), STATE, commit()],
    ["IncorrectCommitRevealVersion", metagraph(), { ...STATE, version: 3 }, commit()],
    ["TooManyUnrevealedCommits", metagraph(), { ...STATE, unrevealedCommits: 10 }, commit()],
    ["InvalidRevealRound", metagraph(), STATE, commit(499)],
    [
      "CommitTooLarge",
      metagraph(),
      STATE,
      commit(
        1000,
        Array.from({ length: 1200 }, (_, i) => i),
      ),
    ],
  ])("refuses %s", (code, graph, state, c) => {
    const check = preflightCommit(graph, state, c);
    expect(check.ok).toBe(false);
    expect(check.problems.map((p) => p.code)).toContain(code);
    if (code === "CommittingWeightsTooFast") expect(check.rateLimitFreesAt).toBe(1050);
  });
});

describe("assessing a reveal", () => {
  const secret = 5n;
  const built = buildTimelockedCommit({
    hotkey: ALICE,
    emit: { uids: [1, 2], weights: [65535, 100] },
    versionKey: 7,
    revealRound: 777,
    beaconPublicKeyHex: beaconPublicKey(secret),
  });
  const record: WeightCommitRecord = {
    id: 1,
    stepId: 1,
    createdAt: "",
    netuid: 11,
    hotkey: ALICE,
    uid: 0,
    versionKey: 7,
    commitVersion: 4,
    revealRound: 777,
    commitEpoch: 2,
    revealEpoch: 3,
    firstRevealBlock: 1071,
    lastRevealBlock: 1431,
    mode: "timelock",
    payloadHex: built.payloadHex,
    commitHex: built.ciphertextHex,
    beaconKeyHex: built.beaconPublicKeyHex,
    salt: null,
    revealTxHash: null,
    txHash: "0x1",
    txBlock: 1001,
    status: "committed",
    revealBlock: null,
    reason: null,
    selfCheck: null,
    checkedBlock: null,
    updatedAt: "",
  };
  const pulse = Buffer.from(signRound(777, secret)).toString("hex");
  const facts = (over: Partial<Parameters<typeof assessReveal>[1]>) => ({
    block: { number: 1080, hash: "0x" },
    pending: false,
    pulseSignature: pulse,
    weights: [] as [number, number][],
    revealedInBlock: null,
    ...over,
  });

  it.each([
    [
      "before the reveal epoch",
      facts({ block: { number: 1050, hash: "0x" }, pending: true, pulseSignature: null }),
      "committed",
      /waiting for the reveal epoch/,
    ],
    [
      "pending without a pulse",
      facts({ pending: true, pulseSignature: null }),
      "committed",
      /waiting for drand round 777/,
    ],
    [
      "the event and the row",
      facts({
        revealedInBlock: 1074,
        weights: [
          [2, 100],
          [1, 65535],
        ],
      }),
      "revealed",
      null,
    ],
    [
      "the row only",
      facts({
        weights: [
          [1, 65535],
          [2, 100],
        ],
      }),
      "revealed",
      /event not in the blocks read/,
    ],
    ["gone, no pulse", facts({ pulseSignature: null }), "reveal_failed", /did not reach the chain/],
    ["gone with a pulse that opens it", facts({}), "reveal_failed", /refused the weights at reveal/],
    [
      "gone with a wrong pulse",
      facts({ pulseSignature: Buffer.from(signRound(778, secret)).toString("hex") }),
      "reveal_failed",
      /does not open this commit/,
    ],
    [
      "pending past the window",
      facts({ block: { number: 1500, hash: "0x" }, pending: true }),
      "reveal_failed",
      /not revealed by the end of epoch 3/,
    ],
  ])("%s", (_name, f, status, reason) => {
    const update = assessReveal(record, f);
    expect(update.status).toBe(status);
    if (reason) expect(update.reason).toMatch(reason);
    else expect(update.reason).toBeNull();
  });

  it("decrypts our own commit once the pulse is on chain", () => {
    expect(assessReveal(record, facts({ pending: true })).selfCheck).toBe("ok");
    expect(assessReveal(record, facts({ pending: true, pulseSignature: null })).selfCheck).toBeNull();
  });
});
