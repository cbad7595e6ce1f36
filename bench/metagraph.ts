/**
 * RPC round trips and bytes of `sn11 metagraph` against the devnet, at 256 and 1024 uids, measured in one
 * run: the whole command cold (a new data dir: the runtime metadata is downloaded and cached) and warm
 * (the same data dir again: only what the command asks for), and the metagraph read alone.
 */

import { SubtensorClient } from "../src/chain/client.js";
import { createLogger } from "../src/log.js";
import { cleanEnv, runInProcess, tempDir } from "../test/support/cli.js";
import { startSubnet } from "../test/support/devnet/fixture.js";

const silent = createLogger({ write: () => true }, "silent");
console.log(
  "uids  command cold: requests  bytes received  |  warm: requests  bytes received  (goal: warm ≈ the read alone)  |  metagraph read alone: requests  bytes received  ms",
);
for (const uids of [256, 1024]) {
  const { devnet } = await startSubnet({ uids });
  const env = cleanEnv({ SN11_NETWORK: devnet.url, SN11_DATA_DIR: tempDir() });
  const command = async () => {
    devnet.resetStats();
    const run = await runInProcess(["metagraph", "--json"], { env });
    if (run.code !== 0) throw new Error(run.stderr);
    return { requests: devnet.requestCount, received: devnet.stats.bytesOut };
  };
  const cold = await command();
  const warm = await command();
  const client = await SubtensorClient.connect({ endpoints: [devnet.url], logger: silent });
  const head = await client.head();
  devnet.resetStats();
  const t0 = performance.now();
  const m = await client.metagraph(11, head);
  const ms = performance.now() - t0;
  if (m.neurons.length !== uids) throw new Error("incomplete metagraph");
  console.log(
    `${String(uids).padStart(4)}  ${String(cold.requests).padStart(22)}  ${String(cold.received).padStart(14)}  |  ` +
      `${String(warm.requests).padStart(14)}  ${String(warm.received).padStart(14)}${"".padEnd(44)}|  ` +
      `${String(devnet.requestCount).padStart(30)}  ${String(devnet.stats.bytesOut).padStart(14)}  ${ms.toFixed(0)}`,
  );
  await client.close();
  await devnet.stop();
}
