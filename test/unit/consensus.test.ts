import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { consensusInput } from "../../src/chain/consensus-read.js";
import { ChainError } from "../../src/errors.js";
import {
  agreementOf,
  type ConsensusInput,
  type ConsensusNeuron,
  weightedMedian,
  withWeights,
  yumaConsensus,
} from "../../src/scoring/consensus.js";
import {
  div32,
  fromInt32,
  maxUpscaleU16,
  mul32,
  normalizeAmountsTo32,
  ONE_32,
  round32,
  u16Proportion,
} from "../../src/scoring/fixed-point.js";
import { testMetagraph } from "../support/metagraph.js";

const HALF = ONE_32 / 2n;

/** Validators first (permit, stake), then miners without stake; every neuron registered at block 0. */
function subnet(
  validators: readonly { stake: bigint; lastUpdate?: number; permit?: boolean }[],
  miners: number,
  extra: Partial<ConsensusInput> = {},
): ConsensusInput {
  const neurons: ConsensusNeuron[] = [
    ...validators.map((v, uid) => ({
      uid,
      stakeRao: v.stake,
      validatorPermit: v.permit ?? true,
      lastUpdate: v.lastUpdate ?? 9000,
      blockAtRegistration: 0,
    })),
    ...Array.from({ length: miners }, (_, i) => ({
      uid: validators.length + i,
      stakeRao: 0n,
      validatorPermit: false,
      lastUpdate: 0,
      blockAtRegistration: 0,
    })),
  ];
  return {
    block: 10_000,
    kappa: 32767,
    activityCutoff: 5000,
    stakeThreshold: 0n,
    ownerUid: null,
    neurons,
    weights: new Map(),
    ...extra,
  };
}

const rows = (entries: Record<number, [number, number][]>) =>
  new Map(Object.entries(entries).map(([uid, row]) => [Number(uid), row]));

/** The 50/30/20 subnet's rows: uid 0 weights uid 3, uid 1 both 3 and 4, uid 2 only 4. */
const FIFTY_THIRTY_TWENTY_ROWS = rows({
  0: [[3, 65535]],
  1: [
    [3, 65535],
    [4, 65535],
  ],
  2: [[4, 65535]],
});

describe("fixed point as substrate-fixed computes it", () => {
  it.each([
    // kappa's default: floor(32767 · 2^32 / 65535)
    ["u16Proportion(32767)", () => u16Proportion(32767), 2147450879n],
    ["u16Proportion(65535)", () => u16Proportion(65535), ONE_32],
    // a product drops its low bits toward −∞, a quotient truncates
    ["0.5 × 0.5", () => mul32(HALF, HALF), ONE_32 / 4n],
    ["1 / 3", () => div32(ONE_32, fromInt32(3)), 1431655765n],
    ["x / 0 (safe_div)", () => div32(ONE_32, 0n), 0n],
    ["round(2.5)", () => round32(fromInt32(2) + HALF), fromInt32(3)],
    ["round(2.4999…)", () => round32(fromInt32(2) + HALF - 1n), fromInt32(2)],
  ])("%s", (_name, compute, expected) => {
    expect(compute()).toBe(expected);
  });

  it("normalises rao through I64F64 and truncates to I32F32", () => {
    // 0.3 · 2^32 = 1288490188.8 and 0.2 · 2^32 = 858993459.2: both truncated, the sum a bit under one.
    expect(normalizeAmountsTo32([5n, 3n, 2n])).toEqual([2147483648n, 1288490188n, 858993459n]);
    expect(normalizeAmountsTo32([0n, 0n])).toEqual([0n, 0n]);
  });

  it.each([
    // max ≤ 32768: e · 65535 / max, rounded
    [
      [1, 2, 3],
      [21845, 43690, 65535],
    ],
    // max > 32768: e · (65535 / max), rounded: 20000 · 1.638375 lands a hair under 32767.5
    [
      [40000, 20000],
      [65535, 32767],
    ],
    [
      [0, 0],
      [0, 0],
    ],
    [[], []],
  ])("max-upscales %j to %j as the chain stores it", (values, stored) => {
    expect(maxUpscaleU16(values)).toEqual(stored);
  });
});

describe("weighted_median", () => {
  it("picks the score whose stake segment holds the minority point", () => {
    // ascending: 0 (0.2), 0.5 (0.3), 1 (0.5); the point 0.5 + ε lies in the segment of 1
    const stake = [HALF, 1288490188n, 858993459n];
    const minority = stake.reduce((a, b) => a + b) - u16Proportion(32767);
    expect(weightedMedian(stake, [ONE_32, HALF, 0n], [0, 1, 2], minority, 0n, ONE_32 - 1n)).toBe(ONE_32);
    expect(weightedMedian(stake, [0n, HALF, ONE_32], [0, 1, 2], minority, 0n, ONE_32 - 1n)).toBe(HALF);
  });

  it("is 0 for no rows and the only score for one", () => {
    expect(weightedMedian([], [], [], HALF, 0n, ONE_32)).toBe(0n);
    expect(weightedMedian([ONE_32], [HALF], [0], HALF, 0n, ONE_32)).toBe(HALF);
  });
});

describe("Yuma consensus, worked by hand from run_epoch.rs", () => {
  it("two equal validators: kappa just under one half takes the higher of a tie", () => {
    const input = subnet([{ stake: 1000n }, { stake: 1000n }], 2, {
      weights: rows({
        0: [[2, 65535]],
        1: [
          [2, 65535],
          [3, 65535],
        ],
      }),
    });
    const result = yumaConsensus(input);
    // column 2: scores 1 and 0.5 at half the stake each; the minority point 0.5000076 lies in 1's segment
    expect(result.consensus).toEqual([0n, 0n, ONE_32, HALF]);
    expect(result.validatorTrust.slice(0, 2)).toEqual([ONE_32, ONE_32]);
  });

  it("50/30/20: the smallest validator loses half its weight to the clip", () => {
    const input = subnet([{ stake: 5n }, { stake: 3n }, { stake: 2n }], 2, {
      weights: FIFTY_THIRTY_TWENTY_ROWS,
    });
    const result = yumaConsensus(input);
    expect(result.consensus.slice(3)).toEqual([ONE_32, HALF]);
    expect(result.validatorTrust.slice(0, 3)).toEqual([ONE_32, ONE_32, HALF]);
    const smallest = agreementOf(result, 2);
    expect(smallest.agreement).toBe(0.5);
    expect(smallest.standing).toBe("counted");
    expect(smallest.over).toEqual([{ uid: 4, weight: 1, consensus: 0.5, gap: 0.5 }]);
    expect(smallest.under).toEqual([{ uid: 3, weight: 0, consensus: 1, gap: -1 }]);
  });

  it("an inactive validator's stake does not count, and its weights are still clipped", () => {
    const input = subnet([{ stake: 6n }, { stake: 4n, lastUpdate: 4000 }], 2, {
      weights: rows({ 0: [[2, 65535]], 1: [[3, 65535]] }),
    });
    const result = yumaConsensus(input);
    expect(result.consensus).toEqual([0n, 0n, ONE_32, 0n]);
    expect(result.activeStake[1]).toBe(0n);
    expect(agreementOf(result, 1)).toMatchObject({ standing: "inactive", agreement: 0 });
  });

  it("weights set before a uid registered are dropped, the rest renormalised", () => {
    const input = subnet([{ stake: 1n }], 2, {
      weights: rows({
        0: [
          [1, 65535],
          [2, 65535],
        ],
      }),
    });
    const neurons = input.neurons.map((n) => (n.uid === 1 ? { ...n, blockAtRegistration: 9500 } : n));
    const result = yumaConsensus({ ...input, neurons });
    expect(result.weights[0]).toEqual([[2, ONE_32]]);
    expect(result.consensus).toEqual([0n, 0n, ONE_32]);
  });

  it("a commit older than a registration drops the weight on that uid (commit-reveal)", () => {
    const input = subnet([{ stake: 1n, lastUpdate: 9600 }], 2, {
      weights: rows({
        0: [
          [1, 65535],
          [2, 65535],
        ],
      }),
      commitBlocks: new Map([[0, 9200]]),
    });
    const neurons = input.neurons.map((n) => (n.uid === 1 ? { ...n, blockAtRegistration: 9300 } : n));
    expect(yumaConsensus({ ...input, neurons }).weights[0]).toEqual([[2, ONE_32]]);
  });

  it("without a permit the row is masked and the stake does not count", () => {
    const input = subnet([{ stake: 1n }, { stake: 9n, permit: false }], 1, {
      weights: rows({ 0: [[2, 65535]], 1: [[2, 65535]] }),
    });
    const result = yumaConsensus(input);
    expect(agreementOf(result, 1)).toMatchObject({ standing: "no_permit", agreement: 0 });
    expect(result.activeStake.slice(0, 2)).toEqual([ONE_32, 0n]);
  });

  it("self-weight is dropped, except the subnet owner's", () => {
    const weights = rows({
      0: [
        [0, 65535],
        [2, 65535],
      ],
    });
    const plain = yumaConsensus(subnet([{ stake: 1n }], 2, { weights }));
    expect(plain.weights[0]).toEqual([[2, ONE_32]]);
    const owner = yumaConsensus(subnet([{ stake: 1n }], 2, { weights, ownerUid: 0 }));
    expect(owner.weights[0]).toEqual([
      [0, HALF],
      [2, HALF],
    ]);
  });

  it("stake under StakeThreshold counts as none; the owner is exempt", () => {
    const input = subnet([{ stake: 100n }, { stake: 1000n }], 2, {
      stakeThreshold: 500n,
      weights: rows({ 0: [[2, 65535]], 1: [[3, 65535]] }),
    });
    expect(agreementOf(yumaConsensus(input), 0).standing).toBe("no_stake");
    expect(yumaConsensus(input).consensus.slice(2)).toEqual([0n, ONE_32]);
    expect(agreementOf(yumaConsensus({ ...input, ownerUid: 0 }), 0).standing).toBe("counted");
  });

  it("the weights a validator would set now: its row replaced, stored max-upscaled, fresh", () => {
    const input = subnet([{ stake: 5n }, { stake: 3n }, { stake: 2n, lastUpdate: 100 }], 2, {
      weights: FIFTY_THIRTY_TWENTY_ROWS,
    });
    expect(agreementOf(yumaConsensus(input), 2).standing).toBe("inactive");
    const next = withWeights(input, 2, { uids: [3], weights: [123] });
    expect(next.weights.get(2)).toEqual([[3, 65535]]);
    expect(next.neurons[2]?.lastUpdate).toBe(10_000);
    expect(agreementOf(yumaConsensus(next), 2)).toMatchObject({ standing: "counted", agreement: 1 });
  });
});

const arbitrarySubnet = fc
  .record({
    // 1 … 10^6 TAO in rao: even the smallest stays far above 2^-32 of the total (below it, stake truncates to none)
    stakes: fc.array(fc.bigInt({ min: 10n ** 9n, max: 10n ** 15n }), { minLength: 1, maxLength: 6 }),
    miners: fc.integer({ min: 1, max: 8 }),
    kappa: fc.integer({ min: 1, max: 65535 }),
  })
  .chain(({ stakes, miners, kappa }) =>
    fc
      .array(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: stakes.length + miners - 1 }),
            fc.integer({ min: 1, max: 65535 }),
          ),
          {
            maxLength: 6,
          },
        ),
        { minLength: stakes.length, maxLength: stakes.length },
      )
      .map((rowList) => {
        const weights = new Map(
          rowList.map((row, uid) => {
            const unique = [...new Map(row).entries()];
            return [
              uid,
              maxUpscaleU16(unique.map(([, v]) => v)).map((v, i) => [unique[i]?.[0] as number, v] as const),
            ];
          }),
        );
        return subnet(
          stakes.map((stake) => ({ stake })),
          miners,
          { kappa, weights },
        );
      }),
  );

describe("Yuma consensus properties", () => {
  it("agreement is in [0, 1] for every uid", () => {
    fc.assert(
      fc.property(arbitrarySubnet, (input) => {
        const result = yumaConsensus(input);
        for (const trust of result.validatorTrust) {
          expect(trust >= 0n && trust <= ONE_32).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("one validator alone agrees fully", () => {
    fc.assert(
      fc.property(arbitrarySubnet, (input) => {
        const alone = {
          ...input,
          neurons: input.neurons.map((n) => (n.uid === 0 ? n : { ...n, validatorPermit: false })),
        };
        const result = yumaConsensus(alone);
        const rowSum = (result.weights[0] ?? []).reduce((s, [, v]) => s + v, 0n);
        expect(result.validatorTrust[0]).toBe(rowSum);
      }),
      { numRuns: 200 },
    );
  });

  it("a validator with more than kappa of the stake sets consensus; one weighting as it does agrees fully", () => {
    fc.assert(
      fc.property(arbitrarySubnet, fc.integer({ min: 1, max: 10 ** 6 }), (input, small) => {
        const total = input.neurons.reduce((s, n) => s + n.stakeRao, 0n);
        const twin = input.neurons.length;
        const neurons = [
          ...input.neurons.map((n) => (n.uid === 0 ? { ...n, stakeRao: total * 10n ** 6n } : n)),
          {
            uid: twin,
            stakeRao: BigInt(small),
            validatorPermit: true,
            lastUpdate: 9000,
            blockAtRegistration: 0,
          },
        ];
        const weights = new Map(input.weights);
        weights.set(
          twin,
          (input.weights.get(0) ?? []).filter(([j]) => j !== 0 && j !== twin),
        );
        weights.set(0, weights.get(twin) ?? []);
        // kappa up to 65000/65535: a share of 1 − 10^-6 is more than that
        const result = yumaConsensus({ ...input, kappa: Math.min(input.kappa, 65000), neurons, weights });
        for (const uid of [0, twin]) {
          const rowSum = (result.weights[uid] ?? []).reduce((s, [, v]) => s + v, 0n);
          expect(result.validatorTrust[uid]).toBe(rowSum);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("the epoch's input from the chain", () => {
  const facts = { weights: new Map(), stakeThreshold: 0n, commitBlocks: new Map() };

  it("takes kappa, activity cutoff and the owner's uid from the metagraph", () => {
    const input = consensusInput(
      { ...testMetagraph({ hyper: { kappa: 40000, activityCutoff: 900 } }), ownerHotkey: "hk2" },
      facts,
    );
    expect(input).toMatchObject({ block: 1000, kappa: 40000, activityCutoff: 900, ownerUid: 2 });
  });

  it("a metagraph that does not say kappa is a chain error, never a guess", () => {
    expect(() => consensusInput(testMetagraph({ hyper: { kappa: null } }), facts)).toThrow(ChainError);
  });
});
