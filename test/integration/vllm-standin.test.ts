import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EngineError } from "../../src/errors.js";
import { LlamaServerEngine } from "../../src/eval/engines/llama-server.js";
import { vllmServeArgs } from "../../src/eval/engines/vllm.js";
import { createLogger } from "../../src/log.js";
import { findProfile } from "../../src/scoring/profile.js";
import { cleanEnv, inStore, runInProcess, tempDir } from "../support/cli.js";
import { HAS_LLAMA_SERVER, startLocalJudge, tinyModelPath } from "../support/engines/llama.js";
import { vllmStandIn } from "../support/engines/vllm.js";
import { noteMissingShared } from "../support/shared.js";
import { quickEvaluation, startValidatorNet, type ValidatorNet } from "../support/validator-net.js";

noteMissingShared("the vLLM stand-in tests");
const logger = createLogger({ write: () => true }, "silent");
const profile = findProfile("dippy-2025-03")!;

/**
 * `--engine vllm` where no GPU is: the stand-in refuses options its release lacks as vLLM's argparse does,
 * and serves with the real llama-server, so spawn, readiness, stderr capture and restart run for real.
 */
describe.skipIf(!HAS_LLAMA_SERVER)(
  "--engine vllm against a vLLM stand-in (real llama-server behind it)",
  () => {
    let judge: Awaited<ReturnType<typeof startLocalJudge>>;
    const modelDir = HAS_LLAMA_SERVER ? join(tinyModelPath({ seed: 5 }), "..") : "";
    const dataset = join(tempDir(), "chats.jsonl");
    beforeAll(async () => {
      judge = await startLocalJudge();
      const { writeFileSync } = await import("node:fs");
      writeFileSync(
        dataset,
        `${Array.from({ length: 20 }, (_, i) =>
          JSON.stringify({
            system_prompt: `You are a lighthouse keeper ${i}.`,
            messages: [
              { role: "user", content: `Is the lamp lit? ${i}` },
              { role: "assistant", content: `Bright as ever ${i}.` },
            ],
          }),
        ).join("\n")}\n`,
      );
    }, 60_000);
    afterAll(async () => {
      await judge?.stop();
    });

    const scoreArgs = (bin: string) => [
      "score",
      modelDir,
      "--chat-template",
      "chatml",
      "--dataset",
      dataset,
      "--samples",
      "3",
      "--max-tokens",
      "12",
      "--engine",
      "vllm",
      "--engine-bin",
      bin,
      "--judge-url",
      judge.url,
      "--judge-model",
      "tiny-judge",
      "--judge-max-reasoning",
      "8",
      "--json",
    ];

    it.each(["current", "0.8.5"] as const)(
      "sn11 score runs end to end on vLLM %s's options; the card records `vllm --version`",
      async (release) => {
        const vllm = vllmStandIn({ release, version: release === "current" ? "0.11.0" : "0.8.5" });
        const run = await runInProcess(scoreArgs(vllm.bin), { env: cleanEnv({ SN11_DATA_DIR: tempDir() }) });
        expect(run.code, run.stderr).toBe(0);
        const card = JSON.parse(run.stdout);
        expect(card).toMatchObject({ status: "COMPLETED", valid: 3 });
        expect(card.engine).toEqual({
          name: "vllm",
          version: release === "current" ? "0.11.0" : "0.8.5",
          deterministic: false,
        });
        const [launch] = vllm.launches();
        expect(launch?.options).toMatchObject({
          "--max-model-len": "8192",
          "--max-num-seqs": "16",
          "--tensor-parallel-size": "1",
          "--served-model-name": "model",
        });
      },
      120_000,
    );

    it("a vLLM that refuses an option: exit 70 at once with its stderr, not retried", async () => {
      const vllm = vllmStandIn({ forbid: ["--seed"] });
      const t0 = Date.now();
      const run = await runInProcess(scoreArgs(vllm.bin), { env: cleanEnv({ SN11_DATA_DIR: tempDir() }) });
      expect(run.code).toBe(70);
      expect(run.stderr).toContain("vllm exited (code 2)");
      expect(run.stderr).toContain("unrecognized arguments: --seed");
      expect(run.stderr).toContain("refused its command line");
      expect(Date.now() - t0).toBeLessThan(60_000);
    }, 90_000);

    it("a vLLM that dies mid-run is restarted once; a second death is an engine error", async () => {
      const vllm = vllmStandIn();
      const engine = new LlamaServerEngine({
        binary: vllm.bin,
        model: modelDir,
        parallel: 2,
        logger,
        launch: {
          name: "vllm",
          args: (port) => vllmServeArgs({ model: modelDir, port, profile, seed: 7 }),
        },
      });
      await engine.start();
      const request = { prompt: "user: hi\nassistant:", maxTokens: 8, temperature: 0, seed: 7 };
      process.kill(-(engine.pid as number), "SIGKILL");
      await new Promise((r) => setTimeout(r, 300));
      expect(await engine.generate([request])).toHaveLength(1);
      expect(vllm.launches()).toHaveLength(2);
      process.kill(-(engine.pid as number), "SIGKILL");
      await new Promise((r) => setTimeout(r, 300));
      await expect(engine.generate([request])).rejects.toBeInstanceOf(EngineError);
      await engine.stop();
    }, 90_000);
  },
);

describe.skipIf(!HAS_LLAMA_SERVER)(
  "sn11 validate with GPU groups and engines that do not fit the repo",
  () => {
    let net: ValidatorNet;
    beforeAll(async () => {
      net = await startValidatorNet({ weightsRateLimit: 0 });
      net.addModel("gpu/model-a", 3);
      net.addModel("gpu/model-b", 4);
      net.addModel("gpu/safetensors-only", 5, { gguf: false });
      net.commit(net.miners.bob, "gpu/model-a", 5_000_001);
      net.commit(net.miners.charlie, "gpu/model-b", 5_000_001);
      net.devnet.produceBlock();
    }, 120_000);
    afterAll(async () => {
      await net?.stop();
    });

    it("--gpus 0,1:2 runs one vLLM per group, each over its group's GPUs with tensor parallel = its size", async () => {
      const vllm = vllmStandIn();
      const dataDir = tempDir("sn11-gpus-");
      const args = quickEvaluation(net, 3).filter(
        (_, i, all) => all[i - 1] !== "--engine" && all[i] !== "--engine",
      );
      const run = await runInProcess(
        [
          "validate",
          "--once",
          "--offline",
          "--json",
          ...args,
          "--engine",
          "vllm",
          "--engine-bin",
          vllm.bin,
          "--gpus",
          "0,1:2",
        ],
        { env: { ...net.env, SN11_DATA_DIR: dataDir } },
      );
      expect(run.code, run.stderr).toBe(0);
      const out = JSON.parse(run.stdout);
      expect(out.banner.gpu_groups).toEqual(["0,1", "2"]);
      expect(out.evaluations.map((e: { outcome: string }) => e.outcome)).toEqual(["COMPLETED", "COMPLETED"]);
      const groups = vllm
        .launches()
        .map((l) => [l.cuda_visible_devices, l.options["--tensor-parallel-size"]])
        .sort();
      expect(groups).toEqual([
        ["0,1", "2"],
        ["2", "1"],
      ]);
    }, 180_000);

    it("a repo without GGUF on a llama.cpp engine: ERROR (this validator's configuration) before any download, never FAILED", async () => {
      net.commit(net.miners.dave, "gpu/safetensors-only", 5_000_002);
      net.devnet.produceBlock();
      const dataDir = tempDir("sn11-no-gguf-");
      const run = await runInProcess(
        ["validate", "--once", "--offline", "--json", ...quickEvaluation(net, 3)],
        {
          env: { ...net.env, SN11_DATA_DIR: dataDir },
        },
      );
      expect(run.code).toBe(70); // --once: an evaluation ended in ERROR
      const out = JSON.parse(run.stdout);
      const unfit = out.evaluations.find((e: { repo: string }) => e.repo === "gpu/safetensors-only");
      expect(unfit).toMatchObject({ outcome: "ERROR" });
      expect(unfit.reason).toContain("has no GGUF file and the embedded engine loads GGUF only");
      inStore(dataDir, (s) => {
        expect(
          s.evaluations
            .forProfile("dippy-2025-03")
            .map((e) => e.repo)
            .sort(),
        ).toEqual(["gpu/model-a", "gpu/model-b"]);
        // Nothing of it was downloaded: the file list alone decided.
        expect(s.modelCache.all().map((m) => m.repo)).not.toContain("gpu/safetensors-only");
      });
      expect(readdirSync(join(dataDir, "models", "snapshots"))).not.toContain("gpu--safetensors-only");
    }, 180_000);
  },
);
