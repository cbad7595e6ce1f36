import { describe, expect, it } from "vitest";
import { jsonPath, parseSnapshot } from "../../src/scoring/snapshot.js";
import { buildSnapshot } from "../support/snapshots.js";

const good = () => JSON.parse(JSON.stringify(buildSnapshot([{ score: 0.5 }, { score: 0.4 }])));

describe("parseSnapshot names the JSON path of the first problem", () => {
  it.each<[string, (s: Record<string, any>) => unknown, string]>([
    ["missing block", (s) => ({ ...s, block: undefined }), "$.block"],
    ["negative block", (s) => ({ ...s, block: -1 }), "$.block"],
    ["hotkeys not an array", (s) => ({ ...s, hotkeys: "x" }), "$.hotkeys"],
    ["empty hotkey", (s) => ({ ...s, hotkeys: ["a", ""] }), "$.hotkeys[1]"],
    ["commitment block as a string", (s) => ((s.commitments[1].block = "5000000"), s), "$.commitments[1].block"],
    ["commitment data a number", (s) => ((s.commitments[0].data = 7), s), "$.commitments[0].data"],
    ["unknown status", (s) => ((s.evaluations[0].status = "DONE"), s), "$.evaluations[0].status"],
    ["score a string", (s) => ((s.evaluations[1].total_score = "0.5"), s), "$.evaluations[1].total_score"],
    ["two commitments for one hotkey", (s) => (s.commitments.push({ ...s.commitments[0] }), s), "$.commitments[2].hotkey"],
    ["two evaluations for one model", (s) => (s.evaluations.push({ ...s.evaluations[0] }), s), "$.evaluations[2]"],
    ["not an object", () => [1, 2], "$"],
  ])("%s → %s", (_label, mutate, path) => {
    const result = parseSnapshot(mutate(good()));
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.path).toBe(path);
  });

  it("accepts a valid snapshot, unknown extra fields and a null commitment", () => {
    const s = good();
    s.commitments[0].data = null;
    s.note = "extra";
    expect(parseSnapshot(s).ok).toBe(true);
    delete s.hyperparameters;
    expect(parseSnapshot(s).ok).toBe(true);
  });

  it("formats paths", () => {
    expect(jsonPath([])).toBe("$");
    expect(jsonPath(["a", 0, "b"])).toBe("$.a[0].b");
  });
});
