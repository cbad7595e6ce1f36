import { z } from "zod";
import { freeBytesAt } from "../ensure-dir.js";
import { UsageError } from "../errors.js";
import { parseGpuGroups } from "../eval/engines/gpu.js";
import type { EngineName } from "../eval/evaluation.js";
import { defaultCacheBudget, modelsDir } from "../eval/hub/cache.js";
import type { EvaluationPreflight } from "../eval/preflight.js";
import { type Progress, progressPrinter } from "../eval/progress.js";
import type { ScoringProfile } from "../scoring/profile.js";
import type { SharedStore } from "../store/shared/shared-store.js";
import { VALIDATOR_SETTINGS } from "../validator/settings.js";
import type { EvaluationWorker } from "../validator/worker.js";
import type { CommandContext } from "./define.js";
import { engineOptions, evaluationOptions } from "./evaluation-options.js";

/** The flags of a command that runs evaluation workers (`sn11 validate`, `sn11 worker`). */
export function workerOptions(defaultEngine: EngineName) {
  return {
    gpus: z
      .string()
      .optional()
      .describe(
        "GPU groups to evaluate on: ',' joins GPUs into one engine (tensor parallel, as the reference\n" +
          "uses every GPU for one model), ':' separates engines that evaluate one model each (0,1:2,3)",
      )
      .meta({ valueName: "groups" }),
    progress: z
      .enum(["auto", "json", "none"])
      .default("auto")
      .describe("the running evaluation's progress on stderr"),
    ...engineOptions(defaultEngine),
    ...evaluationOptions,
    cacheBudget: z.coerce
      .number()
      .positive()
      .optional()
      .describe(
        "GiB of downloaded models to keep, least recently used go first (default: 80 % of the free disk\nplus what the cache holds)",
      )
      .meta({ valueName: "GiB" }),
    leaseSeconds: z.coerce
      .number()
      .min(1)
      .max(3600)
      .default(VALIDATOR_SETTINGS.leaseMs / 1000)
      .describe(
        "a claimed job's lease, renewed every third of it: a worker that dies holds its job this long at most",
      )
      .meta({ valueName: "seconds" }),
  };
}

const workerOptionsSchema = z.object(workerOptions("vllm"));
export type WorkerOptions = z.infer<typeof workerOptionsSchema>;

export interface EvaluationWorkers {
  readonly workers: EvaluationWorker[];
  readonly gpuGroups: string[];
  readonly preflight: EvaluationPreflight;
  readonly onProgress: Progress | undefined;
}

/** `--gpus 0,1:2,3` as one engine's GPUs per group: ["0,1", "2,3"]; none without the flag. */
export function gpuGroupsOf(gpus: string | undefined): string[] {
  return gpus ? parseGpuGroups(gpus).map((group) => group.join(",")) : [];
}

/** Checks the flags of local evaluation before anything starts (exit 2 with what to change). */
export async function checkWorkerOptions(
  opts: WorkerOptions,
  ctx: CommandContext,
): Promise<{ gpuGroups: string[] }> {
  const config = ctx.loaded.config;
  if (!(opts.judgeUrl ?? config.judgeUrl)) {
    throw new UsageError("local evaluation needs a judge: pass --judge-url or set SN11_JUDGE_URL", {
      hint: "or mirror the owner's scores with sn11 validate --score-source remote",
    });
  }
  const gpuGroups = gpuGroupsOf(opts.gpus);
  const { checkDatasetSource, assertEngineFitsNetwork } = await import("../eval/evaluation.js");
  checkDatasetSource(opts.dataset, { config, cwd: ctx.cwd });
  if (gpuGroups.length > 1 && opts.engine === "embedded") {
    throw new UsageError(
      "one evaluation per GPU group needs a spawned engine: the embedded one shares this process",
      {
        hint: "use --engine vllm or llama-server with --gpus 0:1, or one group with --engine embedded",
      },
    );
  }
  assertEngineFitsNetwork(opts, config);
  return { gpuGroups };
}

/**
 * One evaluation worker per GPU group (one without --gpus), after the preflight of everything an
 * evaluation needs (exit 69, 70 or 78 before the first job is claimed).
 */
export async function evaluationWorkers(
  opts: WorkerOptions,
  ctx: CommandContext,
  o: { readonly profile: ScoringProfile; readonly shared: SharedStore; readonly gpuGroups: string[] },
): Promise<EvaluationWorkers> {
  const config = ctx.loaded.config;
  const store = ctx.store();
  const [{ preflightEvaluation }, { EvaluationWorker }] = await Promise.all([
    import("../eval/preflight.js"),
    import("../validator/worker.js"),
  ]);
  const preflight = await preflightEvaluation({
    config,
    profile: o.profile,
    store,
    engine: opts,
    gpuGroups: o.gpuGroups,
    judge: opts,
    dataset: opts.dataset,
    cwd: ctx.cwd,
    logger: ctx.logger,
    signal: ctx.signal,
  });
  const onProgress =
    o.gpuGroups.length <= 1 && !ctx.globals.json ? progressPrinter(opts.progress, ctx.stderr) : undefined;
  // Without --cache-budget: most of the disk the cache could use, never all of it (the store shares it).
  const cacheBudgetBytes =
    opts.cacheBudget !== undefined
      ? opts.cacheBudget * 1024 ** 3
      : defaultCacheBudget(freeBytesAt(modelsDir(config.dataDir)), store.modelCache.totalBytes());
  const workers = (o.gpuGroups.length > 0 ? o.gpuGroups : [undefined]).map(
    (gpu) =>
      new EvaluationWorker(
        {
          store,
          shared: o.shared,
          leaseMs: opts.leaseSeconds * 1000,
          profile: o.profile,
          config,
          cwd: ctx.cwd,
          hub: ctx.hub,
          engine: opts,
          judge: opts,
          evaluation: opts,
          dataset: opts.dataset,
          cacheBudgetBytes,
          logger: ctx.logger,
          cleanup: ctx.cleanup,
          signal: ctx.signal,
          drain: ctx.stop,
          onProgress,
          engineVersion: preflight.engine.version,
        },
        gpu,
      ),
  );
  return { workers, gpuGroups: o.gpuGroups, preflight, onProgress };
}
