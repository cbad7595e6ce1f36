/**
 * What commit-reveal costs a validator, measured side by side in one run: the time to build a 256-uid
 * drand-timelocked commit (SCALE payload + tle encryption) against the rest of a step, and a live step on
 * a commit-reveal subnet against the same step on a plain set_weights subnet (wall time and RPC requests,
 * by method). Steps alternate between the two devnets so the machine's noise hits both alike.
 */

import { SubtensorClient } from "../src/chain/client.js";
import { buildTimelockedCommit } from "../src/chain/commit-weights.js";
import { QUICKNET } from "../src/chain/timelock.js";
import { createLogger } from "../src/log.js";
import { findProfile } from "../src/scoring/profile.js";
import { Store } from "../src/store/store.js";
import { runStep } from "../src/validator/step.js";
import { tempDir } from "../test/support/cli.js";
import { startSubnet } from "../test/support/devnet/fixture.js";
import { commitScoredModel, liveStepDeps } from "../test/support/scored-models.js";

const UIDS = 256;
const ROUNDS = 7;
const silent = createLogger({ write: () => true }, "silent");
const profile = findProfile("dippy-2025-03")!;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function subnet(commitReveal: boolean) {
  // tempo 3600: every step of the run stays inside one epoch, clear of its boundary.
  const { devnet, keys } = await startSubnet({
    uids: UIDS,
    firstBlockNumber: 5_000_000,
    hyper: { weightsRateLimit: 0, commitRevealEnabled: commitReveal, tempo: 3600 },
  });
  const client = await SubtensorClient.connect({ endpoints: [devnet.url], logger: silent });
  const store = Store.open(tempDir("sn11-bench-cr-"));
  for (const neuron of (await client.metagraph(11)).neurons.slice(1)) {
    const model = { namespace: "bench", name: `model-${neuron.uid}`, hotkey: neuron.hotkey };
    const score = ((neuron.uid * 7919) % 1000) / 1000;
    commitScoredModel(devnet, store, profile, { ...model, block: 4_990_000 + neuron.uid, score });
  }
  devnet.produceBlock();
  const step = async () => {
    // One earlier commit awaiting its reveal, as in a daemon that commits once per window.
    const pending = store.weightCommits.pending(11);
    for (const c of pending.slice(0, -1))
      store.weightCommits.update(c.id, { status: "revealed", checkedBlock: 0 });
    devnet.resetStats();
    const t0 = performance.now();
    const result = await runStep(
      liveStepDeps({ client, store, profile, signer: keys.validator, logger: silent }),
    );
    const ms = performance.now() - t0;
    if (result.outcome !== (commitReveal ? "committed" : "sent"))
      throw new Error(`${result.outcome}: ${result.reason}`);
    return { ms, requests: devnet.requestCount, methods: Object.fromEntries(devnet.stats.requests), result };
  };
  return { devnet, client, store, keys, step };
}

const plain = await subnet(false);
const cr = await subnet(true);
const plainRuns: Awaited<ReturnType<typeof plain.step>>[] = [];
const crRuns: Awaited<ReturnType<typeof cr.step>>[] = [];
for (let i = 0; i < ROUNDS; i++) {
  if (i % 2 === 0) {
    plainRuns.push(await plain.step());
    crRuns.push(await cr.step());
  } else {
    crRuns.push(await cr.step());
    plainRuns.push(await plain.step());
  }
}

// The commit alone, for a full subnet: every one of the 256 uids with a weight.
const emit = {
  uids: Array.from({ length: UIDS }, (_, uid) => uid),
  weights: Array.from({ length: UIDS }, (_, uid) => 1 + ((uid * 7919) % 65535)),
};
const encryptMs: number[] = [];
for (let i = 0; i < 20; i++) {
  const t0 = performance.now();
  const commit = buildTimelockedCommit({
    hotkey: cr.keys.validator.address,
    emit,
    versionKey: 7,
    revealRound: 20_000_000 + i,
    beaconPublicKeyHex: QUICKNET.publicKeyHex,
  });
  encryptMs.push(performance.now() - t0);
  if (i === 0)
    console.log(
      `commit of ${emit.uids.length} uids: payload ${(commit.payloadHex.length - 2) / 2} bytes, ciphertext ${commit.ciphertext.length} bytes`,
    );
}

const p = median(plainRuns.map((r) => r.ms));
const c = median(crRuns.map((r) => r.ms));
const e = median(encryptMs);
console.log(
  `build + encrypt one commit: median ${e.toFixed(1)} ms (min ${Math.min(...encryptMs).toFixed(1)}, max ${Math.max(...encryptMs).toFixed(1)}, 20 runs)`,
);
console.log(`live step, ${UIDS} uids, median of ${ROUNDS} alternating runs:`);
console.log(`  set_weights subnet    ${p.toFixed(1).padStart(7)} ms  ${plainRuns.at(-1)?.requests} requests`);
console.log(`  commit-reveal subnet  ${c.toFixed(1).padStart(7)} ms  ${crRuns.at(-1)?.requests} requests`);
console.log(
  `  ratio commit-reveal / set_weights: ${(c / p).toFixed(2)}; encryption is ${((e / c) * 100).toFixed(0)} % of the commit-reveal step`,
);
const added = Object.fromEntries(
  Object.entries(crRuns.at(-1)?.methods ?? {})
    .map(([m, n]) => [m, n - (plainRuns.at(-1)?.methods?.[m] ?? 0)])
    .filter(([, n]) => n !== 0),
);
console.log(`  requests a commit-reveal step adds, by method: ${JSON.stringify(added)}`);
console.log(`  set_weights step by method: ${JSON.stringify(plainRuns.at(-1)?.methods)}`);
console.log(`  commit-reveal step by method: ${JSON.stringify(crRuns.at(-1)?.methods)}`);
for (const s of [plain, cr]) {
  s.store.close();
  await s.client.close();
  await s.devnet.stop();
}
