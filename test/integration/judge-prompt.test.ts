import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPromptComparison } from "../../bench/judge-prompt-run.js";
import { promptFromFile } from "../../src/eval/judge/prompt-compare.js";
import { cleanEnv, runInProcess, tempDir } from "../support/cli.js";
import { HAS_LLAMA_SERVER, startLocalJudge, tinyModelPath } from "../support/engines/llama.js";
import { scoreArgs, writeDataset } from "../support/score-args.js";
import { noteMissingShared, REPO_ROOT } from "../support/shared.js";

noteMissingShared("the judge-prompt benchmark test");

/** bench/judge-prompt.ts on the local judge with a few pairs: the same pairs through two prompts. */
describe.skipIf(!HAS_LLAMA_SERVER)("the judge prompt measured (bench/judge-prompt.ts, small n)", () => {
  let judge: Awaited<ReturnType<typeof startLocalJudge>>;
  const dataDir = tempDir("sn11-prompt-bench-");
  beforeAll(async () => {
    judge = await startLocalJudge();
    const run = await runInProcess(
      scoreArgs({
        model: tinyModelPath({ seed: 9 }),
        dataset: writeDataset(),
        judgeUrl: judge.url,
        samples: 4,
        maxTokens: 12,
      }),
      { env: cleanEnv({ SN11_DATA_DIR: dataDir }) },
    );
    expect(run.code, run.stderr).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await judge?.stop();
  });

  it("prints both win rates with their tallies, the difference and its standard error", async () => {
    const result = await runPromptComparison({
      dataDir,
      against: promptFromFile(join(REPO_ROOT, "bench", "prompts", "sn11-interleaved.json")),
      judgeUrl: judge.url,
      reasoningMaxLength: 8,
    });
    expect(result.pairs).toBe(4);
    expect(result.prompts.map((p) => p.name)).toEqual([
      "sn11",
      "sn11 before 2026-12-02 (reasoning after each verdict)",
    ]);
    for (const p of result.prompts) {
      expect(p.valid + p.failed + p.skipped).toBe(4);
      const generated = Object.values(p.tally).reduce((s, t) => s + t.generated, 0);
      expect(p.win_rate).toBeCloseTo(p.valid === 0 ? 0 : generated / (3 * p.valid), 4);
    }
    expect(result.difference).toBeCloseTo(
      (result.prompts[0]?.win_rate ?? 0) - (result.prompts[1]?.win_rate ?? 0),
      3,
    );
    expect(result.standard_error).toBeGreaterThanOrEqual(0);
    expect(result.interval_95[0]).toBeLessThanOrEqual(result.difference);
    expect(result.interval_95[1]).toBeGreaterThanOrEqual(result.difference);
  }, 120_000);

  it("a prompt file that is not one is a usage error naming the placeholders", () => {
    expect(() => promptFromFile(join(REPO_ROOT, "package.json"))).toThrow(/is not a prompt file/);
  });
});
