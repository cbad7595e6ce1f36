/**
 * Reproducible scores: N fresh `sn11 score` runs of one model with one seed on a spawned llama-server, with
 * and without --deterministic, side by side. Prints how many distinct cards and generation sets each gave,
 * and the wall-time ratio (one slot against four).
 *
 *   npm run bench:reproducibility            (RUNS=10 by default)
 */

import { createHash } from "node:crypto";
import { Store } from "../src/store/store.js";
import { cleanEnv, runInProcess, tempDir } from "../test/support/cli.js";
import { startLocalJudge, tinyModelPath } from "../test/support/engines/llama.js";
import { scoreArgs, writeDataset } from "../test/support/score-args.js";

const RUNS = Number(process.env.RUNS ?? 10);
const judge = await startLocalJudge();
const model = tinyModelPath({ seed: 3 });
const dataset = writeDataset();

async function series(extra: string[]) {
  const cards = new Set<string>();
  const generations = new Set<string>();
  const t0 = performance.now();
  for (let i = 0; i < RUNS; i++) {
    const dataDir = tempDir();
    const run = await runInProcess(
      scoreArgs({ model, dataset, judgeUrl: judge.url, samples: 16, maxTokens: 32 }, extra),
      { env: cleanEnv({ SN11_DATA_DIR: dataDir }) },
    );
    if (run.code !== 0) throw new Error(run.stderr);
    const card = JSON.parse(run.stdout);
    cards.add(JSON.stringify({ tally: card.tally, win_rate: card.win_rate, valid: card.valid }));
    const store = Store.open(dataDir);
    const texts = store.scoreRuns.samples(card.run_id).map((s) => s.generation);
    store.close();
    generations.add(createHash("sha256").update(JSON.stringify(texts)).digest("hex"));
  }
  return {
    distinctCards: cards.size,
    distinctGenerations: generations.size,
    seconds: (performance.now() - t0) / 1000,
  };
}

const parallel = await series([]);
const deterministic = await series(["--deterministic"]);
await judge.stop();
console.log(
  JSON.stringify(
    {
      runs: RUNS,
      four_slots: parallel,
      deterministic,
      time_ratio_deterministic_to_four_slots:
        Math.round((deterministic.seconds / parallel.seconds) * 100) / 100,
    },
    null,
    2,
  ),
);
