import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { progressPrinter } from "../../src/eval/progress.js";
import { applyTones } from "../../src/render/style.js";
import { findProfile } from "../../src/scoring/profile.js";
import { snapshotRegistry } from "../../src/scoring/replay.js";
import { parseRemoteScore } from "../../src/validator/remote-scores.js";
import { type Banner, bannerLines, evaluationLine } from "../../src/validator/report.js";
import { everySeconds, nextStepAt, profileSchedule, windowOf } from "../../src/validator/schedule.js";
import { errorRetryAt, VALIDATOR_SETTINGS } from "../../src/validator/settings.js";
import { wantedEvaluations } from "../../src/validator/wanted.js";
import { buildSnapshot, type MinerSpec } from "../support/snapshots.js";

const profile = findProfile("dippy-2025-03")!;
const MIN = 60_000;
const at = (iso: string) => Date.parse(iso);

describe("the step schedule (20-minute UTC windows, minutes 0–2, once per window)", () => {
  const schedule = profileSchedule(profile);
  it.each<[string, string, string | null, string]>([
    ["inside a fresh window: now", "2026-11-25T10:01:30Z", null, "2026-11-25T10:01:30Z"],
    ["first second of a window", "2026-11-25T10:20:00Z", null, "2026-11-25T10:20:00Z"],
    ["last minute of the window (minute 2)", "2026-11-25T10:42:59Z", null, "2026-11-25T10:42:59Z"],
    ["minute 3 is outside: next window", "2026-11-25T10:43:00Z", null, "2026-11-25T11:00:00Z"],
    [
      "already stepped in this window",
      "2026-11-25T10:01:30Z",
      "2026-11-25T10:00:00Z",
      "2026-11-25T10:20:00Z",
    ],
    [
      "stepped in the previous window",
      "2026-11-25T10:21:00Z",
      "2026-11-25T10:00:00Z",
      "2026-11-25T10:21:00Z",
    ],
  ])("%s", (_label, now, last, expected) => {
    expect(nextStepAt(at(now), schedule, last === null ? null : at(last))).toBe(at(expected));
  });

  it("never steps twice in one window, and never waits more than a period (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000_000 }), (now) => {
        const first = nextStepAt(now, schedule, null);
        const again = nextStepAt(first, schedule, windowOf(first, schedule));
        expect(windowOf(again, schedule)).toBeGreaterThan(windowOf(first, schedule));
        expect(first - now).toBeLessThanOrEqual(20 * MIN);
        expect(first % (20 * MIN)).toBeLessThan(3 * MIN);
      }),
    );
  });

  it("--every N: a step every N seconds", () => {
    const s = everySeconds(30);
    expect(nextStepAt(10_000, s, null)).toBe(10_000);
    expect(nextStepAt(10_000, s, windowOf(10_000, s))).toBe(30_000);
  });
});

describe("what the queue should hold", () => {
  const wanted = (miners: MinerSpec[]) =>
    wantedEvaluations(snapshotRegistry(buildSnapshot(miners), profile)).map((w) => [w.uid, w.repo]);

  it.each<[string, MinerSpec[], [number, string][]]>([
    ["an unscored entry is wanted", [{ repo: "a/one" }], [[0, "a/one"]]],
    ["RUNNING is still wanted", [{ repo: "a/one", status: "RUNNING" }], [[0, "a/one"]]],
    ["COMPLETED is not", [{ repo: "a/one", score: 0.4 }], []],
    ["FAILED is not", [{ repo: "a/one", status: "FAILED" }], []],
    ["a bad hash is not", [{ repo: "a/one", hashFor: "5Other" }], []],
    ["a future block is not", [{ repo: "a/one", block: 5_200_000 }], []],
    ["before the epoch is not", [{ repo: "a/one", block: 4_000_000 }], []],
    ["garbage is not", [{ data: "nope" }], []],
    [
      "a later duplicate is not; oldest commit first",
      [
        { repo: "a/two", block: 5_000_010 },
        { repo: "a/one", block: 5_000_020 },
        { repo: "a/two", block: 5_000_030 },
      ],
      [
        [0, "a/two"],
        [1, "a/one"],
      ],
    ],
  ])("%s", (_label, miners, expected) => {
    expect(wanted(miners)).toEqual(expected);
  });
});

describe("remote scores, read as the reference reads them", () => {
  it.each<[string, unknown, { status: string; totalScore: number | null }]>([
    ["null → FAILED", null, { status: "FAILED", totalScore: 0 }],
    ["no status → FAILED", { score: { judge_score: 0.7 } }, { status: "FAILED", totalScore: 0 }],
    ["unknown status → FAILED", { status: "WEIRD" }, { status: "FAILED", totalScore: 0 }],
    [
      "COMPLETED → the judge score (API total_score ignored)",
      { status: "completed", score: { judge_score: 0.61, total_score: 0.9 } },
      { status: "COMPLETED", totalScore: 0.61 },
    ],
    ["COMPLETED without a score → 0", { status: "COMPLETED" }, { status: "COMPLETED", totalScore: 0 }],
    ["QUEUED", { status: "QUEUED" }, { status: "QUEUED", totalScore: 0 }],
    ["RUNNING", { status: "RUNNING" }, { status: "RUNNING", totalScore: 0 }],
    ["PRECHECK", { status: "PRECHECK" }, { status: "PRECHECK", totalScore: 0 }],
  ])("%s", (_label, body, expected) => {
    expect(parseRemoteScore(body)).toEqual(expected);
  });
});

describe("the retry backoff of infrastructure errors", () => {
  it("doubles from the first delay up to the cap", () => {
    const now = new Date(0);
    const delays = [1, 2, 3, 4, 10].map((n) => errorRetryAt(now, n).getTime());
    const base = VALIDATOR_SETTINGS.errorBackoffMs;
    expect(delays).toEqual([base, base * 2, base * 4, base * 8, VALIDATOR_SETTINGS.errorBackoffMaxMs]);
  });
});

describe("what the daemon prints", () => {
  const banner: Banner = {
    mode: "live",
    profile: "dippy-2025-03",
    network: "finney",
    netuid: 11,
    block: 5_000_123,
    chain_error: null,
    hotkey: "5Validator",
    uid: 7,
    permit: false,
    score_source: "local evaluation",
    checks: [
      "engine: vllm 0.11.0 (/usr/bin/vllm)",
      "judge: m at http://j/v1",
      "dataset: api, 2048 conversations",
    ],
    engine: { name: "vllm", version: "0.11.0" },
    gpu_groups: ["0,1", "2,3"],
    next_step_at: "2026-12-02T07:00:00.000Z",
  };
  it("a banner that says where, as whom, with what, and when", () => {
    expect(bannerLines(banner)).toEqual([
      "sn11 validate · live · profile dippy-2025-03 · netuid 11 on finney",
      "  chain: block 5000123 · hotkey 5Validator · uid 7 · NO validator permit: the chain refuses its weights until it has one",
      "  scores: local evaluation · GPU groups 0,1 : 2,3",
      "  engine: vllm 0.11.0 (/usr/bin/vllm)",
      "  judge: m at http://j/v1",
      "  dataset: api, 2048 conversations",
      "  next step: 2026-12-02T07:00:00.000Z",
    ]);
    expect(
      bannerLines({ ...banner, block: null, chain_error: "refused", hotkey: null, mode: "offline" })[1],
    ).toBe("  chain: unreachable (refused); retried every sync · no hotkey (offline)");
  });
  it("one line per evaluation with its outcome, score, reason and time", () => {
    const line = evaluationLine({
      repo: "a/b",
      hash: "h",
      uid: 3,
      outcome: "COMPLETED",
      total_score: 0.41666,
      engine: null,
      reason: null,
      seconds: 12.34,
    });
    expect(applyTones(line, false)).toBe("evaluated a/b (uid 3): COMPLETED score 0.4167 · 12.3 s");
    expect(applyTones(line, true)).toContain("\x1b[32mCOMPLETED\x1b[0m");
  });
  it("progress of a stage without a total shows its detail, and never ends the line", () => {
    const out: string[] = [];
    let t = 0;
    const print = progressPrinter("auto", { write: (s: string) => out.push(s), isTTY: true }, () => t);
    print({ stage: "engine start", done: 0, total: 0, detail: "waiting for vllm (3 s)" });
    print({ stage: "engine start", done: 0, total: 0, detail: "waiting for vllm (3 s)" });
    t = 4000;
    print({ stage: "engine start", done: 1, total: 1, detail: "ready in 4 s" });
    expect(out).toEqual([
      "\r\x1b[Kengine start: waiting for vllm (3 s)",
      "\r\x1b[Kengine start: 100% 1/1 · 0.3/s ready in 4 s\n",
    ]);
  });

  it("a counted stage: percent, bytes for a download, rate and time left; cut to the terminal; a cached download not shown", () => {
    const out: string[] = [];
    let t = 0;
    const print = progressPrinter(
      "auto",
      { write: (s: string) => out.push(s), isTTY: true, columns: 60 },
      () => t,
    );
    const MiB = 1024 * 1024;
    print({ stage: "download", done: 0, total: 100 * MiB, detail: "model-00001-of-00002.safetensors" });
    t = 2000;
    print({
      stage: "download",
      done: 20 * MiB,
      total: 100 * MiB,
      detail: "model-00001-of-00002.safetensors",
    });
    expect(out[1]).toBe("\r\x1b[Kdownload: 20% 20.0 MiB/100.0 MiB · 10.0 MiB/s · 8s left mo…");
    expect(out.every((line) => line.replace("\r\x1b[K", "").replace("\n", "").length <= 59)).toBe(true);
    const cached: string[] = [];
    progressPrinter("auto", { write: (s: string) => cached.push(s), isTTY: true })({
      stage: "download",
      done: 5,
      total: 5,
    });
    expect(cached).toEqual([]);
    const none: string[] = [];
    progressPrinter("auto", { write: (s: string) => none.push(s), isTTY: false })({
      stage: "x",
      done: 1,
      total: 2,
    });
    expect(none).toEqual([]);
  });
});
