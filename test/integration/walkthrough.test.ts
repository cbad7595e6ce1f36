import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, runInProcess } from "../support/cli.js";
import { type Demo, startDemo } from "../support/demo.js";
import { HAS_LLAMA_SERVER } from "../support/engines/llama.js";

/** The README's miner walkthrough, command for command: check → score → submit → status. */
describe.skipIf(!HAS_LLAMA_SERVER)("the miner's walkthrough against the devnet", () => {
  let demo: Demo;
  beforeAll(async () => {
    demo = await startDemo();
  }, 60_000);
  afterAll(async () => {
    await demo?.stop();
  });

  it("check → score → submit → status", async () => {
    const env = cleanEnv(demo.env);
    const check = await runInProcess(["check", demo.repo, "--chat-template", "chatml"], { env });
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain("all checks passed");

    const score = await runInProcess(
      [
        "score",
        demo.repo,
        "--chat-template",
        "chatml",
        "--dataset",
        demo.dataset,
        "--samples",
        "8",
        "--engine-bin",
        demo.llamaServer,
        "--threads",
        "1",
        "--context-size",
        "2048",
        "--max-tokens",
        "32",
        "--judge-max-reasoning",
        "8",
      ],
      { env },
    );
    expect(score.code, score.stderr).toBe(0);
    expect(score.stdout).toMatch(/win rate \d\.\d{4} · total score \d\.\d{4}/);

    const submit = await runInProcess(["submit", demo.repo, "--chat-template", "chatml", "--yes"], { env });
    expect(submit.code, submit.stderr).toBe(0);
    expect(submit.stdout).toContain("read back and verified");

    const status = await runInProcess(["status"], { env });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`hotkey ${demo.minerAddress}`);
    expect(status.stdout).toContain("commitment: demo:rp-tiny:chatml:");
  }, 240_000);
});
