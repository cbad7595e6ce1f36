/**
 * `sn11 consensus` against the devnet at 256 uids with 64 validators (and 1024 / 256), in one run: RPC
 * requests and bytes of its read (the metagraph plus one storage query for every validator's weights),
 * the wall time of the command, of `sn11 metagraph` beside it (the ratio is what consensus adds), and of
 * the pure Yuma computation alone.
 */

import { SubtensorClient } from "../src/chain/client.js";
import { consensusInput } from "../src/chain/consensus-read.js";
import { createLogger } from "../src/log.js";
import { yumaConsensus } from "../src/scoring/consensus.js";
import { runInProcess } from "../test/support/cli.js";
import { startSubnet } from "../test/support/devnet/fixture.js";
import { devnetWalletEnv } from "../test/support/wallet.js";

const silent = createLogger({ write: () => true }, "silent");
const RUNS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] as number;
}

console.log(
  "uids  validators  read: requests  bytes received  ms  |  consensus ms  metagraph ms  ratio  |  Yuma alone ms",
);
for (const [uids, validators] of [
  [256, 64],
  [1024, 256],
] as const) {
  const { devnet, keys } = await startSubnet({ firstBlockNumber: 5_000_000, uids });
  // uid 0 is the fixture's validator; uids 1..validators−1 get permits, stakes and rows of 64 weights.
  const subnet = devnet.subnetState(11);
  for (let uid = 1; uid < validators; uid++) {
    const neuron = subnet.neurons[uid];
    if (!neuron) throw new Error(`no uid ${uid}`);
    neuron.validatorPermit = true;
    neuron.alphaStake = BigInt(1000 + uid * 37) * 1_000_000_000n;
  }
  devnet.produceBlock();
  for (let uid = 0; uid < validators; uid++) {
    const row = Array.from(
      { length: 64 },
      (_, k) => [(uid * 7 + k * 13) % uids, 1 + (((uid + k) * 977) % 65535)] as const,
    );
    devnet.putWeights(
      11,
      uid,
      [...new Map(row)].map(([j, v]) => [j, v] as const),
    );
  }
  devnet.produceBlocks(2);
  const env = devnetWalletEnv(devnet.url, { ss58Address: keys.validator.address });
  const timed = async (args: string[]) => {
    const t0 = performance.now();
    const run = await runInProcess(args, { env });
    if (run.code !== 0) throw new Error(run.stderr);
    return { ms: performance.now() - t0, out: run.stdout };
  };
  await timed(["metagraph", "--json"]); // caches the runtime metadata for both
  const consensusMs: number[] = [];
  const metagraphMs: number[] = [];
  let read: { requests: number; bytes_received: number } = { requests: 0, bytes_received: 0 };
  const readMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const c = await timed(["consensus", "--json"]);
    consensusMs.push(c.ms);
    read = JSON.parse(c.out).read;
    readMs.push((read as unknown as { seconds: number }).seconds * 1000);
    metagraphMs.push((await timed(["metagraph", "--json"])).ms);
  }
  const client = await SubtensorClient.connect({ endpoints: [devnet.url], logger: silent });
  const metagraph = await client.metagraph(11);
  const input = consensusInput(metagraph, await client.consensusFacts(metagraph));
  const yuma: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    yumaConsensus(input);
    yuma.push(performance.now() - t0);
  }
  await client.close();
  const c = median(consensusMs);
  const m = median(metagraphMs);
  console.log(
    `${String(uids).padStart(4)}  ${String(validators).padStart(10)}  ${String(read.requests).padStart(14)}  ${String(read.bytes_received).padStart(14)}  ${median(readMs).toFixed(0).padStart(3)}  |  ` +
      `${c.toFixed(0).padStart(12)}  ${m.toFixed(0).padStart(12)}  ${(c / m).toFixed(2).padStart(5)}  |  ${median(yuma).toFixed(1).padStart(13)}`,
  );
  await devnet.stop();
}
