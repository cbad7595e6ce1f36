/**
 * One validator step against the devnet with 256 uids when no model is new (every commitment already
 * scored in the store): wall time, RPC requests and bytes of the step alone (dry run and live, the live
 * one sending and confirming set_weights), and of the whole `sn11 validate --once --dry-run` command.
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { SubtensorClient } from "../src/chain/client.js";
import { createLogger } from "../src/log.js";
import { findProfile } from "../src/scoring/profile.js";
import { Store } from "../src/store/store.js";
import { runStep, type StepMode } from "../src/validator/step.js";
import { cleanEnv, runInProcess, tempDir } from "../test/support/cli.js";
import { startSubnet } from "../test/support/devnet/fixture.js";
import { LEANING_JUDGE, startLocalJudge } from "../test/support/engines/llama.js";
import { commitScoredModel, liveStepDeps } from "../test/support/scored-models.js";

const UIDS = 256;
const ROUNDS = 5;
const silent = createLogger({ write: () => true }, "silent");
const profile = findProfile("dippy-2025-03")!;
const { devnet, keys } = await startSubnet({
  uids: UIDS,
  firstBlockNumber: 5_000_000,
  hyper: { weightsRateLimit: 0 },
});
const dataDir = tempDir("sn11-bench-step-");
const client = await SubtensorClient.connect({ endpoints: [devnet.url], logger: silent });
const store = Store.open(dataDir);
const metagraph = await client.metagraph(11);
for (const neuron of metagraph.neurons.slice(1)) {
  const model = { namespace: "bench", name: `model-${neuron.uid}`, hotkey: neuron.hotkey };
  const score = ((neuron.uid * 7919) % 1000) / 1000;
  commitScoredModel(devnet, store, profile, { ...model, block: 4_990_000 + neuron.uid, score });
}
devnet.produceBlock();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
async function measure(mode: StepMode, watchConsensus = false) {
  const ms: number[] = [];
  let requests = 0;
  let bytesIn = 0;
  let bytesOut = 0;
  for (let i = 0; i < ROUNDS; i++) {
    devnet.resetStats();
    const t0 = performance.now();
    const result = await runStep({
      ...liveStepDeps({ client, store, profile, signer: keys.validator, logger: silent }),
      mode,
      ...(watchConsensus ? { consensus: { hotkey: keys.validator.address, warnBelow: 0 } } : {}),
    });
    ms.push(performance.now() - t0);
    if (result.outcome !== (mode === "live" ? "sent" : "dry_run"))
      throw new Error(`${result.outcome}: ${result.reason}`);
    requests = devnet.requestCount;
    bytesIn = devnet.stats.bytesIn;
    bytesOut = devnet.stats.bytesOut;
  }
  return { ms: median(ms), requests, bytesIn, bytesOut, methods: Object.fromEntries(devnet.stats.requests) };
}

const dry = await measure("dry-run");
const live = await measure("live");
const watched = await measure("live", true);
// The command's preflight makes one judge call: a real one, to the local llama-server judge.
const judge = await startLocalJudge({ model: LEANING_JUDGE });
devnet.resetStats();
const t0 = performance.now();
const dataset = join(dataDir, "chats.jsonl");
writeFileSync(
  dataset,
  `${JSON.stringify({ system_prompt: "s", messages: [{ role: "user", content: "hi" }] })}\n`,
);
const command = await runInProcess(
  [
    "validate",
    "--once",
    "--dry-run",
    "--json",
    "--engine",
    "embedded",
    "--judge-url",
    judge.url,
    "--dataset",
    dataset,
  ],
  {
    env: cleanEnv({ SN11_NETWORK: devnet.url, SN11_DATA_DIR: dataDir }),
  },
);
const commandMs = performance.now() - t0;
await judge.stop();
if (command.code !== 0) throw new Error(command.stderr);

console.log(`one validator step, ${UIDS} uids, ${UIDS - 1} commitments all scored (median of ${ROUNDS})`);
console.log("                         wall ms  requests  bytes sent/received");
console.log(
  `step, dry run           ${dry.ms.toFixed(1).padStart(8)}  ${String(dry.requests).padStart(8)}  ${dry.bytesIn}/${dry.bytesOut}`,
);
console.log(
  `step, live (set_weights) ${live.ms.toFixed(1).padStart(7)}  ${String(live.requests).padStart(8)}  ${live.bytesIn}/${live.bytesOut}`,
);
console.log(
  `step, live + consensus  ${watched.ms.toFixed(1).padStart(8)}  ${String(watched.requests).padStart(8)}  ${watched.bytesIn}/${watched.bytesOut}  (×${(watched.ms / live.ms).toFixed(2)} of live)`,
);
console.log(
  `sn11 validate --once --dry-run (connect, sync, step) ${commandMs.toFixed(0)} ms, ${devnet.requestCount} requests`,
);
console.log(`requests of a dry-run step by method: ${JSON.stringify(dry.methods)}`);
console.log(`requests of a live step by method: ${JSON.stringify(live.methods)}`);
console.log(`requests of a live step with consensus by method: ${JSON.stringify(watched.methods)}`);
store.close();
await client.close();
await devnet.stop();
