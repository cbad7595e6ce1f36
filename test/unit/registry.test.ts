import { describe, expect, it } from "vitest";
import { findProfile } from "../../src/scoring/profile.js";
import { replaySnapshot } from "../../src/scoring/replay.js";
import { buildSnapshot, hotkey, type MinerSpec } from "../support/snapshots.js";

const seed = findProfile("dippy-2025-03")!;
const later = findProfile("dippy-2025-07")!;

function verdicts(miners: MinerSpec[], block?: number, profile = seed) {
  return replaySnapshot(buildSnapshot(miners, block), profile).rows.map((r) => [r.valid, r.reason]);
}

describe("registry rules, in the reference's order", () => {
  it.each<[string, MinerSpec, [boolean, string | null]]>([
    ["a scored model is valid", { score: 0.5 }, [true, null]],
    ["no commitment", { noCommitment: true }, [false, "no_commitment"]],
    ["garbage commitment", { data: "hello" }, [false, "malformed_commitment"]],
    ["commitment that is not Raw bytes", { data: null }, [false, "malformed_commitment"]],
    ["chat template None", { data: "a:b:None:hk:1:d1" }, [false, "malformed_commitment"]],
    ["committed after the step block", { score: 0.5, block: 5_100_001 }, [false, "future_block"]],
    ["committed at the step block is fine", { score: 0.5, block: 5_100_000 }, [true, null]],
    ["committed before the epoch block", { score: 0.5, block: 4_853_455 }, [false, "before_epoch"]],
    ["committed at the epoch block is fine", { score: 0.5, block: 4_853_456 }, [true, null]],
    ["entry hash made for another hotkey", { score: 0.5, hashFor: "5Other" }, [false, "hash_mismatch"]],
    ["no evaluation yet → queued", {}, [false, "not_scored"]],
    ["RUNNING", { status: "RUNNING" }, [false, "not_scored"]],
    ["FAILED stays valid (total 0)", { status: "FAILED" }, [true, null]],
    ["PRECHECK stays valid (total 0)", { status: "PRECHECK" }, [true, null]],
  ])("%s", (_label, miner, expected) => {
    expect(verdicts([miner, { score: 0.1 }])[0]).toEqual(expected);
  });

  it("the future-block rule comes before the epoch rule and the hash rule", () => {
    expect(verdicts([{ block: 5_200_000, hashFor: "x" }])[0]).toEqual([false, "future_block"]);
    expect(verdicts([{ block: 1, hashFor: "x" }])[0]).toEqual([false, "before_epoch"]);
  });

  it("the epoch block follows the profile", () => {
    expect(verdicts([{ score: 0.5, block: 5_000_000 }], 6_000_000, later)[0]).toEqual([
      false,
      "before_epoch",
    ]);
    expect(verdicts([{ score: 0.5, block: 5_623_610 }], 6_000_000, later)[0]).toEqual([true, null]);
  });

  it("checks the metagraph hotkey even when the string names another one", () => {
    const snapshot = buildSnapshot([{ score: 0.5 }]);
    const c = snapshot.commitments[0]!;
    const fields = (c.data as string).split(":");
    fields[3] = "5SomebodyElse";
    const changed = { ...snapshot, commitments: [{ ...c, data: fields.join(":") }] };
    expect(replaySnapshot(changed, seed).rows[0]?.valid).toBe(true);
  });
});

describe("duplicates", () => {
  it("the later commitment of the same repo loses, even while the earlier one is still queued", () => {
    const rows = replaySnapshot(
      buildSnapshot([
        { repo: "a/m", block: 5_000_010, score: 0.9 },
        { repo: "a/m", block: 5_000_000 }, // queued, earlier
      ]),
      seed,
    ).rows;
    expect([rows[0]?.valid, rows[0]?.reason]).toEqual([false, "duplicate"]);
    expect(rows[0]?.detail).toContain("uid 1");
    expect([rows[1]?.valid, rows[1]?.reason]).toEqual([false, "not_scored"]);
  });

  it("equal blocks keep both", () => {
    const rows = replaySnapshot(
      buildSnapshot([
        { repo: "a/m", block: 5_000_000, score: 0.5 },
        { repo: "a/m", block: 5_000_000, score: 0.4 },
      ]),
      seed,
    ).rows;
    expect(rows.map((r) => r.valid)).toEqual([true, true]);
  });

  it("a copy rejected by an earlier rule does not take part", () => {
    const rows = replaySnapshot(
      buildSnapshot([
        { repo: "a/m", block: 5_000_010, score: 0.5 },
        { repo: "a/m", block: 5_000_000, hashFor: "5Thief" }, // earlier, but its hash does not match
      ]),
      seed,
    ).rows;
    expect(rows[0]?.valid).toBe(true);
  });

  it("a later duplicate that is also unscored keeps its first reason and weight 0", () => {
    const replay = replaySnapshot(
      buildSnapshot([
        { repo: "a/m", block: 5_000_000, score: 0.5 },
        { repo: "a/m", block: 5_000_010 },
      ]),
      seed,
    );
    expect(replay.rows[1]?.reason).toBe("not_scored");
    expect(replay.weights[1]).toBe(0);
  });

  it("three copies: only the earliest survives, whatever the uid order", () => {
    const miners: MinerSpec[] = [
      { repo: "a/m", block: 5_000_020, score: 0.9 },
      { repo: "a/m", block: 5_000_000, score: 0.5 },
      { repo: "a/m", block: 5_000_010, score: 0.7 },
    ];
    expect(verdicts(miners).map((v) => v[1])).toEqual(["duplicate", null, "duplicate"]);
    expect(verdicts([...miners].reverse()).map((v) => v[1])).toEqual(["duplicate", null, "duplicate"]);
  });

  it("hotkeys in the snapshot helper are distinct", () => {
    expect(hotkey(1)).not.toBe(hotkey(2));
  });
});
