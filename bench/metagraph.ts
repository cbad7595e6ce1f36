/**
 * RPC round trips and bytes of `sn11 metagraph` against the devnet, at 256 and 1024 uids, measured in one
 * run: the whole command (connect + read) and the metagraph read alone.
 */

import { SubtensorClient } from "../src/chain/client.js";
import { createLogger } from "../src/log.js";
import { cleanEnv, runInProcess, tempDir } from "../test/support/cli.js";
import { startSubnet } from "../test/support/devnet/fixture.js";

const silent = createLogger({ write: () => true }, "silent");
console.log("uids  command: requests  bytes in/out   |  metagraph read alone: requests  bytes received  ms");
for (const uids of [256, 1024]) {
  const { devnet } = await startSubnet({ uids });
  devnet.resetStats();
  const run = await runInProcess(["metagraph", "--json"], {
    env: cleanEnv({ SN11_NETWORK: devnet.url, SN11_DATA_DIR: tempDir() }),
  });
  if (run.code !== 0) throw new Error(run.stderr);
  const command = { requests: devnet.requestCount, in: devnet.stats.bytesIn, out: devnet.stats.bytesOut };
  const client = await SubtensorClient.connect({ endpoints: [devnet.url], logger: silent });
  const head = await client.head();
  devnet.resetStats();
  const t0 = performance.now();
  const m = await client.metagraph(11, head);
  const ms = performance.now() - t0;
  if (m.neurons.length !== uids) throw new Error("incomplete metagraph");
  console.log(
    `${String(uids).padStart(4)}  ${String(command.requests).padStart(17)}  ${command.in}/${command.out}`.padEnd(
      40,
    ) +
      `|  ${String(devnet.requestCount).padStart(30)}  ${String(devnet.stats.bytesOut).padStart(14)}  ${ms.toFixed(0)}`,
  );
  await client.close();
  await devnet.stop();
}
