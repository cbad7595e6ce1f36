import { z } from "zod";
import { LLAMA_GPUS } from "../eval/engines/llama-binaries.js";
import { ENGINE_NAMES, type EngineName } from "../eval/evaluation.js";
import { REFERENCE_SCORE_API } from "../validator/remote-scores.js";

/** The engine flags `sn11 score` and `sn11 validate` share; the default engine is the command's. */
export function engineOptions(defaultEngine: EngineName) {
  return {
    engine: z
      .enum(ENGINE_NAMES)
      .default(defaultEngine)
      .describe("inference engine (embedded: llama.cpp in process, GGUF files)"),
    engineUrl: z
      .string()
      .optional()
      .describe("use an already running engine at this URL")
      .meta({ valueName: "url" }),
    engineBin: z
      .string()
      .default("llama-server")
      .describe("the engine binary to spawn")
      .meta({ valueName: "path" }),
    llamaGpu: z
      .enum(["off", ...LLAMA_GPUS])
      .default("off")
      .describe("embedded engine: llama.cpp's CUDA or Vulkan build (fetched from npm on first use)"),
    threads: z.coerce.number().int().min(1).max(256).default(2).describe("CPU threads for llama.cpp"),
    deterministic: z
      .boolean()
      .default(false)
      .describe(
        "the same generations on every run: one llama-server slot, vLLM's batch-invariant mode\n(VLLM_BATCH_INVARIANT, vLLM 0.11.1+ on compute capability 8.0+); slower. The card says whether a run was",
      ),
    contextSize: z.coerce
      .number()
      .int()
      .min(256)
      .max(1_048_576)
      .default(8192)
      .describe("engine context size per conversation (tokens)"),
  };
}

/** The dataset, sampling and judge flags of an evaluation. */
export const evaluationOptions = {
  dataset: z
    .string()
    .min(1)
    .default("api")
    .describe("FILE (JSON/JSONL), hf:REPO or api")
    .meta({ valueName: "source" }),
  samples: z.coerce
    .number()
    .int()
    .positive()
    .max(65_536)
    .optional()
    .describe("conversations to judge (default: the profile's 512)"),
  seed: z.string().default("").describe("extra seed text (the default seed is the model's identity)"),
  maxTokens: z.coerce
    .number()
    .int()
    .positive()
    .max(131_072)
    .optional()
    .describe(
      "tokens to generate per reply (default: the profile's 8192, clamped to what the context leaves)",
    ),
  judgeUrl: z
    .string()
    .optional()
    .describe("judge base URL (OpenAI-compatible; or SN11_JUDGE_URL)")
    .meta({ valueName: "url" }),
  judgeModel: z
    .string()
    .optional()
    .describe("judge model (default: the profile's)")
    .meta({ valueName: "name" }),
  judgeConcurrency: z.coerce.number().int().min(1).max(256).default(32).describe("judge calls in flight"),
  judgeTimeout: z.coerce
    .number()
    .int()
    .min(1)
    .max(3600)
    .optional()
    .describe(
      "seconds one judge call may take (default: judgeTimeout, 60; 3 attempts per endpoint; a judge that never answers\nends the run as interrupted within a few minutes)",
    )
    .meta({ valueName: "seconds" }),
  judgeMaxReasoning: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .describe("bound the judge's reasoning strings (local judges)"),
};

/** The owner's score API (the reference's validators ask it for scores): validate, status, leaderboard. */
export function scoreUrlOption(description: string) {
  return z
    .string()
    .regex(/^https?:\/\/\S+$/, "expected an http(s):// URL")
    .default(REFERENCE_SCORE_API)
    .describe(description)
    .meta({ valueName: "url" });
}
