/**
 * Requests per second of `sn11 serve`'s `GET /model_submission_details` (a store lookup per request, 256
 * entries) against `GET /hc` (no store), alternating rounds of 2000 requests with 16 in flight over
 * keep-alive connections, on two servers side by side: one over the data dir's SQLite store, one over a
 * shared PostgreSQL (`--store`, started here on loopback). Each server runs in its own process, as
 * `sn11 serve` does.
 */

import { Agent, request } from "node:http";
import { createLogger } from "../src/log.js";
import { entryHash } from "../src/scoring/model-id.js";
import { DEFAULT_PROFILE_ID } from "../src/scoring/profile.js";
import { openPostgresStore } from "../src/store/shared/postgres.js";
import type { SharedStore } from "../src/store/shared/shared-store.js";
import { sqliteSharedStore } from "../src/store/shared/sqlite.js";
import { Store } from "../src/store/store.js";
import { cleanEnv, spawnSn11, tempDir } from "../test/support/cli.js";
import { startPostgres } from "../test/support/postgres.js";
import { hotkey } from "../test/support/snapshots.js";

const ENTRIES = 256;
const PER_ROUND = 2000;
const IN_FLIGHT = 16;
const ROUNDS = 5;

async function seed(shared: SharedStore): Promise<void> {
  for (let uid = 0; uid < ENTRIES; uid++) {
    await shared.putEvaluation({
      repo: `miner${uid}/model`,
      entryHash: entryHash(`miner${uid}`, "model", "chatml", hotkey(uid)),
      profile: DEFAULT_PROFILE_ID,
      status: "COMPLETED",
      totalScore: uid / ENTRIES,
      revision: null,
      reason: null,
    });
  }
}

const sqliteDir = tempDir("sn11-bench-serve-");
const local = Store.open(sqliteDir);
await seed(sqliteSharedStore(local));
local.close();
const postgres = await startPostgres();
const url = await postgres.database();
const pgStore = await openPostgresStore(url, { logger: createLogger({ write: () => true }, "silent") });
await seed(pgStore);
await pgStore.close();

async function serve(env: Record<string, string>) {
  const server = spawnSn11(["serve", "--port", "0"], cleanEnv(env));
  let base = "";
  while (!base) {
    if (server.child.exitCode !== null) throw new Error(server.output.stderr);
    base = /listening on (http:\/\/\S+)/.exec(server.output.stderr)?.[1] ?? "";
    await new Promise((r) => setTimeout(r, 50));
  }
  return { server, base, agent: new Agent({ keepAlive: true, maxSockets: IN_FLIGHT }) };
}
const onSqlite = await serve({ SN11_DATA_DIR: sqliteDir });
const onPostgres = await serve({ SN11_DATA_DIR: tempDir("sn11-bench-serve-pg-"), SN11_STORE: url });

function get(target: typeof onSqlite, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${target.base}${path}`, { agent: target.agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

async function round(target: typeof onSqlite, path: (i: number) => string): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < PER_ROUND) {
        const status = await get(target, path(next++));
        if (status !== 200) throw new Error(`HTTP ${status}`);
      }
    }),
  );
  return PER_ROUND / ((performance.now() - t0) / 1000);
}

const details = (i: number) => {
  const uid = i % ENTRIES;
  const q = new URLSearchParams({
    repo_namespace: `miner${uid}`,
    repo_name: "model",
    chat_template_type: "chatml",
    hash: entryHash(`miner${uid}`, "model", "chatml", hotkey(uid)),
    hotkey: hotkey(uid),
  });
  return `/model_submission_details?${q}`;
};

// Warm-up: connections, the JIT, PostgreSQL's pool.
await round(onSqlite, () => "/hc");
await round(onPostgres, details);
const rps = { sqlite: [] as number[], postgres: [] as number[], hc: [] as number[] };
for (let r = 0; r < ROUNDS; r++) {
  rps.sqlite.push(await round(onSqlite, details));
  rps.postgres.push(await round(onPostgres, details));
  rps.hc.push(await round(onSqlite, () => "/hc"));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
const line = (name: string, xs: number[]) =>
  `${name.padEnd(46)} ${median(xs).toFixed(0).padStart(5)} req/s (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
console.log(
  `sn11 serve, ${ENTRIES} entries, ${IN_FLIGHT} in flight, ${ROUNDS} alternating rounds of ${PER_ROUND}`,
);
console.log(line("GET /model_submission_details (SQLite)", rps.sqlite));
console.log(line("GET /model_submission_details (PostgreSQL)", rps.postgres));
console.log(line("GET /hc", rps.hc));
console.log(
  `ratio details / hc: SQLite ${(median(rps.sqlite) / median(rps.hc)).toFixed(2)}, PostgreSQL ${(median(rps.postgres) / median(rps.hc)).toFixed(2)}`,
);
for (const target of [onSqlite, onPostgres]) {
  target.agent.destroy();
  target.server.child.kill("SIGTERM");
  await target.server.exited;
}
await postgres.stop();
