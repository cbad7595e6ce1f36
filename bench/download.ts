/**
 * Download throughput from the local Hub server (its own process): sn11's downloader (4 files at once,
 * sha256-verified while streaming) next to curl fetching the same files one after another, in the same run.
 * Prints MB/s and the ratio.
 */
import { execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { ModelCache } from "../src/eval/hub/cache.js";
import { downloadSnapshot } from "../src/eval/hub/download.js";
import { HfHub } from "../src/eval/hub/hub.js";
import { createLogger } from "../src/log.js";
import { Store } from "../src/store/store.js";
import { tempDir } from "../test/support/cli.js";

const logger = createLogger({ write: () => true }, "silent");
const server = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "hub-server.ts")], {
  stdio: ["ignore", "pipe", "inherit"],
});
const { url, sha } = await new Promise<{ url: string; sha: string }>((resolve) => {
  server.stdout.once("data", (d: Buffer) => resolve(JSON.parse(d.toString())));
});
const inspection = await new HfHub({ endpoint: url }).inspect("bench/model", "main");
const bytes = inspection.files.reduce((s, f) => s + f.size, 0);
const files = inspection.files.map((f) => f.path);

const rounds = 3;
const sn11: number[] = [];
const curl: number[] = [];
for (let round = 0; round < rounds; round++) {
  const dataDir = tempDir();
  const store = Store.open(dataDir);
  const t0 = performance.now();
  await downloadSnapshot("bench/model", sha, inspection.files, {
    endpoint: url,
    cache: new ModelCache(join(dataDir, "models"), store.modelCache, null),
    logger,
  });
  sn11.push(performance.now() - t0);
  store.close();
  const out = tempDir();
  const t1 = performance.now();
  for (const path of files) {
    // Asynchronous: the local Hub server answers from this same process.
    await promisify(execFile)("curl", [
      "-s",
      "-f",
      "-o",
      join(out, path.replaceAll("/", "_")),
      `${url}/bench/model/resolve/${sha}/${path}`,
    ]);
  }
  curl.push(performance.now() - t1);
}
server.kill("SIGTERM");
const best = (xs: number[]) => Math.min(...xs);
const mbps = (ms: number) => (bytes / 1e6 / (ms / 1000)).toFixed(0);
console.log(`repo: ${(bytes / 1024 ** 2).toFixed(0)} MiB in ${files.length} files, best of ${rounds}`);
console.log(`sn11 download (verified): ${best(sn11).toFixed(0)} ms, ${mbps(best(sn11))} MB/s`);
console.log(`curl (no verification):   ${best(curl).toFixed(0)} ms, ${mbps(best(curl))} MB/s`);
console.log(`throughput ratio sn11 / curl: ${(best(curl) / best(sn11)).toFixed(2)}`);
