/**
 * One dashboard refresh on a validator's store of real size, side by side with the same refresh on a store
 * with no history: 256 uids (a 256-row queue), 200 finished score runs of 512 samples, 500 recorded steps
 * with their snapshots. Prints the median of paired, alternating rounds, the ratio, the share of the
 * default 2 s refresh, and the size of the bundle's Ink chunk against the whole bundle (after a build).
 *
 *   npm run bench:dashboard
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { readDashboard } from "../src/dashboard/read.js";
import { repoId } from "../src/scoring/model-id.js";
import { findProfile } from "../src/scoring/profile.js";
import { replaySnapshot } from "../src/scoring/replay.js";
import { Store } from "../src/store/store.js";
import { inStore, tempDir } from "../test/support/cli.js";
import { REPO_ROOT } from "../test/support/shared.js";
import { buildSnapshot } from "../test/support/snapshots.js";

const profile = findProfile("dippy-2025-03") ?? (undefined as never);
const ROUNDS = 31;

function fill(dataDir: string, history: boolean) {
  const snapshot = buildSnapshot(
    Array.from({ length: 256 }, (_, i) => (i % 9 === 0 ? { noCommitment: true } : { block: 5_000_000 + i })),
  );
  const wanted = replaySnapshot(snapshot, profile)
    .rows.filter((r) => r.modelId)
    .map((r) => ({
      repo: repoId(r.modelId as never),
      entryHash: r.modelId?.hash as string,
      hotkey: r.hotkey,
      uid: r.uid,
      commitBlock: r.block as number,
      chatTemplate: "chatml",
    }));
  inStore(dataDir, (store) => {
    store.db.transaction(() => {
      store.evalQueue.sync(profile.id, history ? wanted : wanted.slice(0, 3));
      for (let s = 0; s < (history ? 500 : 1); s++) {
        const id = store.validatorSteps.begin({ profile: profile.id, netuid: 11, mode: "live" });
        store.validatorSteps.finish(id, {
          outcome: "sent",
          reason: null,
          block: snapshot.block,
          snapshot,
          emitted: 200,
        });
      }
      for (let r = 0; r < (history ? 200 : 1); r++) {
        const run = store.scoreRuns.create({
          runKey: `k${r}`,
          repo: `m/r${r}`,
          revision: "abc",
          profile: profile.id,
          seed: "1",
        });
        for (let i = 0; i < 512; i++) {
          store.scoreRuns.saveGeneration(run.id, i, "x".repeat(400), 100);
          store.scoreRuns.saveVerdict(run.id, i, {
            verdict: { realism_win: "generated" },
            error: null,
            tokensIn: 900,
            tokensOut: 50,
            cached: false,
            costUsd: 0.001,
          });
        }
        store.scoreRuns.finish(run.id, "COMPLETED", { win_rate: 0.5, total_score: 0.5, tally: null });
      }
    })();
    store.validatorState.started({ pid: process.pid, network: "finney", netuid: 11, workers: 1 });
  });
}

const big = tempDir("sn11-bench-dash-");
const small = tempDir("sn11-bench-dash-");
fill(big, true);
fill(small, false);
const stores = { big: Store.openReadOnly(big), small: Store.openReadOnly(small) };
const times = { big: [] as number[], small: [] as number[] };
for (let round = 0; round <= ROUNDS; round++) {
  for (const which of round % 2 ? (["big", "small"] as const) : (["small", "big"] as const)) {
    const t0 = performance.now();
    readDashboard(stores[which], {
      profile,
      netuid: 11,
      network: "finney",
      dataDir: which === "big" ? big : small,
      view: "validator",
      hotkey: null,
      base: { kind: "step" },
      chainError: null,
      now: new Date(),
    });
    if (round > 0) times[which].push(performance.now() - t0);
  }
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1] as number;
const chunks = join(REPO_ROOT, "dist/bundle/chunks");
let bundle: { ink_chunk_kib: number; bundle_kib: number } | null = null;
try {
  const files = readdirSync(chunks).map((f) => ({ f, size: statSync(join(chunks, f)).size }));
  const ink = files.filter((x) => x.f.startsWith("run-")).reduce((s, x) => s + x.size, 0);
  const total =
    files.reduce((s, x) => s + x.size, 0) + statSync(join(REPO_ROOT, "dist/bundle/sn11.mjs")).size;
  bundle = { ink_chunk_kib: Math.round(ink / 1024), bundle_kib: Math.round(total / 1024) };
} catch {
  bundle = null;
}
console.log(
  JSON.stringify(
    {
      rounds: ROUNDS,
      store_mib: Math.round(statSync(join(big, "sn11.db")).size / 1048576),
      refresh_ms: { full_store: round2(median(times.big)), empty_history: round2(median(times.small)) },
      ratio_full_to_empty: round2(median(times.big) / median(times.small)),
      percent_of_2s_refresh: round2((median(times.big) / 2000) * 100),
      bundle: bundle ?? "run `node build.mjs --bundle` first",
    },
    null,
    2,
  ),
);

function round2(x: number) {
  return Math.round(x * 100) / 100;
}
