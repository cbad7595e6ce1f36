/**
 * Two `sn11 worker` processes against one, draining the same queue of 20 tiny evaluations from a real
 * PostgreSQL (started here): wall time from the first worker's start to the last one's exit, in
 * alternating rounds (one, two, one, two, …) so both see the same machine. Each round has a fresh
 * database and fresh data dirs (no model cache, no resumable samples carried over).
 *
 *   npm run bench:workers [-- --rounds 2 --jobs 20]
 */

import { join } from "node:path";
import { parseArgs } from "node:util";
import { createLogger } from "../src/log.js";
import { entryHash } from "../src/scoring/model-id.js";
import { openPostgresStore } from "../src/store/shared/postgres.js";
import { cleanEnv, spawnSn11, tempDir } from "../test/support/cli.js";
import { tinyGguf } from "../test/support/engines/gguf.js";
import { LEANING_JUDGE, startLocalJudge } from "../test/support/engines/llama.js";
import { modelRepoFiles } from "../test/support/hub/model-files.js";
import { LocalHub } from "../test/support/hub/server.js";
import { startPostgres } from "../test/support/postgres.js";
import { writeChats } from "../test/support/validator-net.js";

const { values } = parseArgs({
  options: { rounds: { type: "string", default: "2" }, jobs: { type: "string", default: "20" } },
});
const ROUNDS = Number(values.rounds);
const JOBS = Number(values.jobs);
const PROFILE = "dippy-2025-03";
const silent = createLogger({ write: () => true }, "silent");

const [postgres, hub, judge] = await Promise.all([
  startPostgres(),
  LocalHub.start(),
  startLocalJudge({ model: LEANING_JUDGE, parallel: 4 }),
]);
const repos = Array.from({ length: JOBS }, (_, i) => `bench/tiny-${i}`);
for (const [i, repo] of repos.entries()) {
  hub.addRepo(repo, {
    files: modelRepoFiles({ shardMiB: 21, extra: { "tiny.gguf": tinyGguf({ seed: 100 + i }) } }),
  });
}
const dataset = join(tempDir("sn11-bench-workers-"), "chats.jsonl");
writeChats(dataset, 8);

/** A fresh database holding the queue of `JOBS` entries, as a validator's sync leaves it. */
async function queuedDatabase(): Promise<string> {
  const url = await postgres.database();
  const shared = await openPostgresStore(url, { logger: silent });
  await shared.syncQueue(
    PROFILE,
    repos.map((repo, uid) => {
      const hotkey = `5Bench${uid}`;
      const [ns, name] = repo.split("/") as [string, string];
      return {
        repo,
        entryHash: entryHash(ns, name, "chatml", hotkey),
        hotkey,
        uid,
        commitBlock: 1000 + uid,
        chatTemplate: "chatml",
      };
    }),
  );
  await shared.close();
  return url;
}

async function drain(workers: number): Promise<{ seconds: number; completed: number; perWorker: number[] }> {
  const url = await queuedDatabase();
  const t0 = performance.now();
  const procs = Array.from({ length: workers }, () =>
    spawnSn11(
      [
        "worker",
        "--until-empty",
        "--json",
        "--engine",
        "embedded",
        "--threads",
        "1",
        "--context-size",
        "1024",
        "--dataset",
        dataset,
        "--samples",
        "2",
        "--max-tokens",
        "16",
        "--judge-max-reasoning",
        "8",
      ],
      cleanEnv({
        SN11_DATA_DIR: tempDir("sn11-bench-worker-"),
        SN11_STORE: url,
        // A worker never reads the chain; a test network lets the embedded engine run GGUF-only repos.
        SN11_NETWORK: "ws://127.0.0.1:9",
        HF_ENDPOINT: hub.url,
        SN11_JUDGE_URL: judge.url,
      }),
    ),
  );
  const codes = await Promise.all(procs.map((p) => p.exited));
  const seconds = (performance.now() - t0) / 1000;
  if (codes.some((c) => c !== 0)) throw new Error(procs.map((p) => p.output.stderr).join("\n"));
  const perWorker = procs.map(
    (p) => p.output.stdout.split("\n").filter((l) => l.includes('"outcome":"COMPLETED"')).length,
  );
  const completed = perWorker.reduce((a, b) => a + b, 0);
  if (completed !== JOBS) {
    const shared = await openPostgresStore(url, { logger: silent });
    const jobs = await shared.jobs(PROFILE);
    await shared.close();
    const failed = jobs
      .filter((j) => j.status !== "COMPLETED")
      .map((j) => `${j.repo} ${j.status}: ${j.lastError}`);
    throw new Error(`${workers} worker(s): ${completed} of ${JOBS} completed\n${failed.join("\n")}`);
  }
  return { seconds, completed, perWorker };
}

const one: number[] = [];
const two: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  for (const [workers, into] of [
    [1, one],
    [2, two],
  ] as const) {
    const r = await drain(workers);
    into.push(r.seconds);
    console.log(
      `round ${round}, ${workers} worker${workers === 1 ? " " : "s"}: ${r.seconds.toFixed(1)} s (jobs per worker ${r.perWorker.join(" + ")})`,
    );
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
console.log(
  `\n${JOBS} tiny evaluations (embedded llama.cpp, 1 thread each, 2 samples, local llama-server judge), median of ${ROUNDS}:`,
);
console.log(`one worker  ${median(one).toFixed(1)} s`);
console.log(`two workers ${median(two).toFixed(1)} s   ×${(median(one) / median(two)).toFixed(2)} faster`);
await judge.stop();
await hub.stop();
await postgres.stop();
