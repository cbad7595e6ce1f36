import { describe, expect, it } from "vitest";
import { jsonPath, parseSnapshot } from "../../src/scoring/snapshot.js";
import { buildSnapshot } from "../support/snapshots.js";

const good = () => JSON.parse(JSON.stringify(buildSnapshot([{ score: 0.5 }, { score: 0.4 }])));

describe("parseSnapshot names the JSON path of the first problem", () => {
  type Json = Record<string, unknown> & {
    commitments: Record<string, unknown>[];
    evaluations: Record<string, unknown>[];
  };
  const set =
    (list: "commitments" | "evaluations", index: number, key: string, value: unknown) => (s: Json) => {
      (s[list][index] as Record<string, unknown>)[key] = value;
      return s;
    };
  const repeat = (list: "commitments" | "evaluations") => (s: Json) => {
    s[list].push({ ...s[list][0] });
    return s;
  };
  it.each<[string, (s: Json) => unknown, string]>([
    ["missing block", (s) => ({ ...s, block: undefined }), "$.block"],
    ["negative block", (s) => ({ ...s, block: -1 }), "$.block"],
    ["hotkeys not an array", (s) => ({ ...s, hotkeys: "x" }), "$.hotkeys"],
    ["empty hotkey", (s) => ({ ...s, hotkeys: ["a", ""] }), "$.hotkeys[1]"],
    ["commitment block as a string", set("commitments", 1, "block", "5000000"), "$.commitments[1].block"],
    ["commitment data a number", set("commitments", 0, "data", 7), "$.commitments[0].data"],
    ["unknown status", set("evaluations", 0, "status", "DONE"), "$.evaluations[0].status"],
    ["score a string", set("evaluations", 1, "total_score", "0.5"), "$.evaluations[1].total_score"],
    ["two commitments for one hotkey", repeat("commitments"), "$.commitments[2].hotkey"],
    ["two evaluations for one model", repeat("evaluations"), "$.evaluations[2]"],
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
