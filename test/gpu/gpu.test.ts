import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, runInProcess, tempDir } from "../support/cli.js";
import { HAS_LLAMA_SERVER, startLocalJudge, tinyModelPath } from "../support/engines/llama.js";

/**
 * GPU smoke tests: the real `vllm serve` and llama.cpp's CUDA build on an NVIDIA GPU. They need what this
 * project's CI machines do not have, so they run only where `nvidia-smi` lists a GPU, and skip with a
 * message elsewhere. The vLLM one also needs `vllm` on PATH and SN11_GPU_TEST_MODEL (a local directory
 * with a small safetensors chat model, e.g. Qwen2.5-0.5B-Instruct).
 */
function gpuNames(): string[] {
  try {
    return execFileSync("nvidia-smi", ["--query-gpu=name", "--format=csv,noheader"], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean);
  } catch {
    return [];
  }
}
function onPath(binary: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${binary}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const GPUS = gpuNames();
const VLLM_MODEL = process.env.SN11_GPU_TEST_MODEL ?? "";
const canVllm = GPUS.length > 0 && onPath("vllm") && VLLM_MODEL !== "" && HAS_LLAMA_SERVER;
if (GPUS.length === 0) process.stderr.write("skipping the GPU smoke tests: nvidia-smi lists no GPU\n");
else if (!canVllm) {
  process.stderr.write("skipping the vLLM smoke test: it needs vllm on PATH and SN11_GPU_TEST_MODEL\n");
}

const ROWS = Array.from({ length: 40 }, (_, i) => ({
  system_prompt: `You are Captain Vega ${i}, a starship pilot.`,
  messages: [
    { role: "user", content: `Status report, captain ${i}?` },
    { role: "assistant", content: `All systems nominal ${i}.` },
    { role: "user", content: `Set a course for the nebula ${i}.` },
    { role: "assistant", content: `Course laid in ${i}. Engaging.` },
  ],
}));

describe.skipIf(GPUS.length === 0 || !HAS_LLAMA_SERVER)("on an NVIDIA GPU", () => {
  let judge: Awaited<ReturnType<typeof startLocalJudge>>;
  const dataset = join(tempDir(), "chats.jsonl");
  writeFileSync(dataset, `${ROWS.map((r) => JSON.stringify(r)).join("\n")}\n`);
  beforeAll(async () => {
    judge = await startLocalJudge();
  }, 60_000);
  afterAll(async () => {
    await judge?.stop();
  });
  const common = (judgeUrl: string) => [
    "--chat-template",
    "chatml",
    "--dataset",
    dataset,
    "--samples",
    "16",
    "--max-tokens",
    "64",
    "--judge-url",
    judgeUrl,
    "--judge-max-reasoning",
    "8",
    "--json",
  ];

  it.skipIf(!canVllm)(
    "sn11 score runs a real vllm serve with the reference's settings",
    async () => {
      const run = await runInProcess(["score", VLLM_MODEL, "--engine", "vllm", ...common(judge.url)], {
        env: cleanEnv({ SN11_DATA_DIR: tempDir() }),
      });
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({
        status: "COMPLETED",
        samples: 16,
        // `vllm --version` as the preflight read it.
        engine: { name: "vllm", version: expect.stringMatching(/^\d+\.\d+/) },
      });
    },
    30 * 60_000,
  );

  it("the embedded engine runs llama.cpp's CUDA build", async () => {
    const run = await runInProcess(
      ["score", tinyModelPath(), "--engine", "embedded", "--llama-gpu", "cuda", ...common(judge.url)],
      { env: cleanEnv({ SN11_DATA_DIR: tempDir() }) },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: "COMPLETED", engine: { name: "embedded" } });
  }, 300_000);
});
