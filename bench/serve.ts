/**
 * Requests per second of `sn11 serve`'s `GET /model_submission_details` (a store lookup per request, 256
 * entries in the store) against `GET /hc` (no store), on the same server, alternating rounds of 2000
 * requests with 16 in flight over keep-alive connections. The server runs in its own process, as
 * `sn11 serve` does.
 */

import { Agent, request } from "node:http";
import { entryHash } from "../src/scoring/model-id.js";
import { DEFAULT_PROFILE_ID } from "../src/scoring/profile.js";
import { cleanEnv, inStore, spawnSn11, tempDir } from "../test/support/cli.js";
import { hotkey } from "../test/support/snapshots.js";

const ENTRIES = 256;
const PER_ROUND = 2000;
const IN_FLIGHT = 16;
const ROUNDS = 5;

const dataDir = tempDir("sn11-bench-serve-");
inStore(dataDir, (store) => {
  for (let uid = 0; uid < ENTRIES; uid++) {
    store.evaluations.upsert({
      repo: `miner${uid}/model`,
      entryHash: entryHash(`miner${uid}`, "model", "chatml", hotkey(uid)),
      profile: DEFAULT_PROFILE_ID,
      status: "COMPLETED",
      totalScore: uid / ENTRIES,
      revision: null,
      reason: null,
    });
  }
});
const server = spawnSn11(["serve", "--port", "0"], cleanEnv({ SN11_DATA_DIR: dataDir }));
let base = "";
while (!base) {
  base = /listening on (http:\/\/\S+)/.exec(server.output.stderr)?.[1] ?? "";
  await new Promise((r) => setTimeout(r, 50));
}
const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });

function get(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

async function round(path: (i: number) => string): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < PER_ROUND) {
        const status = await get(path(next++));
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

await round(() => "/hc"); // warm-up
const rps = { details: [] as number[], hc: [] as number[] };
for (let r = 0; r < ROUNDS; r++) {
  rps.details.push(await round(details));
  rps.hc.push(await round(() => "/hc"));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
console.log(
  `sn11 serve, ${ENTRIES} entries, ${IN_FLIGHT} in flight, ${ROUNDS} alternating rounds of ${PER_ROUND}`,
);
console.log(
  `GET /model_submission_details  ${median(rps.details).toFixed(0)} req/s (min ${Math.min(...rps.details).toFixed(0)}, max ${Math.max(...rps.details).toFixed(0)})`,
);
console.log(
  `GET /hc                        ${median(rps.hc).toFixed(0)} req/s (min ${Math.min(...rps.hc).toFixed(0)}, max ${Math.max(...rps.hc).toFixed(0)})`,
);
console.log(`ratio details / hc: ${(median(rps.details) / median(rps.hc)).toFixed(2)}`);
agent.destroy();
server.child.kill("SIGTERM");
await server.exited;
