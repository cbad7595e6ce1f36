import { chmodSync, copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBin, tempDir } from "../support/cli.js";
import { HAS_LLAMA_SERVER, LLAMA_SERVER } from "../support/engines/llama.js";
import { vllmStandIn } from "../support/engines/vllm.js";
import { REPO_ROOT } from "../support/shared.js";
import { startValidatorNet, type ValidatorNet } from "../support/validator-net.js";

// As child processes: the doctor runs nvidia-smi from its own PATH.

/** A `nvidia-smi` that prints a recorded query and banner (or fails as a broken driver does). */
function fakeNvidiaSmi(query: string, exitCode = 0): string {
  const dir = tempDir("sn11-smi-");
  const fixtures = join(REPO_ROOT, "test/support/nvidia-smi");
  copyFileSync(join(fixtures, query), join(dir, "query"));
  copyFileSync(join(fixtures, "banner-12.4.txt"), join(dir, "banner"));
  writeFileSync(
    join(dir, "nvidia-smi"),
    `#!/bin/sh\ncase "$1" in --query-gpu=*) cat '${dir}/query'; exit ${exitCode};; esac\ncat '${dir}/banner'\n`,
  );
  chmodSync(join(dir, "nvidia-smi"), 0o755);
  return dir;
}

type Check = { id: string; status: string; reason: string; hint?: string };

describe.skipIf(!HAS_LLAMA_SERVER)("sn11 doctor against the devnet and the local servers", () => {
  let net: ValidatorNet;
  beforeAll(async () => {
    net = await startValidatorNet();
  }, 120_000);
  afterAll(async () => {
    await net?.stop();
  });

  const doctor = async (smi: string, extra: string[] = []) => {
    const vllm = vllmStandIn();
    const run = await runBin(
      [
        "doctor",
        "--json",
        "--vllm-bin",
        vllm.bin,
        "--llama-server-bin",
        LLAMA_SERVER,
        "--dataset",
        net.dataset,
        ...extra,
      ],
      { env: { ...net.env, PATH: `${smi}:${net.env.PATH}` } },
    );
    const out = JSON.parse(run.stdout) as { checks: Check[]; seconds: number; failed: number };
    const by = Object.fromEntries(out.checks.map((c) => [c.id, c]));
    return { run, out, by };
  };

  it("every check, each with its reason: GPUs, engines, store, chain, clock, wallet, Hub, judge, dataset", async () => {
    const { run, out, by } = await doctor(fakeNvidiaSmi("eight-h100.query"));
    expect(run.stderr).not.toMatch(/sn11 hit a bug/);
    expect(out.checks.map((c) => c.id)).toEqual([
      "gpus",
      "engines",
      "disk",
      "data-dir",
      "chain",
      "clock",
      "wallet",
      "hf",
      "judge",
      "dataset",
    ]);
    expect(by.gpus).toMatchObject({
      status: "ok",
      reason: expect.stringMatching(/^8 GPUs \(NVIDIA H100 80GB HBM3 ×8\), driver 560\.35\.03, CUDA 12\.4/),
    });
    expect(by.engines).toMatchObject({
      status: "ok",
      reason: expect.stringMatching(/vllm 0\.11\.0 .*llama-server .*embedded node-llama-cpp/),
    });
    expect(by.chain).toMatchObject({ status: "ok", reason: expect.stringContaining("version key 7") });
    expect(by.chain?.reason).toMatch(/best \d+, finalized \d+ \(lag \d+\)/);
    expect(by.clock).toMatchObject({ status: "ok" });
    expect(by.wallet?.reason).toMatch(/uid 0, validator permit/);
    expect(by.hf).toMatchObject({ status: "ok", reason: expect.stringContaining(net.hub.url) });
    expect(by.judge).toMatchObject({
      status: "ok",
      reason: expect.stringContaining("structured output accepted"),
    });
    expect(by.dataset).toMatchObject({ status: "ok", reason: expect.stringContaining("30 conversations") });
    // The disk check depends on this machine's free space against the profile's 80 GiB.
    expect(["ok", "warn", "fail"]).toContain(by.disk?.status);
    expect(run.code).toBe(out.failed > 0 ? 1 : 0);
    expect(out.seconds).toBeGreaterThan(0);
  }, 60_000);

  it("failures say what to do: a driver mismatch, a wrong version key, a skewed clock; exit 1", async () => {
    net.devnet.setHyperparameters(11, { weightsVersionKey: 99 });
    net.devnet.setClockSkew(-180_000);
    net.devnet.produceBlock();
    try {
      const { run, by } = await doctor(fakeNvidiaSmi("../nvidia-smi/mismatch.out", 18));
      expect(run.code).toBe(1);
      expect(by.gpus).toMatchObject({ status: "fail", hint: expect.stringContaining("reboot") });
      expect(by.chain).toMatchObject({
        status: "fail",
        reason: expect.stringContaining("sends version key 7"),
      });
      expect(by.clock).toMatchObject({
        status: "warn",
        reason: expect.stringMatching(/this clock is 1[78]\d\.\d s ahead/),
      });
      const text = await runBin(["doctor", "--vllm-bin", "/nonexistent/vllm", "--dataset", net.dataset], {
        env: { ...net.env, PATH: `${fakeNvidiaSmi("one-4090.query")}:${net.env.PATH}` },
      });
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(/^warn {2}GPUs +1 GPU \(NVIDIA GeForce RTX 4090 ×1\)/m);
      expect(text.stdout).toMatch(/hint: finney's validators run safetensors models with vLLM/);
      expect(text.stdout).toMatch(/\d+ ok, \d+ warnings, \d+ failed · \d+\.\d s\n$/);
    } finally {
      net.devnet.setHyperparameters(11, { weightsVersionKey: 7 });
      net.devnet.setClockSkew(0);
      net.devnet.produceBlock();
    }
  }, 60_000);
});
