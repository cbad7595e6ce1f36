import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, runInProcess, tempDir } from "../support/cli.js";
import { type Demo, startDemo } from "../support/demo.js";

/**
 * The README's walkthroughs, command for command, in the demo a public clone gets (no ../shared: the
 * embedded llama.cpp as the judge): check → score → submit → status, then the validator's.
 */
describe("the walkthroughs against the demo", () => {
  let demo: Demo;
  beforeAll(async () => {
    demo = await startDemo({ judge: "embedded" });
  }, 60_000);
  afterAll(async () => {
    await demo?.stop();
    // The demo leaves nothing behind: its wallets (plaintext mnemonics), dataset and data dir are gone.
    for (const dir of [demo.env.BT_WALLET_PATH, demo.env.SN11_DATA_DIR, dirname(demo.dataset)]) {
      expect(existsSync(dir as string), dir).toBe(false);
    }
  });
  /** The README's evaluation flags: a few samples and short replies, so it runs in seconds on a CPU. */
  const quickEvaluation = () => [
    "--dataset",
    demo.dataset,
    "--samples",
    "8",
    "--threads",
    "1",
    "--context-size",
    "2048",
    "--max-tokens",
    "32",
    "--judge-max-reasoning",
    "8",
  ];

  it("check → score → submit → status", async () => {
    const env = cleanEnv(demo.env);
    const check = await runInProcess(["check", demo.repo, "--chat-template", "chatml"], { env });
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain("all checks passed");

    const score = await runInProcess(
      ["score", demo.repo, "--chat-template", "chatml", ...quickEvaluation(), "--engine", "embedded"],
      { env },
    );
    expect(score.code, score.stderr).toBe(0);
    expect(score.stdout).toMatch(/win rate \d\.\d{4} · total score \d\.\d{4}/);
    expect(score.stdout).toContain("running tiny.gguf");
    // A llama.cpp engine runs the GGUF: the repo's 44 MB of safetensors are not downloaded.
    const downloaded = readdirSync(join(demo.env.SN11_DATA_DIR as string, "models"), { recursive: true }).map(
      String,
    );
    expect(downloaded.some((f) => f.endsWith("tiny.gguf"))).toBe(true);
    expect(downloaded.filter((f) => f.endsWith(".safetensors"))).toEqual([]);

    const submit = await runInProcess(["submit", demo.repo, "--chat-template", "chatml", "--yes"], { env });
    expect(submit.code, submit.stderr).toBe(0);
    expect(submit.stdout).toContain("read back and verified");

    const status = await runInProcess(["status"], { env });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`hotkey ${demo.minerAddress}`);
    expect(status.stdout).toContain("commitment: demo:rp-tiny:chatml:");
  }, 240_000);

  it("the validator: validate --once --dry-run → validate --once → weights --history → snapshot --step → consensus", async () => {
    const env = cleanEnv(demo.env);
    const evaluation = [...demo.validatorWallet, "--engine", "embedded", ...quickEvaluation()];
    const dry = await runInProcess(["validate", "--once", "--dry-run", ...evaluation], { env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`evaluated ${demo.repo} (uid 16): COMPLETED`);
    expect(dry.stdout).toMatch(/step 1: dry_run at block \d+/);

    const live = await runInProcess(["validate", "--once", ...evaluation], { env });
    expect(live.code, live.stderr).toBe(0);
    expect(live.stdout).toMatch(/step 2: sent at block \d+ · set_weights 0x[0-9a-f]{64} in block \d+/);

    const history = await runInProcess(["weights", "--history"], { env });
    expect(history.stdout).toContain("step 2");
    const file = join(tempDir(), "step2.json");
    expect((await runInProcess(["snapshot", "--step", "2", "--out", file], { env })).code).toBe(0);
    const replay = await runInProcess(["weights", "--snapshot", file, "--json"], { env });
    expect(JSON.parse(replay.stdout).emit).toEqual({
      uids: [16],
      weights: [65535],
    });
    expect(demo.devnet.subnetState(11).weights.get(0)).toEqual([[16, 65535]]);
    // Before its weights were on chain the validator agreed with nothing; what it sent, fully.
    expect(live.stdout).toContain(
      "consensus agreement: 0.000 with its weights on chain, 1.000 with these weights",
    );
    const consensus = await runInProcess(["consensus", ...demo.validatorWallet], { env });
    expect(consensus.code, consensus.stderr).toBe(0);
    expect(consensus.stdout).toMatch(
      /uid 0\): agreement 1\.000 with its weights on chain, 1\.000 with the weights/,
    );
    expect(consensus.stdout).toContain("3 validators counted");
    // uid 18 alone weights uid 5: consensus there is 0, so its agreement is 0.
    expect(consensus.stdout).toContain("uid 18 22.2% (0.000)");
    // The daemon's evaluations are score runs too, told apart from the miner's own sn11 score.
    const list = JSON.parse((await runInProcess(["score", "--list", "--json"], { env })).stdout);
    expect(list.map((r: { origin: string }) => r.origin)).toEqual(["validate", "score"]);
    const listed = await runInProcess(["score", "--list"], { env });
    expect(listed.stdout).toMatch(/COMPLETED\s+daemon/);
  }, 240_000);
});
