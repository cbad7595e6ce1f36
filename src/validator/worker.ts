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
import { fanOut, type Progress, type ProgressEvent } from "../eval/progress.js";
import type { Logger } from "../log.js";
import { retrying } from "../retry.js";
import { copiedFrom, submissionRateLimit } from "../scoring/owner-rules.js";
import type { ChatTemplateName, ScoringProfile } from "../scoring/profile.js";
import { redact } from "../secrets.js";
import type { Job, Lease } from "../store/eval-queue.js";
import { storeProgress } from "../store/job-progress.js";
import type { SharedStore } from "../store/shared/shared-store.js";
import { sqliteSharedStore } from "../store/shared/sqlite.js";
import type { Store } from "../store/store.js";
import { errorRetryDelayMs, VALIDATOR_SETTINGS } from "./settings.js";
import { workerName } from "./worker-name.js";

export interface WorkerDeps {
  /** This box's store: score runs (resumable samples), the model cache, judge verdicts. */
  readonly store: Store;
  /** The queue and results: the same SQLite file by default, or the PostgreSQL several boxes share. */
  readonly shared?: SharedStore;
  /** The lease a job is claimed with (default VALIDATOR_SETTINGS.leaseMs), renewed every third of it. */
  readonly leaseMs?: number;
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
  private readonly shared: SharedStore;
  /** Who holds a claimed job: this box, this process and its GPU group (as `SELECT lease_owner` shows). */
  readonly lease: Lease;

  constructor(
    private readonly deps: WorkerDeps,
    readonly gpu?: string,
  ) {
    this.shared = deps.shared ?? sqliteSharedStore(deps.store);
    this.lease = { owner: workerName(gpu), ms: deps.leaseMs ?? VALIDATOR_SETTINGS.leaseMs };
  }

  /** Stops the running evaluation when its entry left the queue (changed commitment, deregistered uid). */
  drop(jobIds: ReadonlySet<number>): void {
    if (this.current && jobIds.has(this.current.job.id)) {
      this.current.controller.abort(new Error("the commitment changed or the uid left the subnet"));
    }
  }

  /**
   * Takes the next due job and evaluates it; null when nothing is due, or when the shared store cannot be
   * reached (the caller waits and asks again: a database restart must not stop the workers).
   */
  async runNext(): Promise<JobReport | null> {
    let job: Awaited<ReturnType<SharedStore["claim"]>>;
    try {
      job = await this.shared.claim(this.deps.profile.id, this.lease);
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
      this.deps.logger.warn({ error: error.message }, "cannot claim a job; asking again later");
      return null;
    }
    if (!job) return null;
    if (job.tookOverFrom) {
      this.deps.logger.warn(
        { job: job.id, repo: job.repo, from: job.tookOverFrom },
        "took over a job whose worker stopped renewing its lease",
      );
    }
    return this.run(job);
  }

  /** Renews the lease while the job runs; a lease that was lost stops the job (another worker has it). */
  private keepLease(job: Job, controller: AbortController, log: Logger): () => void {
    const timer = setInterval(
      () => {
        this.shared.renew(job.id, this.lease).then(
          (held) => {
            if (!held && !controller.signal.aborted) {
              controller.abort(new Error("its lease was lost (expired or the entry was dropped)"));
            }
          },
          (error: unknown) => log.warn({ error: (error as Error).message }, "cannot renew the job's lease"),
        );
      },
      Math.max(100, Math.floor(this.lease.ms / 3)),
    );
    timer.unref();
    return () => clearInterval(timer);
  }

  private async run(job: Job): Promise<JobReport> {
    const { logger } = this.deps;
    const { shared } = this;
    const log = logger.child({ job: job.id, repo: job.repo, uid: job.uid });
    const controller = new AbortController();
    this.current = { job, controller };
    const stopLease = this.keepLease(job, controller, log);
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
      if (!(await this.record(job, card.status, card.total_score, card.revision, card.reason, log))) {
        return report("DROPPED", card, "its lease was lost before the result was recorded");
      }
      log.info(
        { status: card.status, score: Math.round(card.total_score * 10_000) / 10_000 },
        "evaluation finished",
      );
      return report(card.status, card, card.reason);
    } catch (error) {
      if (controller.signal.aborted) {
        const reason = String((controller.signal.reason as Error)?.message ?? "dropped");
        log.info({ reason }, "evaluation stopped: the job is no longer this worker's");
        return report("DROPPED", null, reason);
      }
      if (error instanceof CancelledError) {
        await this.settle(() => shared.requeue(job.id, this.lease), log);
        log.info("evaluation stopped; it resumes from its last committed sample");
        return report("STOPPED", null, "stopped");
      }
      const message = redact((error as Error).message ?? String(error));
      if (error instanceof ModelFault || error instanceof CopiedWeights) {
        const status = error instanceof ModelFault ? "FAILED" : "COMPLETED";
        await this.record(job, status, 0, null, message, log);
        log.warn({ status, reason: message }, "model rejected before its evaluation");
        return report(status, null, message);
      }
      const retryInMs = errorRetryDelayMs(job.attempts);
      const retryAt = new Date(Date.now() + retryInMs);
      await this.settle(() => shared.fail(job.id, this.lease, message, retryInMs), log);
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
      stopLease();
      this.current = null;
      await shared.clearProgress(job.id).catch(() => {});
    }
  }

  /**
   * Writes a claimed job's outcome; a shared store that is briefly unreachable is tried again, and one that
   * stays so leaves the job to its lease (the next worker that takes it resumes from the samples here, if
   * it runs on this box). False when the lease was lost: another worker's result counts.
   */
  private async settle(write: () => Promise<boolean>, log: Logger): Promise<boolean> {
    try {
      // No stop signal: an outcome is written even on the way out (four tries, 7 s at most).
      const held = await retrying(write, {
        attempts: 4,
        delayMs: 1_000,
        retryable: (error) => error instanceof NetworkError,
      });
      if (!held) log.warn("the job's lease was lost before its outcome was written: another worker has it");
      return held;
    } catch (error) {
      log.error({ error: (error as Error).message }, "cannot write the job's outcome; its lease will expire");
      return false;
    }
  }

  /** The job's final result and the evaluation a step reads, in one transaction. */
  private record(
    job: Job,
    status: "COMPLETED" | "FAILED",
    totalScore: number,
    revision: string | null,
    reason: string | null,
    log: Logger,
  ): Promise<boolean> {
    return this.settle(
      () => this.shared.finish(job, this.lease, { status, totalScore, revision, reason }),
      log,
    );
  }

  /**
   * The owner's precheck rules that decide a status (DIPPY-SPEC §4.2), in its order: the hotkey's previous
   * submission is old enough, template, size and index are right, and the weights are not an earlier
   * submission's (then COMPLETED with 0, as the reference records a copy).
   */
  private async precheck(job: Job, inspection: RepoInspection): Promise<void> {
    const { profile } = this.deps;
    const { shared } = this;
    const previous = await shared.previousCommitment(job.hotkey, job.commitBlock);
    if (previous) {
      const status = (await shared.evaluation(previous.repo, previous.entryHash, profile.id))?.status;
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
    await shared.setModelHash(job.id, modelHash);
    const original = copiedFrom(await shared.jobsWithModelHash(profile.id, modelHash), job.commitBlock);
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
    // Progress is for watchers: a write that fails (the job was just dropped) costs a progress row, no more.
    const sink = { put: (id: number, e: ProgressEvent) => this.shared.putProgress(id, e).catch(() => {}) };
    const progress = fanOut(progressLog(log), deps.onProgress, storeProgress(sink, job.id));
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
