import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { CleanupRegistry } from "../cleanup.js";
import type { Config } from "../config/schema.js";
import { UsageError } from "../errors.js";
import type { Logger, LogLevel } from "../log.js";
import type { ChatTemplateName, ScoringProfile } from "../scoring/profile.js";
import type { ScoreRunOrigin } from "../store/score-runs.js";
import type { Store } from "../store/store.js";
import { evaluationSeed } from "./datasets/random.js";
import { type ValidatedRows, validateRows } from "./datasets/rows.js";
import type { Engine } from "./engines/engine.js";
import type { LlamaGpu } from "./engines/llama-binaries.js";
import { WEIGHTS } from "./hub/prechecks.js";
import type { RepoInspection } from "./hub/types.js";
import type { Judge } from "./judge/judge.js";
import { ggufFiles, ggufLabel, type ModelSource, pickGguf, tokensOf } from "./model-source.js";
import type { ScoreCard } from "./pipeline.js";
import type { Progress } from "./progress.js";

/** The share of each GPU's memory vLLM claims at start (its default --gpu-memory-utilization). */
export const VLLM_GPU_SHARE = 0.9;

export const ENGINE_NAMES = ["llama-server", "embedded", "vllm"] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/** How to run the model under evaluation: the same settings for `sn11 score` and the validator's worker. */
export interface EngineSettings {
  readonly engine: EngineName;
  readonly engineUrl?: string;
  readonly engineBin: string;
  readonly threads: number;
  readonly contextSize: number;
  /**
   * CUDA_VISIBLE_DEVICES for a spawned engine ("0" or a group "0,1", over which vLLM splits the model);
   * undefined leaves the environment as is.
   */
  readonly gpu?: string;
  /** The embedded engine's llama.cpp build: CPU, or a GPU build fetched from npm on first use. */
  readonly llamaGpu?: "off" | LlamaGpu;
  /** Reproducible generations at the cost of throughput (one llama-server slot, vLLM batch invariance). */
  readonly deterministic?: boolean;
}

export interface JudgeSettings {
  readonly judgeUrl?: string;
  readonly judgeModel?: string;
  readonly judgeConcurrency: number;
  /** Seconds per judge call. */
  readonly judgeTimeout?: number;
  readonly judgeMaxReasoning?: number;
}

export interface EvaluationSettings {
  readonly samples?: number;
  readonly seed: string;
  /** Default: the profile's. */
  readonly maxTokens?: number;
  /** Where the rows came from (a file, api, …), for the card. */
  readonly dataset?: string;
}

/** Why a model cannot run on the chosen engine; null when it can. */
export function engineMismatch(source: ModelSource, settings: EngineSettings): string | null {
  if (isLlamaCpp(settings) && !source.gguf) {
    return `${source.repo} has no GGUF file: the llama.cpp engines load GGUF models (--engine vllm loads safetensors)`;
  }
  if (settings.engine === "vllm" && !settings.engineUrl && !source.dir) {
    return "--engine vllm loads a model directory or Hub repo, not a lone GGUF file";
  }
  return null;
}

/** Spawned or embedded llama.cpp: it loads GGUF files only. */
export function isLlamaCpp(settings: Pick<EngineSettings, "engine" | "engineUrl">): boolean {
  return settings.engine !== "vllm" && !settings.engineUrl;
}

/** The GGUF file these engine settings run of the model (as the card names it), or null (vLLM, a URL). */
export function ggufRun(source: ModelSource, settings: Pick<EngineSettings, "engine" | "engineUrl">) {
  return isLlamaCpp(settings) ? ggufLabel(source) : null;
}

/**
 * Why the engine cannot load this repo, from its file list alone (before gigabytes are downloaded); null
 * when it can. This is the validator's configuration, never the miner's fault.
 */
export function engineRepoMismatch(
  repo: string,
  files: readonly { readonly path: string }[],
  settings: Pick<EngineSettings, "engine" | "engineUrl">,
): string | null {
  if (isLlamaCpp(settings) && !files.some((f) => f.path.endsWith(".gguf"))) {
    return `${repo} has no GGUF file and the ${settings.engine} engine loads GGUF only: this validator needs --engine vllm for it`;
  }
  return null;
}

/** Subnet 11 on finney: miners submit safetensors repos (the reference loads them with vLLM). */
export function submissionsAreSafetensors(config: Pick<Config, "network" | "netuid">): boolean {
  return config.network === "finney" && config.netuid === 11;
}

/** A validator on a safetensors-only subnet with a llama.cpp engine would ERROR every model: refuse it. */
export function assertEngineFitsNetwork(
  settings: Pick<EngineSettings, "engine" | "engineUrl">,
  config: Pick<Config, "network" | "netuid">,
): void {
  if (isLlamaCpp(settings) && submissionsAreSafetensors(config)) {
    throw new UsageError(
      `--engine ${settings.engine} loads GGUF files, and the models submitted to netuid ${config.netuid} on ${config.network} are safetensors`,
      { hint: "validate with --engine vllm on a GPU (or --engine-url of a running vLLM)" },
    );
  }
}

/** vLLM has a batch-invariant mode from 0.11.1 on (VLLM_BATCH_INVARIANT=1). */
function vllmHasBatchInvariance(version: string | undefined): boolean {
  const [major = 0, minor = 0, patch = 0] = (/(\d+)\.(\d+)(?:\.(\d+))?/.exec(version ?? "") ?? [])
    .slice(1)
    .map((n) => Number(n ?? 0));
  return major > 0 || minor > 11 || (minor === 11 && patch >= 1);
}

/**
 * Whether the run gives the same generations every time: the embedded engine runs one sequence at a
 * time; a spawned llama-server with one slot; vLLM in batch-invariant mode. An engine at --engine-url is
 * not known to be.
 */
export function deterministicRun(settings: EngineSettings, engineVersion?: string): boolean {
  if (settings.engineUrl) return false;
  if (settings.engine === "embedded") return true;
  if (!settings.deterministic) return false;
  return settings.engine === "llama-server" || vllmHasBatchInvariance(engineVersion);
}

/** The engine for one model, spawned or embedded as the settings say (not started yet). */
export async function createEngine(
  source: ModelSource,
  settings: EngineSettings,
  deps: {
    profile: ScoringProfile;
    userSeed: string;
    dataDir: string;
    npmRegistry: string;
    logger: Logger;
    cleanup: CleanupRegistry;
    onProgress?: Progress;
    /** The version the preflight read, recorded on the card. */
    engineVersion?: string;
    /**
     * The embedded engine in a process of its own, so what llama.cpp allocates goes with it (the validator
     * daemon, which runs for weeks); in this process otherwise.
     */
    isolateEmbedded?: boolean;
  },
): Promise<Engine> {
  const { profile, logger } = deps;
  const { samplingParameters } = await import("./pipeline.js");
  // The server's default seed is the one the pipeline sends with every request.
  const { engineSeed } = samplingParameters(
    evaluationSeed(profile.id, source.repo, source.revision, deps.userSeed),
    profile,
  );
  if (settings.engine === "embedded") {
    const embedded = {
      model: source.gguf as string,
      threads: settings.threads,
      contextSize: settings.contextSize,
      onProgress: deps.onProgress,
      ...(settings.llamaGpu && settings.llamaGpu !== "off"
        ? { gpu: { kind: settings.llamaGpu, registry: deps.npmRegistry } }
        : {}),
    };
    if (deps.isolateEmbedded) {
      const { EmbeddedProcessEngine } = await import("./engines/embedded-process.js");
      return new EmbeddedProcessEngine({
        ...embedded,
        logLevel: logger.level as LogLevel,
        onSpawn: (stop) => deps.cleanup.add("engine", stop),
      });
    }
    const { EmbeddedEngine } = await import("./engines/embedded.js");
    return new EmbeddedEngine({ ...embedded, logger });
  }
  const gpus = (settings.gpu ?? "0").split(",").map(Number);
  const deterministic = deterministicRun(settings, deps.engineVersion);
  if (settings.engine === "vllm" && !settings.engineUrl) {
    const { checkFreeVram } = await import("./engines/gpu.js");
    const checked = await checkFreeVram(VLLM_GPU_SHARE, gpus);
    logger.debug({ gpus: checked }, checked ? "GPU memory checked" : "no nvidia-smi: GPU memory not checked");
  }
  const { LlamaServerEngine } = await import("./engines/llama-server.js");
  const { vllmServeArgs } = await import("./engines/vllm.js");
  const { engineBinary } = await import("./engines/engine-check.js");
  const vllm = settings.engine === "vllm";
  return new LlamaServerEngine({
    url: settings.engineUrl,
    binary: engineBinary(settings),
    knownVersion: deps.engineVersion,
    onProgress: deps.onProgress,
    model: (vllm ? source.dir : source.gguf) ?? undefined,
    threads: settings.threads,
    // vLLM's context is the reference's max model length, whatever --context-size says.
    contextSize: vllm ? profile.generation.maxModelLength : settings.contextSize,
    // vLLM batches the profile's sequences in flight; a CPU llama-server is kept to a few slots, or one
    // when the run must be reproducible (slots batched together do not give the same bits twice).
    parallel: vllm
      ? profile.generation.maxSequencesInFlight
      : settings.deterministic
        ? 1
        : Math.min(profile.generation.maxSequencesInFlight, 4),
    deterministic,
    pidFile: join(
      deps.dataDir,
      `${settings.engine}${settings.gpu ? `-gpu${settings.gpu.replaceAll(",", "-")}` : ""}.pid`,
    ),
    env: {
      ...(settings.gpu !== undefined ? { CUDA_VISIBLE_DEVICES: settings.gpu } : {}),
      ...(vllm && deterministic ? { VLLM_BATCH_INVARIANT: "1" } : {}),
    },
    ...(vllm
      ? {
          startTimeoutMs: 30 * 60_000,
          launch: {
            name: "vllm",
            args: (port: number) =>
              vllmServeArgs({
                model: source.dir as string,
                port,
                profile,
                seed: engineSeed,
                tensorParallelSize: gpus.length,
              }),
          },
        }
      : {}),
    logger,
    onSpawn: (stop) => deps.cleanup.add("engine", stop),
  });
}

/** The judge of the configuration and flags: endpoints in fallback order, verdict cache, price table. */
export async function createJudge(
  config: Config,
  settings: JudgeSettings,
  deps: { profile: ScoringProfile; store?: Store; logger: Logger },
): Promise<{ judge: Judge; judgeModel: string }> {
  const judgeUrls = (settings.judgeUrl ?? config.judgeUrl ?? "").split(",").filter(Boolean);
  if (judgeUrls.length === 0) {
    throw new UsageError("no judge: pass --judge-url or set SN11_JUDGE_URL", {
      hint: "any OpenAI-compatible endpoint: OpenRouter, Azure OpenAI, a local vLLM or llama-server",
    });
  }
  const { Judge } = await import("./judge/judge.js");
  const [input, output] = (config.judgePrice ?? "").split(",").map(Number);
  const price = config.judgePrice ? { input: input as number, output: output as number } : null;
  const judgeModel = settings.judgeModel ?? config.judgeModel ?? deps.profile.judge.model;
  const { judgeModelFor } = await import("./judge/endpoint-model.js");
  const judge = new Judge({
    endpoints: judgeUrls.map((url) => ({
      url,
      model: judgeModelFor(url, judgeModel),
      apiKey: config.judgeApiKey,
      ...(price ? { pricePerMillion: price } : {}),
    })),
    logger: deps.logger,
    concurrency: settings.judgeConcurrency,
    timeoutMs: (settings.judgeTimeout ?? config.judgeTimeout) * 1000,
    ...(deps.store ? { cache: deps.store.judgeVerdicts } : {}),
    reasoningMaxLength: settings.judgeMaxReasoning,
  });
  // The card names the model the first endpoint was asked for (fallbacks may resolve it differently).
  return { judge, judgeModel: judgeModelFor(judgeUrls[0] as string, judgeModel) };
}

/** Refuses a dataset source that cannot work, before any work starts (the API's URL, a local file). */
export function checkDatasetSource(source: string, deps: { config: Config; cwd: string }): void {
  if (source === "api") {
    if (!deps.config.datasetApiUrl) {
      throw new UsageError("--dataset api needs the dataset API's URL", {
        hint: "set SN11_DATASET_API_URL, or pass --dataset FILE or hf:REPO",
      });
    }
  } else if (!source.startsWith("hf:") && !existsSync(resolve(deps.cwd, source))) {
    throw new UsageError(`the dataset ${source} does not exist`, { hint: "pass a JSON or JSONL file" });
  }
}

/** The conversations to sample from: a local JSON/JSONL file, a Hub dataset (`hf:REPO`) or the Dippy API. */
export async function loadDatasetRows(
  source: string,
  deps: { config: Config; cwd: string; logger: Logger; signal?: AbortSignal },
): Promise<ValidatedRows> {
  const { config } = deps;
  // Loaded on demand: the Hub client and the parquet reader are only needed here.
  const { fetchDippyApiRows, fetchHubDatasetRows, readLocalRows } = await import("./datasets/sources.js");
  checkDatasetSource(source, deps);
  let raw: unknown[];
  if (source === "api") {
    const today = new Date().toISOString().slice(0, 10).replaceAll("-", "");
    raw = await fetchDippyApiRows({
      url: config.datasetApiUrl as string,
      token: config.datasetApiToken,
      startDate: "20241201",
      endDate: today,
      limit: 2048,
      signal: deps.signal,
    });
  } else if (source.startsWith("hf:")) {
    raw = await fetchHubDatasetRows({
      endpoint: config.hfEndpoint,
      token: config.hfToken,
      repo: source.slice(3),
    });
  } else {
    raw = await readLocalRows(resolve(deps.cwd, source));
  }
  const validated = validateRows(raw);
  if (validated.bad > 0) {
    deps.logger.warn(
      { dataset: source, bad: validated.bad, examples: validated.firstProblems },
      `dataset rows skipped: ${validated.bad} of ${raw.length} in ${source}`,
    );
  }
  return validated;
}

/**
 * A Hub repo at one inspected commit, downloaded into the content-addressed cache and marked in use
 * until `release` (the cache's budget never evicts it meanwhile).
 */
export async function downloadModel(
  repo: string,
  inspection: RepoInspection,
  deps: {
    config: Config;
    store: Store;
    cacheBudgetBytes: number | null;
    logger: Logger;
    signal?: AbortSignal;
    onProgress?: Progress;
    /** The GGUF to run (`--gguf`); without it the only one, or the first of several (the daemon). */
    gguf?: string;
    /** A llama.cpp engine runs the GGUF only: the safetensors (and other GGUFs) are not downloaded. */
    ggufOnly?: boolean;
  },
): Promise<{ source: ModelSource; release: () => void }> {
  const { ModelCache, modelsDir } = await import("./hub/cache.js");
  const { downloadSnapshot } = await import("./hub/download.js");
  const sha = inspection.sha as string;
  const cache = new ModelCache(modelsDir(deps.config.dataDir), deps.store.modelCache, deps.cacheBudgetBytes);
  const chosen = deps.ggufOnly
    ? pickGguf(
        inspection.files.map((f) => f.path),
        deps.gguf,
        "first",
        repo,
      )
    : null;
  const files = chosen
    ? inspection.files.filter((f) => f.path === chosen || !WEIGHTS.test(f.path))
    : inspection.files;
  const dir = await downloadSnapshot(repo, sha, files, {
    endpoint: deps.config.hfEndpoint,
    token: deps.config.hfToken,
    cache,
    logger: deps.logger,
    signal: deps.signal,
    onProgress: deps.onProgress,
  });
  const ggufIn = (at: string) => {
    const picked = chosen ?? pickGguf(ggufFiles(at), deps.gguf, "first", repo);
    return picked === null ? null : join(at, picked);
  };
  return {
    source: { repo, revision: sha, gguf: ggufIn(dir), dir, tokens: tokensOf(dir) },
    release: () => cache.release(repo, sha),
  };
}

/** Starts the engine, runs the resumable pipeline, always stops the engine. */
export async function runEvaluation(inputs: {
  source: ModelSource;
  /** The GGUF the engine runs, for the card (ggufRun); null when it loads the safetensors. */
  gguf: string | null;
  chatTemplate: ChatTemplateName;
  engine: Engine;
  judge: Judge;
  judgeModel: string;
  rows: ValidatedRows;
  settings: EvaluationSettings;
  profile: ScoringProfile;
  store: Store;
  fresh: boolean;
  logger: Logger;
  signal: AbortSignal;
  /** Stops after the samples in flight: nothing new starts, what runs is finished and committed. */
  drain?: AbortSignal;
  onProgress?: Progress;
  /** The validator daemon's evaluations are recorded as its own (score --list tells them apart). */
  origin?: ScoreRunOrigin;
}): Promise<ScoreCard> {
  const { runScore } = await import("./pipeline.js");
  // Starting (loading weights) is not a sample in flight: a graceful stop interrupts it too.
  await inputs.engine.start(inputs.drain ? AbortSignal.any([inputs.signal, inputs.drain]) : inputs.signal);
  try {
    return await runScore({
      repo: inputs.source.repo,
      revision: inputs.source.revision,
      chatTemplate: inputs.chatTemplate,
      tokens: inputs.source.tokens,
      rows: inputs.rows.rows,
      samples: inputs.settings.samples ?? inputs.profile.judge.samples,
      userSeed: inputs.settings.seed,
      dataset: inputs.settings.dataset,
      gguf: inputs.gguf,
      maxTokens: inputs.settings.maxTokens ?? inputs.profile.generation.maxTokens,
      profile: inputs.profile,
      engine: inputs.engine,
      judge: inputs.judge,
      judgeModel: inputs.judgeModel,
      store: inputs.store,
      fresh: inputs.fresh,
      logger: inputs.logger,
      signal: inputs.signal,
      drain: inputs.drain,
      onProgress: inputs.onProgress,
      origin: inputs.origin,
    });
  } finally {
    await inputs.engine.stop();
  }
}
