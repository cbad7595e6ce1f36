import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoId } from "../../src/scoring/model-id.js";
import { DEFAULT_PROFILE_ID, findProfile } from "../../src/scoring/profile.js";
import { replaySnapshot } from "../../src/scoring/replay.js";
import { parseSnapshot, type Snapshot } from "../../src/scoring/snapshot.js";
import { inStore, tempDir } from "./cli.js";
import { REPO_ROOT } from "./shared.js";

/** The demo step of examples/demo-step.json, parsed. */
export function demoSnapshot(): Snapshot {
  const parsed = parseSnapshot(JSON.parse(readFileSync(join(REPO_ROOT, "examples/demo-step.json"), "utf8")));
  if (!parsed.ok) throw new Error(`examples/demo-step.json: ${parsed.message}`);
  return parsed.snapshot;
}

/** The moment the fixed-size renders describe; a store for a real `sn11 dashboard` uses the clock's now. */
export const DASHBOARD_NOW = new Date("2026-12-02T12:00:00.000Z");

/**
 * A data dir as a validator leaves it mid-evaluation: the demo step sent, its evaluations, a queue with a
 * running job (judge 312/512), a queued and an erroring one, three finished jobs (an ETA), a finished local
 * score run with a tally, and the daemon's heartbeat (this process, `alive` at `now`). Its times are relative to
 * `now`: a child `sn11 dashboard` reads the real clock, so a fixed moment would turn the daemon stale once passed.
 */
export function dashboardStore(o: { daemonPid?: number; now?: Date } = {}): string {
  const now = o.now ?? new Date();
  const dataDir = tempDir("sn11-dash-");
  const snapshot = demoSnapshot();
  const profile = findProfile(DEFAULT_PROFILE_ID) ?? (undefined as never);
  const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000);
  const replay = replaySnapshot(snapshot, profile);
  const entry = (prefix: string) => {
    const row = replay.rows.find((r) => r.hotkey.startsWith(prefix));
    if (!row?.modelId) throw new Error(`no demo entry ${prefix}`);
    return {
      repo: repoId(row.modelId),
      entryHash: row.modelId.hash as string,
      hotkey: row.hotkey,
      uid: row.uid,
      commitBlock: row.block as number,
      chatTemplate: row.modelId.chatTemplate,
    };
  };
  inStore(dataDir, (store) => {
    for (const e of snapshot.evaluations) {
      store.evaluations.upsert(
        {
          repo: e.repo,
          entryHash: e.hash,
          profile: profile.id,
          status: e.status,
          totalScore: e.total_score,
          revision: null,
          reason: null,
        },
        at(300),
      );
    }
    const finished = ["5Eg2aL", "5FMT7t", "5F2nKb"].map(entry).sort((a, b) => a.commitBlock - b.commitBlock);
    const salt = entry("5Hc4dB");
    store.evalQueue.sync(profile.id, [...finished, salt], at(400));
    for (const [i, f] of finished.entries()) {
      const job = store.evalQueue.claim(profile.id, at(240 - i * 60));
      if (!job || job.repo !== f.repo) throw new Error("claim order");
      store.evalQueue.finish(
        job.id,
        { status: "COMPLETED", totalScore: 0.7, revision: "abc", reason: null },
        at(200 - i * 60),
      );
    }
    const running = store.evalQueue.claim(profile.id, at(10));
    if (!running) throw new Error("no job to run");
    store.jobProgress.put(running.id, { stage: "judge", done: 312, total: 512 }, at(0));
    store.evalQueue.sync(
      profile.id,
      [
        ...finished,
        salt,
        { ...salt, repo: "flaky/hub-7b", entryHash: "1", uid: 77, commitBlock: 5090000 },
        { ...salt, repo: "later/model-9b", entryHash: "2", uid: 78, commitBlock: 5095000 },
      ],
      at(5),
    );
    const flaky = store.evalQueue.claim(profile.id, at(4));
    if (flaky)
      store.evalQueue.error(
        flaky.id,
        "the Hub answered HTTP 503",
        new Date(now.getTime() + 15 * 60_000),
        at(3),
      );
    const step = store.validatorSteps.begin({ profile: profile.id, netuid: 11, mode: "live" }, at(20));
    store.validatorSteps.finish(
      step,
      {
        outcome: "sent",
        reason: null,
        block: snapshot.block,
        blockHash: "0x01",
        snapshot,
        emitted: 9,
        txHash: "0xab12cd34ef",
        txBlock: snapshot.block + 2,
        agreement: { chain: 0.874, computed: 0.912 },
      },
      at(19),
    );
    const refused = store.validatorSteps.begin({ profile: profile.id, netuid: 11, mode: "live" }, at(2));
    store.validatorSteps.finish(
      refused,
      { outcome: "not_sent", reason: "rate limit frees at block 5100100" },
      at(1),
    );
    const run = store.scoreRuns.create(
      { runKey: "k1", repo: "quill/storyweaver-20b", revision: "abc1234def", profile: profile.id, seed: "1" },
      at(60),
    );
    store.scoreRuns.saveGeneration(run.id, 0, "*pours an ale* The road north is closed, traveller.", 12);
    store.scoreRuns.saveVerdict(run.id, 0, {
      verdict: { realism: "generated", entertainment: "tie", coherency: "original" },
      error: null,
      tokensIn: 900,
      tokensOut: 40,
      cached: false,
      costUsd: 0.0012,
    });
    store.scoreRuns.finish(
      run.id,
      "COMPLETED",
      {
        win_rate: 0.6123,
        total_score: 0.6123,
        tally: {
          realism: { original: 2, generated: 7, tie: 1 },
          entertainment: { original: 1, generated: 8, tie: 1 },
          coherency: { original: 3, generated: 6, tie: 1 },
        },
      },
      at(30),
    );
    store.validatorState.started(
      { pid: o.daemonPid ?? process.pid, network: "finney", netuid: 11, workers: 1 },
      at(120),
    );
    store.validatorState.beat(new Date(now.getTime() + 461_000), at(0.03));
  });
  return dataDir;
}
