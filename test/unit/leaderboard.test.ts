import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Neuron } from "../../src/chain/types.js";
import { buildLeaderboard, type LeaderboardInputs } from "../../src/leaderboard/build.js";
import { pruneNext } from "../../src/leaderboard/prune.js";
import { queueEta, queuePositions, recentDurations } from "../../src/leaderboard/queue.js";
import { rowState, selectRows } from "../../src/leaderboard/select.js";
import { statusCell } from "../../src/render/leaderboard.js";
import { shortDuration } from "../../src/render/table.js";
import { findProfile } from "../../src/scoring/profile.js";
import { replaySnapshot } from "../../src/scoring/replay.js";
import { parseSnapshot, type Snapshot } from "../../src/scoring/snapshot.js";
import type { Job } from "../../src/store/eval-queue.js";
import { REPO_ROOT } from "../support/shared.js";

const parsed = parseSnapshot(JSON.parse(readFileSync(join(REPO_ROOT, "examples/demo-step.json"), "utf8")));
if (!parsed.ok) throw new Error("demo snapshot does not parse");
const DEMO: Snapshot = parsed.snapshot;
const PROFILE = findProfile("dippy-2025-03") ?? (undefined as never);
const NOW = new Date("2026-12-02T12:00:00Z");
const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000).toISOString();

describe("pruneNext: the chain's get_neuron_to_prune with emission as the score", () => {
  const c = (uid: number, emission: number, registeredAt: number, immune = false, immortal = false) => ({
    uid,
    emissionRao: BigInt(emission),
    registeredAt,
    immune,
    immortal,
  });
  it.each([
    ["lowest emission among the non-immune", [c(0, 5, 1), c(1, 2, 1), c(2, 1, 1, true)], 1],
    ["a tie goes to the earliest registration", [c(0, 2, 9), c(1, 2, 3), c(2, 2, 5)], 1],
    ["then to the lowest uid", [c(4, 2, 3), c(1, 2, 3), c(2, 2, 3)], 1],
    ["every uid immune: the same rule among them", [c(0, 5, 1, true), c(1, 3, 2, true)], 1],
    ["the owner's hotkeys are never pruned", [c(0, 0, 1, false, true), c(1, 3, 2)], 1],
    ["an empty subnet has none", [], null],
  ] as const)("%s", (_name, candidates, expected) => {
    expect(pruneNext(candidates)).toBe(expected);
  });
});

function job(id: number, o: Partial<Job>): Job {
  return {
    id,
    profile: PROFILE.id,
    repo: `ns/m${id}`,
    entryHash: String(id),
    hotkey: `hk${id}`,
    uid: id,
    commitBlock: 100 + id,
    chatTemplate: "chatml",
    status: "QUEUED",
    attempts: 0,
    nextAttemptAt: null,
    lastError: null,
    revision: null,
    totalScore: null,
    startedAt: null,
    finishedAt: null,
    modelHash: null,
    leaseOwner: null,
    leaseExpiresAt: null,
    ...o,
  };
}

describe("queue order and ETA", () => {
  const jobs = [
    job(1, { status: "QUEUED", commitBlock: 300 }),
    job(2, { status: "ERROR", commitBlock: 100, nextAttemptAt: at(1) }), // due again
    job(3, { status: "ERROR", commitBlock: 50, nextAttemptAt: at(-30) }), // still backing off
    job(4, { status: "RUNNING", commitBlock: 10, startedAt: at(10) }),
    job(5, { status: "QUEUED", commitBlock: 300 }), // same block as 1: by id
    job(6, { status: "COMPLETED", startedAt: at(200), finishedAt: at(170) }),
    job(7, { status: "FAILED", startedAt: at(160), finishedAt: at(140) }),
    job(8, { status: "COMPLETED", startedAt: at(130), finishedAt: at(90) }),
  ];

  it("claim order: QUEUED and due ERROR jobs by commit block then id; none for running or backing off", () => {
    expect([...queuePositions(jobs, NOW)]).toEqual([
      [2, 1],
      [1, 2],
      [5, 3],
    ]);
  });

  it("durations of the finished jobs, newest first", () => {
    expect(recentDurations(jobs)).toEqual([2400, 1200, 1800]);
  });

  it.each([
    // median 1800 s; the running job has 1200 s left; one worker
    [1, 1, [at(10)], 1200 + 1800],
    [3, 1, [at(10)], 1200 + 2 * 1800 + 1800],
    // two workers, one busy: a free worker now
    [1, 2, [at(10)], 1800],
    [3, 2, [at(10)], 1800 + 1800],
    // a running job past the median leaves no time to wait for
    [1, 1, [at(60)], 1800],
  ])("position %i, %i workers → %i s", (position, workers, running, expected) => {
    expect(
      queueEta({ position, runningStartedAt: running, durations: [1800, 1200, 2400], workers, now: NOW }),
    ).toBe(expected);
  });

  it("no estimate from fewer than three finished evaluations", () => {
    expect(
      queueEta({ position: 1, runningStartedAt: [], durations: [60, 60], workers: 1, now: NOW }),
    ).toBeNull();
  });

  it.each([
    [45, "45s"],
    [540, "9m"],
    [7800, "2h10m"],
    [3 * 86400 + 4 * 3600, "3d4h"],
  ])("%i s reads %s", (s, text) => expect(shortDuration(s)).toBe(text));
});

function board(o: Partial<LeaderboardInputs> = {}) {
  return buildLeaderboard({
    replay: replaySnapshot(DEMO, PROFILE),
    profile: PROFILE,
    chain: null,
    store: null,
    owner: null,
    now: NOW,
    ...o,
  });
}

const uidOf = (prefix: string) => DEMO.hotkeys.findIndex((h) => h.startsWith(prefix));

describe("buildLeaderboard over the demo snapshot", () => {
  it("one row per uid; the burn uid holds the burn share; verdicts name the earlier duplicate", () => {
    const { rows } = board();
    expect(rows).toHaveLength(DEMO.hotkeys.length);
    const burn = rows[74];
    expect(burn).toMatchObject({ burn: true, weight: 0.75, u16: 65535 });
    expect(statusCell(burn as never)).toBe("burn");
    const dup = rows[uidOf("5E1Mux")];
    expect(dup?.registry.duplicateOf).toEqual({ uid: uidOf("5F2nKb"), match: "repo" });
    expect(statusCell(dup as never)).toBe(`dup of ${uidOf("5F2nKb")} (repo)`);
    expect(rowState(rows[uidOf("5Ddk9N")] as never)).toBe("invalid");
    expect(rowState(rows[uidOf("5Eg2aL")] as never)).toBe("scored");
    expect(rows.every((r) => r.chain === null && r.sentWeight === null)).toBe(true);
  });

  it("the store: queue position, ETA, attempts and errors; a copy by model hash; the weights last sent", () => {
    const replay = replaySnapshot(DEMO, PROFILE);
    const entry = (prefix: string) => {
      const r = replay.rows[uidOf(prefix)];
      return {
        repo: `${r?.modelId?.namespace}/${r?.modelId?.name}`,
        entryHash: r?.modelId?.hash as string,
        uid: r?.uid as number,
      };
    };
    const salt = entry("5Hc4dB");
    const cold = entry("5EgxFt");
    const kestrel = entry("5CfA1B");
    const quill = entry("5Eg2aL");
    const jobs = [
      job(1, { ...salt, status: "QUEUED", commitBlock: 5080313 }),
      job(2, { ...cold, status: "ERROR", attempts: 2, nextAttemptAt: at(-15), lastError: "hub 503" }),
      job(3, {
        ...kestrel,
        status: "COMPLETED",
        modelHash: "m1",
        commitBlock: 4955410,
        startedAt: at(90),
        finishedAt: at(60),
      }),
      job(4, {
        ...quill,
        status: "COMPLETED",
        modelHash: "m1",
        commitBlock: 4960002,
        startedAt: at(59),
        finishedAt: at(30),
      }),
      job(5, { repo: "x/y", entryHash: "9", status: "COMPLETED", startedAt: at(29), finishedAt: at(1) }),
    ];
    const { rows } = board({
      store: {
        evaluations: [],
        jobs,
        workers: 1,
        sent: { step: 7, block: 5099990, txHash: "0xab", weights: new Map([[74, 0.75]]) },
      },
    });
    const queued = rows[salt.uid];
    expect(queued?.evaluation.queue).toMatchObject({ state: "QUEUED", position: 1, etaSeconds: 29 * 60 });
    expect(statusCell(queued as never)).toBe("queued #1 ~29m");
    const erred = rows[cold.uid];
    expect(erred?.evaluation.queue).toMatchObject({ state: "ERROR", position: null, attempts: 2 });
    expect(statusCell(erred as never)).toMatch(/^error ↻\d\d:\d\d hub 503$/);
    expect(rows[quill.uid]?.registry.copyOf).toEqual({ uid: kestrel.uid, repo: kestrel.repo });
    expect(rowState(rows[quill.uid] as never)).toBe("duplicate");
    expect(rows[74]?.sentWeight).toBe(0.75);
    expect(rows[quill.uid]?.sentWeight).toBe(0);
  });

  it("the chain: rewards, immunity left and the uid to prune next", () => {
    const neurons: Neuron[] = DEMO.hotkeys.map((hotkey, uid) => ({
      uid,
      hotkey,
      coldkey: `ck${uid}`,
      active: true,
      validatorPermit: false,
      lastUpdate: 0,
      stakeRao: 0n,
      blockAtRegistration: uid === 5 ? DEMO.block - 10 : 1000 + uid,
      rewards: {
        incentive: uid === 12 ? 0.5 : 0,
        consensus: 0,
        dividends: 0,
        emissionRao: uid === 12 ? 361_000_000_000n : uid < 6 ? 0n : 10n,
      },
    }));
    const { rows, pruneNext: next } = board({
      chain: { head: DEMO.block, tempo: 360, immunityPeriod: 5000, neurons },
    });
    // uids 0–4 and 5 have no emission; 5 is immune; of 0–4 the earliest registered is uid 0
    expect(next).toBe(0);
    expect(rows[0]?.chain?.pruneNext).toBe(true);
    expect(rows[5]?.chain).toMatchObject({ immune: true, immunityEndsAt: DEMO.block + 4990 });
    expect(rows[12]?.chain).toMatchObject({ incentive: 0.5, emissionPerDay: 7200 });
  });
});

describe("selectRows: sort, filters, top N and pinned hotkeys", () => {
  const { rows } = board();
  it("weight first; --top cuts; a pinned hotkey outside the top is still shown with its rank", () => {
    const outsider = DEMO.hotkeys[uidOf("5Ddk9N")] as string;
    const s = selectRows(rows, { sort: "weight", top: 3, hotkeys: [outsider] });
    expect(s.top.map((t) => t.row.uid)).toEqual([74, uidOf("5Eg2aL"), uidOf("5FMT7t")]);
    expect(s.pinned).toHaveLength(1);
    expect(s.pinned[0]?.row.uid).toBe(uidOf("5Ddk9N"));
    expect(s.pinned[0]?.rank).toBeGreaterThan(3);
  });

  it("a hotkey alone selects only that row", () => {
    const s = selectRows(rows, { sort: "weight", hotkeys: [DEMO.hotkeys[3] as string] });
    expect(s.top.map((t) => t.row.uid)).toEqual([3]);
  });

  it("states and uids filter; hiding empty rows keeps the burn uid", () => {
    expect(selectRows(rows, { sort: "uid", states: ["duplicate"] }).top.map((t) => t.row.uid)).toEqual([
      uidOf("5E1Mux"),
    ]);
    expect(selectRows(rows, { sort: "uid", uids: [3, 7] }).top.map((t) => t.row.uid)).toEqual([3, 7]);
    const shown = selectRows(rows, { sort: "weight", hideEmpty: true });
    expect(shown.top.some((t) => t.row.uid === 74)).toBe(true);
    expect(shown.matched).toBe(DEMO.commitments.length + 1);
  });

  it("sort by block puts the oldest commitment first; by score the best", () => {
    const block = selectRows(rows, { sort: "block", states: ["scored"] }).top.map((t) => t.row.commitBlock);
    expect(block).toEqual([...block].sort((a, b) => (a as number) - (b as number)));
    const score = selectRows(rows, { sort: "score", states: ["scored"] }).top.map(
      (t) => t.row.evaluation.totalScore,
    );
    expect(score).toEqual([...score].sort((a, b) => (b as number) - (a as number)));
  });
});
