import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findProfile } from "../../src/scoring/profile.js";
import { replaySnapshot, replayToJson } from "../../src/scoring/replay.js";
import { parseSnapshot, type Snapshot, snapshotDigest } from "../../src/scoring/snapshot.js";
import { replayCorpus, replayDigest } from "../support/replay-corpus.js";
import { HAS_SHARED, noteMissingShared, REPO_ROOT, sharedFile } from "../support/shared.js";
import { buildSnapshot, type MinerSpec } from "../support/snapshots.js";

const seed = findProfile("dippy-2025-03")!;
const later = findProfile("dippy-2025-07")!;

noteMissingShared("the replay of ../shared/examples/snapshot-small.json");
describe.skipIf(!HAS_SHARED)("the worked example of SCORING.md", () => {
  it("reproduces snapshot-small.expected.json (weights within 1e-5, u16 within ±1)", () => {
    const input = JSON.parse(readFileSync(sharedFile("examples/snapshot-small.json"), "utf8"));
    const expected = JSON.parse(readFileSync(sharedFile("examples/snapshot-small.expected.json"), "utf8"));
    const parsed = parseSnapshot(input);
    if (!parsed.ok) throw new Error(parsed.message);
    const out = replayToJson(replaySnapshot(parsed.snapshot, seed));
    expect(out.registry.map((r) => [r.uid, r.hotkey, r.valid])).toEqual(
      expected.registry.map((r: { uid: number; hotkey: string; valid: boolean }) => [
        r.uid,
        r.hotkey,
        r.valid,
      ]),
    );
    expect(out.win_rate).toEqual(expected.win_rate);
    expect(out.weights).toHaveLength(expected.weights.length);
    out.weights.forEach((w, i) => {
      expect(Math.abs(w - expected.weights[i])).toBeLessThan(1e-5);
    });
    expect(out.emit.uids).toEqual(expected.emit.uids);
    out.emit.weights.forEach((w, i) => {
      expect(Math.abs(w - expected.emit.weights[i])).toBeLessThanOrEqual(1);
    });
  });
});

describe("replay", () => {
  it("a later submission still wins through the 3 % penalty", () => {
    const replay = replaySnapshot(
      buildSnapshot([
        { score: 0.61, block: 4_900_000 },
        { score: 0.63, block: 4_950_000 },
        { status: "FAILED" },
      ]),
      seed,
    );
    expect(replay.rows.map((r) => r.winRate)).toEqual([0.5, 1, null]);
    expect(replay.emit.uids).toEqual([0, 1]);
    expect(replay.emit.weights[1]).toBe(65535);
  });

  it("no scorable miner → all zero and a warning that nothing would be sent", () => {
    const replay = replaySnapshot(buildSnapshot([{ status: "FAILED" }, {}]), seed);
    expect(replay.weights).toEqual([0, 0]);
    expect(replay.emit).toEqual({ uids: [], weights: [] });
    expect(replay.warnings.join()).toContain("nothing would be sent");
  });

  it("warns when the chain would refuse the vector for min_allowed_weights", () => {
    const snapshot = {
      ...buildSnapshot([{ score: 0.5 }, { score: 0.4 }]),
      hyperparameters: { min_allowed_weights: 8 },
    };
    expect(replaySnapshot(snapshot, seed).warnings.join()).toContain("WeightVecLengthIsLow");
  });

  it("the digest ignores key order but not content", () => {
    const a = buildSnapshot([{ score: 0.5 }]);
    const reordered = JSON.parse(JSON.stringify({ hyperparameters: a.hyperparameters, ...a }));
    expect(snapshotDigest(reordered)).toBe(snapshotDigest(a));
    expect(snapshotDigest({ ...a, block: a.block + 1 })).not.toBe(snapshotDigest(a));
  });
});

const minerArb: fc.Arbitrary<MinerSpec> = fc.oneof(
  fc.record({
    score: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
    block: fc.integer({ min: 4_800_000, max: 5_200_000 }),
    repo: fc.constantFrom("a/x", "b/y", "c/z", undefined),
  }),
  fc.record({ status: fc.constantFrom("FAILED", "QUEUED", "RUNNING", "PRECHECK" as const) }),
  fc.constant({ noCommitment: true }),
  fc.constant({ data: "garbage" }),
  fc.record({ score: fc.double({ min: 0.01, max: 1, noNaN: true }), hashFor: fc.constant("5Nope") }),
) as fc.Arbitrary<MinerSpec>;

function permute(snapshot: Snapshot, order: number[]): Snapshot {
  return { ...snapshot, hotkeys: order.map((i) => snapshot.hotkeys[i] as string) };
}

describe("properties of the weight vector", () => {
  const profiles = fc.constantFrom(seed, later);
  const snapshots = fc.array(minerArb, { minLength: 1, maxLength: 90 }).map((m) => buildSnapshot(m));

  it("sums to 1 within 1e-6 or is all 0, has no NaN, and gives invalid uids 0", () => {
    fc.assert(
      fc.property(snapshots, profiles, (snapshot, profile) => {
        const replay = replaySnapshot(snapshot, profile);
        const sum = replay.weights.reduce((a, b) => a + b, 0);
        expect(replay.weights.every((w) => Number.isFinite(w) && w >= 0)).toBe(true);
        expect(sum === 0 || Math.abs(sum - 1) < 1e-6).toBe(true);
        for (const row of replay.rows) {
          const burn = profile.burn?.uid === row.uid;
          if (!row.valid && !burn) expect(row.weight).toBe(0);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("emits u16 values ≤ 65535 with the max at exactly 65535, uids ascending", () => {
    fc.assert(
      fc.property(snapshots, profiles, (snapshot, profile) => {
        const { emit } = replaySnapshot(snapshot, profile);
        if (emit.uids.length === 0) return;
        expect(Math.max(...emit.weights)).toBe(65535);
        expect(emit.weights.every((w) => Number.isInteger(w) && w > 0 && w <= 65535)).toBe(true);
        expect([...emit.uids].sort((a, b) => a - b)).toEqual(emit.uids);
      }),
      { numRuns: 150 },
    );
  });

  it("does not depend on uid order: permuting the metagraph permutes the result", () => {
    const small = fc.array(minerArb, { minLength: 2, maxLength: 40 }).map((m) => buildSnapshot(m));
    fc.assert(
      fc.property(
        small.chain((s) =>
          fc.tuple(
            fc.constant(s),
            fc.shuffledSubarray([...s.hotkeys.keys()], { minLength: s.hotkeys.length }),
          ),
        ),
        ([snapshot, order]) => {
          const base = replaySnapshot(snapshot, seed);
          const moved = replaySnapshot(permute(snapshot, order), seed);
          order.forEach((from, to) => {
            expect(moved.rows[to]?.valid).toBe(base.rows[from]?.valid);
            expect(moved.rows[to]?.reason).toBe(base.rows[from]?.reason);
            expect(moved.rows[to]?.winRate).toBe(base.rows[from]?.winRate);
            expect(Math.abs((moved.weights[to] as number) - (base.weights[from] as number))).toBeLessThan(
              1e-6,
            );
          });
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("the replay corpus (test/fixtures/replay-corpus.json, recorded with the pairwise win count)", () => {
  const recorded = JSON.parse(readFileSync(join(REPO_ROOT, "test/fixtures/replay-corpus.json"), "utf8")) as {
    cases: { name: string; profile: string; digest: string }[];
  };
  const corpus = replayCorpus();
  it("covers the same cases", () => {
    expect(corpus.map((c) => `${c.name} ${c.profile}`)).toEqual(
      recorded.cases.map((c) => `${c.name} ${c.profile}`),
    );
  });
  it.each(corpus.map((c, i) => [c.name, c.profile, i] as const))(
    "%s, %s: the same replay",
    (_n, profile, i) => {
      expect(replayDigest(corpus[i]?.snapshot as never, profile)).toBe(recorded.cases[i]?.digest);
    },
  );
});
