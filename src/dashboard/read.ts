import { snapshotFromChain, toSnapshotEvaluations } from "../chain/snapshot.js";
import type { Metagraph } from "../chain/types.js";
import { buildLeaderboard, chainFacts } from "../leaderboard/build.js";
import { queueEta, queuePositions, recentDurations } from "../leaderboard/queue.js";
import { defaultSort, selectRows } from "../leaderboard/select.js";
import { lastRecordedSnapshot, storeFacts } from "../leaderboard/sources.js";
import { isProcessAlive } from "../process-alive.js";
import type { Tally } from "../scoring/judge-score.js";
import type { ScoringProfile } from "../scoring/profile.js";
import { replaySnapshot } from "../scoring/replay.js";
import type { Snapshot } from "../scoring/snapshot.js";
import type { Job } from "../store/eval-queue.js";
import type { EvaluationRecord } from "../store/evaluations.js";
import type { JobProgressRecord } from "../store/job-progress.js";
import type { SharedStore } from "../store/shared/shared-store.js";
import type { Store } from "../store/store.js";
import {
  type DashboardData,
  type DashboardView,
  daemonStatus,
  type JudgeExample,
  logLines,
  type QueueItem,
  type RunItem,
} from "./data.js";

/** Where the board's chain state comes from: the chain (read by the dashboard), the last step, or a file. */
export type BoardBase =
  | { readonly kind: "chain"; readonly url: string; readonly metagraph: Metagraph | null }
  | { readonly kind: "step" }
  | { readonly kind: "file"; readonly file: string; readonly snapshot: Snapshot };

/** The queue, its results and its progress rows as last read from a shared PostgreSQL store. */
export interface SharedQueue {
  readonly evaluations: readonly EvaluationRecord[];
  readonly jobs: readonly Job[];
  readonly progress: readonly JobProgressRecord[];
}

export interface ReadOptions {
  readonly profile: ScoringProfile;
  /** Where the workers write, when not this store (sn11 dashboard --store): read there by the caller. */
  readonly queue?: SharedQueue | null;
  readonly netuid: number;
  readonly network: string;
  readonly dataDir: string;
  readonly view: DashboardView | "auto";
  readonly hotkey: string | null;
  readonly base: BoardBase;
  readonly chainError: string | null;
  readonly now: Date;
  readonly runs?: number;
  readonly steps?: number;
}

/** One refresh: a handful of indexed reads of the store (no sample texts), then the pure join. */
export function readDashboard(store: Store, o: ReadOptions): DashboardData {
  const facts = storeFacts(store, o.profile.id, o.queue ?? undefined);
  const state = store.validatorState.get();
  const steps = store.validatorSteps.list(o.steps ?? 10);
  const base = resolveBase(store, o);
  const board = base
    ? buildLeaderboard({
        replay: replaySnapshot(base.snapshot, o.profile),
        profile: o.profile,
        chain: base.metagraph ? chainFacts(base.metagraph) : null,
        store: facts,
        owner: null,
        now: o.now,
      })
    : null;
  const positions = queuePositions(facts.jobs, o.now);
  const durations = recentDurations(facts.jobs);
  const runningSince = facts.jobs
    .filter((j) => j.status === "RUNNING" && j.startedAt)
    .map((j) => j.startedAt as string);
  const workers = state?.workers || facts.workers;
  const progress = new Map((o.queue?.progress ?? store.jobProgress.all()).map((p) => [p.jobId, p]));
  const queue: QueueItem[] = facts.jobs
    .filter((j) => j.status === "QUEUED" || j.status === "RUNNING" || j.status === "ERROR")
    .map((j) => {
      const position = positions.get(j.id) ?? null;
      const p = progress.get(j.id);
      return {
        jobId: j.id,
        uid: j.uid,
        repo: j.repo,
        status: j.status,
        attempts: j.attempts,
        position,
        etaSeconds:
          position === null
            ? null
            : queueEta({ position, runningStartedAt: runningSince, durations, workers, now: o.now }),
        lastError: j.lastError,
        nextAttemptAt: j.status === "ERROR" ? j.nextAttemptAt : null,
        progress: p
          ? { stage: p.stage, done: p.done, total: p.total, ...(p.detail ? { detail: p.detail } : {}) }
          : null,
      };
    })
    .sort((a, b) => rankOf(a) - rankOf(b) || (a.position ?? 1e9) - (b.position ?? 1e9) || a.jobId - b.jobId);
  const ranked = board ? selectRows(board.rows, { sort: defaultSort(board.rows) }).top : [];
  const commitments = new Map(base?.snapshot.commitments.map((c) => [c.hotkey, c.data]) ?? []);
  const view = o.view === "auto" ? (state || steps.length > 0 ? "validator" : "miner") : o.view;
  const mineUid = o.hotkey ? (base?.snapshot.hotkeys.indexOf(o.hotkey) ?? -1) : -1;
  return {
    at: o.now.toISOString(),
    view,
    netuid: base?.snapshot.netuid ?? o.netuid,
    network: state?.network || o.network,
    profile: o.profile.id,
    dataDir: o.dataDir,
    block: base?.snapshot.block ?? null,
    boardSource: base?.source ?? "none",
    chainError: o.chainError,
    daemon: daemonStatus(state, isProcessAlive, o.now),
    queue,
    board: ranked.map(({ rank, row }) => ({ rank, row, commitment: commitments.get(row.hotkey) ?? null })),
    pruneNext: board?.pruneNext ?? null,
    steps,
    reveals: Object.fromEntries(
      steps.flatMap((step) => {
        const commit = step.outcome === "committed" ? store.weightCommits.forStep(step.id) : undefined;
        return commit ? [[step.id, { status: commit.status, revealBlock: commit.revealBlock }]] : [];
      }),
    ),
    runs: runItems(store, o.runs ?? 10),
    log: logLines(queue, steps),
    mine: o.hotkey ? { hotkey: o.hotkey, uid: mineUid >= 0 ? mineUid : null } : null,
    weightsFree: weightsFree(base?.metagraph ?? null, o.hotkey),
  };
}

function weightsFree(m: Metagraph | null, hotkey: string | null): DashboardData["weightsFree"] {
  const neuron = m && hotkey ? m.neurons.find((n) => n.hotkey === hotkey) : undefined;
  if (!m || !neuron) return null;
  const atBlock = neuron.lastUpdate + m.hyperparameters.weightsRateLimit;
  return { atBlock, blocksLeft: Math.max(0, atBlock - m.block.number) };
}

const rankOf = (q: QueueItem) => (q.status === "RUNNING" ? 0 : q.status === "QUEUED" ? 1 : 2);

function resolveBase(
  store: Store,
  o: ReadOptions,
): { snapshot: Snapshot; metagraph: Metagraph | null; source: string } | null {
  const evaluations = () =>
    toSnapshotEvaluations(o.queue ? [...o.queue.evaluations] : store.evaluations.forProfile(o.profile.id));
  if (o.base.kind === "file")
    return { snapshot: o.base.snapshot, metagraph: null, source: `snapshot ${o.base.file}` };
  if (o.base.kind === "chain" && o.base.metagraph) {
    return {
      snapshot: snapshotFromChain(o.base.metagraph, evaluations()),
      metagraph: o.base.metagraph,
      source: `chain ${o.base.url}`,
    };
  }
  // No chain (offline, or not read yet): the state the last step saw, with today's evaluations.
  const recorded = lastRecordedSnapshot(store);
  if (!recorded) return null;
  return {
    snapshot: { ...recorded.snapshot, evaluations: evaluations() },
    metagraph: null,
    source: `step #${recorded.step.id}`,
  };
}

function runItems(store: Store, limit: number): RunItem[] {
  return store.scoreRuns.list(limit).map((run) => {
    const p = store.scoreRuns.progress(run.id);
    const card = (run.result ?? null) as { win_rate?: number; total_score?: number; tally?: Tally } | null;
    return {
      id: run.id,
      repo: run.repo,
      revision: run.revision,
      status: run.status,
      updatedAt: run.updatedAt,
      generated: p.generated,
      judged: p.judged,
      costUsd: p.costUsd,
      winRate: card?.win_rate ?? null,
      totalScore: card?.total_score ?? null,
      tally: card?.tally ?? null,
    };
  });
}

/** A run's first judged samples (sample texts are read only here, never in a refresh). */
export function judgeExamples(store: Store, runId: number, limit = 3): JudgeExample[] {
  return store.scoreRuns
    .samples(runId)
    .slice(0, limit)
    .map((s) => ({
      idx: s.idx,
      generation: s.generation,
      verdict:
        s.judgeError ??
        s.genError ??
        (s.verdict !== null && typeof s.verdict === "object"
          ? (s.verdict as Record<string, string>)
          : (s.verdict as string | null)),
    }));
}

/** One read of the shared store's queue side, for the next frames. */
export async function readSharedQueue(shared: SharedStore, profile: string): Promise<SharedQueue> {
  const [evaluations, jobs, progress] = await Promise.all([
    shared.evaluations(profile),
    shared.jobs(profile),
    shared.progress(),
  ]);
  return { evaluations, jobs, progress };
}
