import type { KeyringPair } from "@polkadot/keyring/types";
import type { ChainClient } from "../chain/client.js";
import type { CommitRevealMode } from "../chain/commit-weights.js";
import type { Metagraph } from "../chain/types.js";
import { CancelledError } from "../errors.js";
import type { Logger } from "../log.js";
import type { ScoringProfile } from "../scoring/profile.js";
import { isDrained, type QueueSync } from "../store/eval-queue.js";
import type { SharedStore } from "../store/shared/shared-store.js";
import { sqliteSharedStore } from "../store/shared/sqlite.js";
import type { Store } from "../store/store.js";
import { HEARTBEAT_MS } from "../store/validator-state.js";
import { collectGarbageWhileIdle } from "./idle-gc.js";
import type { ValidatorMetrics } from "./metrics.js";
import { nextStepAt, type Schedule, windowOf } from "./schedule.js";
import {
  checkReveals,
  runStep,
  type ScoreSource,
  type StepMode,
  type StepResult,
  syncQueue,
} from "./step.js";
import type { ConsensusWatch } from "./step-consensus.js";
import type { EvaluationWorker, JobReport } from "./worker.js";

export interface ValidatorOptions {
  readonly store: Store;
  /** The queue and results the workers share: the store's own SQLite file by default, or PostgreSQL. */
  readonly shared?: SharedStore;
  readonly profile: ScoringProfile;
  readonly netuid: number;
  /** The chain endpoint, as the dashboard shows it. */
  readonly network?: string;
  readonly mode: StepMode;
  readonly scoreSource: ScoreSource;
  readonly schedule: Schedule;
  /** Evaluate what is due, run one step, return. */
  readonly once: boolean;
  /** Step at start, then keep the schedule. */
  readonly immediate: boolean;
  readonly syncEveryMs: number;
  readonly chain: () => Promise<ChainClient>;
  readonly signer: () => Promise<KeyringPair>;
  /** One per GPU; none when scores come from the remote API. */
  readonly workers: readonly EvaluationWorker[];
  readonly metrics: ValidatorMetrics | null;
  readonly logger: Logger;
  /** Graceful stop (first SIGTERM / Ctrl-C). */
  readonly drain: AbortSignal;
  readonly now?: () => number;
  /** On a commit-reveal subnet: timelocked commits (default) or hash commits that sn11 reveals. */
  readonly commitReveal?: CommitRevealMode;
  /** Whose agreement with the chain's consensus each step records, and when it warns. */
  readonly consensus?: ConsensusWatch;
  /** Told about every finished step as it happens (the output line, the health endpoint). */
  readonly onStep?: (result: StepResult) => void;
  /** Told about every finished evaluation as it happens. */
  readonly onEvaluation?: (report: JobReport) => void;
}

/**
 * What a run did: counts only. A daemon runs for months; each result was told to the callbacks as it
 * happened, and everything is in the store (sn11 weights --history, sn11 status).
 */
export interface ValidatorRun {
  readonly stepCount: number;
  readonly evaluationCount: number;
}

/** Sleeps until a timeout, a `wake()` or the stop signal, whichever comes first. */
class Alarm {
  private wakeUp: (() => void) | null = null;

  constructor(private readonly stop: AbortSignal) {}

  sleep(ms: number): Promise<void> {
    if (this.stop.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.stop.removeEventListener("abort", finish);
        this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(finish, Math.max(0, ms));
      this.stop.addEventListener("abort", finish, { once: true });
      const previous = this.wakeUp;
      this.wakeUp = () => {
        previous?.();
        finish();
      };
    });
  }

  wake(): void {
    this.wakeUp?.();
  }
}

const IDLE_POLL_MS = 5_000;

/**
 * The validator: a scheduler that syncs the chain and steps once per window, and one evaluation worker
 * per GPU draining the queue. Everything it learns is in the store before it acts on it, so a restart
 * after kill -9 continues where it stopped.
 */
export async function runValidator(options: ValidatorOptions): Promise<ValidatorRun> {
  const { store, profile, logger, drain } = options;
  const shared = options.shared ?? sqliteSharedStore(store);
  const now = options.now ?? Date.now;
  let stepCount = 0;
  let evaluationCount = 0;
  const run = (): ValidatorRun => ({ stepCount, evaluationCount });
  const recovered = await shared.recoverInterrupted();
  const interrupted = store.validatorSteps.markInterrupted();
  if (recovered || interrupted) {
    logger.info(
      { evaluations: recovered, steps: interrupted },
      "resuming after an unclean stop: evaluations continue from their last committed sample",
    );
  }
  store.validatorState.started({
    pid: process.pid,
    network: options.network ?? "",
    netuid: options.netuid,
    workers: options.workers.length,
  });
  const heartbeat = setInterval(() => store.validatorState.beat(), HEARTBEAT_MS);
  heartbeat.unref();
  // A worker that fails outside an evaluation (a bug, a broken store) stops the whole validator.
  const halt = new AbortController();
  const stop = AbortSignal.any([drain, halt.signal]);
  const workAlarm = new Alarm(stop);
  const scheduleAlarm = new Alarm(stop);
  const onQueueSync = (sync: QueueSync) => {
    if (sync.dropped.length > 0) {
      const ids = new Set(sync.dropped.map((j) => j.id));
      for (const worker of options.workers) worker.drop(ids);
      logger.info({ dropped: sync.dropped.map((j) => j.repo) }, "queue: entries no longer on chain dropped");
    }
    if (sync.added.length > 0) {
      logger.info({ added: sync.added.map((j) => j.repo) }, "queue: new commitments queued");
      workAlarm.wake();
    }
  };

  const sync = async (): Promise<void> => {
    let chain: ChainClient;
    let metagraph: Metagraph;
    try {
      chain = await options.chain();
      metagraph = await chain.metagraph(options.netuid);
    } catch (error) {
      if (error instanceof CancelledError) throw error;
      options.metrics?.chainError();
      logger.warn({ error: (error as Error).message }, "chain sync failed; the next sync or step retries");
      return;
    }
    try {
      await syncQueue(shared, profile, metagraph, onQueueSync);
    } catch (error) {
      // As before the shared store: a failed sync (a store busy or unreachable) is retried, never fatal.
      if (error instanceof CancelledError) throw error;
      logger.warn({ error: (error as Error).message }, "queue sync failed; the next sync or step retries");
    }
    try {
      // A commit's reveal is seen between steps too, so its outcome is known within a sync interval.
      const signer = options.mode === "live" ? options.signer : null;
      options.metrics?.reveals(await checkReveals(store, metagraph, chain, logger, signer));
    } catch (error) {
      if (error instanceof CancelledError) throw error;
      options.metrics?.chainError();
      logger.warn({ error: (error as Error).message }, "chain sync failed; the next sync or step retries");
    }
  };

  const step = async (): Promise<void> => {
    const result = await runStep({
      chain: options.chain,
      store,
      shared,
      profile,
      netuid: options.netuid,
      mode: options.mode,
      scoreSource: options.scoreSource,
      signer: options.signer,
      logger,
      signal: drain,
      onQueueSync,
      commitReveal: options.commitReveal,
      consensus: options.consensus,
    });
    stepCount++;
    collectGarbageWhileIdle();
    options.metrics?.step(result);
    options.onStep?.(result);
  };

  const due = async () => !isDrained(await shared.queueCounts(profile.id));

  const work = async (worker: EvaluationWorker, stopWhenIdle: boolean): Promise<void> => {
    while (!stop.aborted) {
      const report = await worker.runNext();
      if (report) {
        evaluationCount++;
        collectGarbageWhileIdle();
        options.metrics?.evaluation(report);
        options.onEvaluation?.(report);
        continue;
      }
      if (stopWhenIdle && !(await due())) return;
      await workAlarm.sleep(IDLE_POLL_MS);
    }
  };

  try {
    if (options.once) {
      if (options.scoreSource.kind === "local" && options.workers.length > 0) {
        await sync();
        await Promise.all(options.workers.map((w) => work(w, true)));
      }
      if (!drain.aborted) await step();
      return run();
    }

    let workerFailure: unknown = null;
    const workers = options.workers.map((w) =>
      work(w, false).catch((error: unknown) => {
        workerFailure ??= error;
        halt.abort(error);
      }),
    );
    let lastWindow: number | null = null;
    let lastSync = 0;
    if (!options.immediate) {
      await sync();
      lastSync = now();
    }
    while (!stop.aborted) {
      const t = now();
      const next = options.immediate && stepCount === 0 ? t : nextStepAt(t, options.schedule, lastWindow);
      store.validatorState.beat(new Date(next));
      if (t >= next) {
        lastWindow = windowOf(t, options.schedule);
        await step();
        lastSync = now();
        continue;
      }
      const syncAt = lastSync + options.syncEveryMs;
      if (t >= syncAt) {
        await sync();
        lastSync = now();
        continue;
      }
      await scheduleAlarm.sleep(Math.min(next, syncAt) - t);
    }
    await Promise.all(workers);
    if (workerFailure) throw workerFailure;
    return run();
  } catch (error) {
    if (error instanceof CancelledError && drain.aborted) return run();
    throw error;
  } finally {
    clearInterval(heartbeat);
    if (store.db.open) store.validatorState.stopped();
  }
}
