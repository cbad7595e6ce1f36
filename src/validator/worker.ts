import type { CleanupRegistry } from "../cleanup.js";
import type { Config } from "../config/schema.js";
import {
  CancelledError,
  ConfigError,
  EngineError,
  EngineStartError,
  NetworkError,
  UsageError,
} from "../errors.js";
import {
  createEngine,
  createJudge,
  downloadModel,
  type EngineSettings,
  type EvaluationSettings,
  engineMismatch,
  engineRepoMismatch,
  ggufRun,
  isLlamaCpp,
  type JudgeSettings,
  loadDatasetRows,
  runEvaluation,
} from "../eval/evaluation.js";
import type { Hub } from "../eval/hub/hub.js";
import { referenceModelHash } from "../eval/hub/model-hash.js";
import { runPrechecks } from "../eval/hub/prechecks.js";
import type { RepoInspection } from "../eval/hub/types.js";
import type { ScoreCard } from "../eval/pipeline.js";
import { fanOut, type Progress } from "../eval/progress.js";
import type { Logger } from "../log.js";
import { copiedFrom, submissionRateLimit } from "../scoring/owner-rules.js";
import type { ChatTemplateName, ScoringProfile } from "../scoring/profile.js";
import { redact } from "../secrets.js";
import type { Job } from "../store/eval-queue.js";
import { storeProgress } from "../store/job-progress.js";
import type { Store } from "../store/store.js";
import { errorRetryAt } from "./settings.js";

export interface WorkerDeps {
  readonly store: Store;
  readonly profile: ScoringProfile;
  readonly config: Config;
  readonly cwd: string;
  readonly hub: () => Promise<Hub>;
  readonly engine: EngineSettings;
  readonly judge: JudgeSettings;
  readonly evaluation: EvaluationSettings;
  readonly dataset: string;
  readonly cacheBudgetBytes: number | null;
  readonly logger: Logger;
  readonly cleanup: CleanupRegistry;
  /** Hard stop: abort everything now (second Ctrl-C, fatal error). */
  readonly signal: AbortSignal;
  /** Graceful stop: finish the samples in flight, commit them, put the job back in the queue. */
  readonly drain: AbortSignal;
  /** Progress of the running evaluation (the daemon's TTY display), besides the log lines. */
  readonly onProgress?: Progress;
  /** The engine's version as the preflight read it, recorded on every card. */
  readonly engineVersion?: string;
}

export type JobOutcome = "COMPLETED" | "FAILED" | "ERROR" | "STOPPED" | "DROPPED";

export interface JobReport {
  readonly job: Job;
  readonly outcome: JobOutcome;
  readonly seconds: number;
  readonly card: ScoreCard | null;
  readonly reason: string | null;
}

/** A log line each time a stage (download, generate, judge) passes another tenth: enough to follow it. */
function progressLog(log: Logger): Progress {
  const lastTenth = new Map<string, number>();
  return (event) => {
    const tenth = event.total > 0 ? Math.floor((event.done / event.total) * 10) : 10;
    if (lastTenth.get(event.stage) === tenth) return;
    lastTenth.set(event.stage, tenth);
    log.info({ stage: event.stage, done: event.done, total: event.total }, "evaluation progress");
  };
}

/** The model's own fault: a final FAILED, as the reference records it. */
class ModelFault extends Error {}

/** The same weights as an earlier submission: the reference records it COMPLETED with a score of 0. */
class CopiedWeights extends Error {}

/**
 * Evaluates queued models one at a time (one worker per GPU): inspect and precheck at the commit `main`
 * points to, download into the cache, run the pipeline, record the result. Infrastructure failures
 * become ERROR with a backoff, never a score for the miner.
 */
export class EvaluationWorker {
  private current: { job: Job; controller: AbortController } | null = null;

  constructor(
    private readonly deps: WorkerDeps,
    readonly gpu?: string,
  ) {}

  /** Stops the running evaluation when its entry left the queue (changed commitment, deregistered uid). */
  drop(jobIds: ReadonlySet<number>): void {
    if (this.current && jobIds.has(this.current.job.id)) this.current.controller.abort(new Error("dropped"));
  }

  /** Takes the next due job and evaluates it; null when nothing is due. */
  async runNext(): Promise<JobReport | null> {
    const job = this.deps.store.evalQueue.claim(this.deps.profile.id);
    if (!job) return null;
    return this.run(job);
  }

  private async run(job: Job): Promise<JobReport> {
    const { store, logger } = this.deps;
    const log = logger.child({ job: job.id, repo: job.repo, uid: job.uid });
    const controller = new AbortController();
    this.current = { job, controller };
    const signal = AbortSignal.any([this.deps.signal, controller.signal]);
    const t0 = performance.now();
    const report = (outcome: JobOutcome, card: ScoreCard | null, reason: string | null): JobReport => ({
      job,
      outcome,
      card,
      reason,
      seconds: (performance.now() - t0) / 1000,
    });
    log.info({ attempt: job.attempts, gpu: this.gpu }, "evaluation started");
    try {
      const card = await this.evaluate(job, signal, log);
      // No valid verdict at all is the judge's failure, not the model's.
      if (card.status === "FAILED" && card.valid === 0) throw new NetworkError(card.reason ?? "judge failed");
      this.record(job, card.status, card.total_score, card.revision, card.reason);
      log.info(
        { status: card.status, score: Math.round(card.total_score * 10_000) / 10_000 },
        "evaluation finished",
      );
      return report(card.status, card, card.reason);
    } catch (error) {
      if (controller.signal.aborted) {
        log.info("evaluation stopped: the entry left the queue");
        return report("DROPPED", null, "the commitment changed or the uid left the subnet");
      }
      if (error instanceof CancelledError) {
        store.evalQueue.requeue(job.id);
        log.info("evaluation stopped; it resumes from its last committed sample");
        return report("STOPPED", null, "stopped");
      }
      const message = redact((error as Error).message ?? String(error));
      if (error instanceof ModelFault || error instanceof CopiedWeights) {
        const status = error instanceof ModelFault ? "FAILED" : "COMPLETED";
        this.record(job, status, 0, null, message);
        log.warn({ status, reason: message }, "model rejected before its evaluation");
        return report(status, null, message);
      }
      const retryAt = errorRetryAt(new Date(), job.attempts);
      store.evalQueue.error(job.id, message, retryAt);
      // An engine that refuses its command line refuses it for every model: stop, say why (exit 70).
      if (error instanceof EngineStartError && error.refusedArguments) throw error;
      const expected =
        error instanceof NetworkError || error instanceof EngineError || error instanceof ConfigError;
      log[expected ? "warn" : "error"](
        { err: expected ? undefined : error, reason: message, retry_at: retryAt.toISOString() },
        "evaluation error (infrastructure): retried later",
      );
      return report("ERROR", null, message);
    } finally {
      this.current = null;
      store.jobProgress.clear(job.id);
    }
  }

  /** The job's final result and the evaluation a step reads, in one transaction. */
  private record(
    job: Job,
    status: "COMPLETED" | "FAILED",
    totalScore: number,
    revision: string | null,
    reason: string | null,
  ): void {
    const { store, profile } = this.deps;
    store.db.transaction(() => {
      store.evalQueue.finish(job.id, { status, totalScore, revision, reason });
      store.evaluations.upsert({
        repo: job.repo,
        entryHash: job.entryHash,
        profile: profile.id,
        status,
        totalScore,
        revision,
        reason,
      });
    })();
  }

  /**
   * The owner's precheck rules that decide a status (DIPPY-SPEC §4.2), in its order: the hotkey's previous
   * submission is old enough, template, size and index are right, and the weights are not an earlier
   * submission's (then COMPLETED with 0, as the reference records a copy).
   */
  private async precheck(job: Job, inspection: RepoInspection): Promise<void> {
    const { store, profile } = this.deps;
    const previous = store.commitmentsSeen.previous(job.hotkey, job.commitBlock);
    if (previous) {
      const status = store.evaluations.get(previous.repo, previous.entryHash, profile.id)?.status;
      const limit = submissionRateLimit(
        {
          previousBlock: previous.block,
          previousFailed: status === "FAILED",
          sameEntry: previous.entryHash === job.entryHash,
          block: job.commitBlock,
        },
        profile.submissionRateLimitBlocks,
      );
      if (limit.limited) {
        throw new ModelFault(
          `submitted ${limit.gap} blocks after this hotkey's previous submission (${previous.repo}); the limit is ${profile.submissionRateLimitBlocks}`,
        );
      }
    }
    const failed = runPrechecks(inspection, { profile, chatTemplate: job.chatTemplate }).filter((c) => !c.ok);
    if (failed.length > 0) {
      throw new ModelFault(`precheck failed: ${failed.map((c) => `${c.name}: ${c.detail}`).join("; ")}`);
    }
    const index = inspection.index as NonNullable<RepoInspection["index"]>;
    const modelHash = await referenceModelHash(index, inspection.files, inspection.contentSha256);
    store.evalQueue.setModelHash(job.id, modelHash);
    const original = copiedFrom(store.evalQueue.withModelHash(profile.id, modelHash), job.commitBlock);
    if (original) {
      throw new CopiedWeights(
        `same weights (model hash ${modelHash.slice(0, 12)}…) as ${original.repo}, committed earlier at block ${original.commitBlock}`,
      );
    }
  }

  private async evaluate(job: Job, signal: AbortSignal, log: Logger): Promise<ScoreCard> {
    const { deps } = this;
    const hub = await deps.hub();
    let inspection: Awaited<ReturnType<Hub["inspect"]>>;
    try {
      inspection = await hub.inspect(job.repo, "main");
    } catch (error) {
      // Not found, private or gated: the reference fails the model at its precheck.
      if (error instanceof UsageError) throw new ModelFault(error.message);
      throw error;
    }
    await this.precheck(job, inspection);
    const unfit = engineRepoMismatch(job.repo, inspection.files, deps.engine);
    if (unfit) throw new EngineError(unfit, { hint: "this validator's engine, not the model: see --engine" });
    const progress = fanOut(progressLog(log), deps.onProgress, storeProgress(deps.store.jobProgress, job.id));
    const { source, release } = await downloadModel(job.repo, inspection, {
      config: deps.config,
      store: deps.store,
      cacheBudgetBytes: deps.cacheBudgetBytes,
      logger: log,
      // Downloads resume: a graceful stop need not wait for gigabytes.
      signal: AbortSignal.any([signal, deps.drain]),
      onProgress: progress,
      ggufOnly: isLlamaCpp(deps.engine),
    });
    try {
      const mismatch = engineMismatch(source, deps.engine);
      if (mismatch) throw new EngineError(mismatch);
      const rows = await loadDatasetRows(deps.dataset, {
        config: deps.config,
        cwd: deps.cwd,
        logger: log,
        signal,
      });
      const { judge, judgeModel } = await createJudge(deps.config, deps.judge, {
        profile: deps.profile,
        store: deps.store,
        logger: log,
      });
      const engine = await createEngine(
        source,
        { ...deps.engine, gpu: this.gpu },
        {
          profile: deps.profile,
          userSeed: deps.evaluation.seed,
          dataDir: deps.config.dataDir,
          npmRegistry: deps.config.npmRegistry,
          logger: log,
          cleanup: deps.cleanup,
          onProgress: progress,
          engineVersion: deps.engineVersion,
          isolateEmbedded: true,
        },
      );
      return await runEvaluation({
        source,
        gguf: ggufRun(source, deps.engine),
        origin: "validate",
        chatTemplate: job.chatTemplate as ChatTemplateName,
        engine,
        judge,
        judgeModel,
        rows,
        settings: deps.evaluation,
        profile: deps.profile,
        store: deps.store,
        fresh: false,
        logger: log,
        signal,
        drain: deps.drain,
        onProgress: progress,
      });
    } finally {
      release();
    }
  }
}
