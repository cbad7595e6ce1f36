import type { Config } from "../config/schema.js";
import type { Logger } from "../log.js";
import type { ScoringProfile } from "../scoring/profile.js";
import type { Store } from "../store/store.js";
import type { ValidatedRows } from "./datasets/rows.js";
import { checkEngine, type EngineCheck } from "./engines/engine-check.js";
import type { GpuMemory } from "./engines/gpu.js";
import { LLAMA_GPU_PACKAGES } from "./engines/llama-binaries.js";
import {
  createJudge,
  type EngineSettings,
  type JudgeSettings,
  loadDatasetRows,
  VLLM_GPU_SHARE,
} from "./evaluation.js";
import type { Judge, JudgeProbe } from "./judge/judge.js";

/** What is checked before any evaluation starts, for the banner and the card. */
export interface EvaluationPreflight {
  readonly engine: EngineCheck;
  /** Each GPU group's memory, when vLLM is spawned and nvidia-smi is there; null otherwise. */
  readonly gpus: readonly (readonly GpuMemory[])[] | null;
  readonly judge: { readonly model: string; readonly endpoints: readonly JudgeProbe[] };
  readonly dataset: { readonly source: string; readonly rows: number };
  /** The conversations it loaded and the judge it asked, for a caller that evaluates right away. */
  readonly rows: ValidatedRows;
  readonly judgeClient: Judge;
}

// The GPU builds are pinned to node-llama-cpp's own version (a test checks it against the lock file).
const EMBEDDED_VERSION = `node-llama-cpp ${LLAMA_GPU_PACKAGES.cuda[0]?.version}`;

/**
 * `sn11 score` and `sn11 validate` check everything an evaluation needs before the first download: the
 * engine answers `--version` (or its URL answers), the GPUs have the memory vLLM claims, the judge takes
 * one cheap call with the verdicts' response format (a refused key is exit 78), the dataset loads.
 */
export async function preflightEvaluation(inputs: {
  readonly config: Config;
  readonly profile: ScoringProfile;
  readonly store: Store;
  readonly engine: EngineSettings;
  /** The GPU groups one engine each runs on (CUDA_VISIBLE_DEVICES); [] or undefined: as the environment says. */
  readonly gpuGroups?: readonly string[];
  readonly judge: JudgeSettings;
  readonly dataset: string;
  readonly cwd: string;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
}): Promise<EvaluationPreflight> {
  const { logger, signal } = inputs;
  // A judge missing from the configuration is a usage error, found before anything is spawned.
  const { judge, judgeModel } = await createJudge(inputs.config, inputs.judge, {
    profile: inputs.profile,
    store: inputs.store,
    logger,
  });
  const engine = await checkEngine(inputs.engine, async () => EMBEDDED_VERSION, signal);
  logger.debug({ engine }, "engine checked");
  let gpus: GpuMemory[][] | null = null;
  if (inputs.engine.engine === "vllm" && !inputs.engine.engineUrl) {
    const { checkFreeVram } = await import("./engines/gpu.js");
    const groups = inputs.gpuGroups?.length ? inputs.gpuGroups : ["0"];
    const checked = await Promise.all(
      groups.map((group) => checkFreeVram(VLLM_GPU_SHARE, group.split(",").map(Number))),
    );
    gpus = checked.every((c) => c !== null) ? (checked as GpuMemory[][]) : null;
  }
  const endpoints = await judge.probe(signal);
  logger.debug({ endpoints }, "judge checked");
  const rows = await loadDatasetRows(inputs.dataset, {
    config: inputs.config,
    cwd: inputs.cwd,
    logger,
    signal,
  });
  return {
    engine,
    gpus,
    judge: { model: judgeModel, endpoints },
    dataset: { source: inputs.dataset, rows: rows.rows.length },
    rows,
    judgeClient: judge,
  };
}

/** One line of what the preflight found, for the banner. */
export function preflightSummary(preflight: EvaluationPreflight): string[] {
  const structured = preflight.judge.endpoints.every((e) => e.structuredOutput);
  return [
    `engine: ${preflight.engine.engine} ${preflight.engine.version}${preflight.engine.binary ? ` (${preflight.engine.binary})` : ""}`,
    ...(preflight.gpus
      ? [
          `gpus: ${preflight.gpus
            .map((group) =>
              group.map((g) => `${g.index} (${Math.round(g.freeMiB / 1024)} GiB free)`).join(","),
            )
            .join(" : ")}`,
        ]
      : []),
    `judge: ${preflight.judge.model} at ${preflight.judge.endpoints.map((e) => e.url).join(", ")}${structured ? "" : " (no structured output: plain text, parsed strictly)"}`,
    `dataset: ${preflight.dataset.source}, ${preflight.dataset.rows} conversations`,
  ];
}
