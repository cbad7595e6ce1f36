import type { ProgressEvent } from "../eval/progress.js";
import type { LeaderboardRow } from "../leaderboard/build.js";
import type { Tally } from "../scoring/judge-score.js";
import type { JobStatus } from "../store/eval-queue.js";
import type { ValidatorStateRecord } from "../store/validator-state.js";
import { HEARTBEAT_MS } from "../store/validator-state.js";
import type { StepRecord } from "../store/validator-steps.js";

export type DashboardView = "validator" | "miner";

export interface DaemonStatus {
  /** running: a live process with a fresh heartbeat; stale: neither stopped nor beating; none: never ran here. */
  readonly state: "running" | "stopped" | "stale" | "none";
  readonly pid: number | null;
  readonly heartbeatAgeSeconds: number | null;
  readonly nextStepAt: string | null;
  readonly workers: number | null;
}

export interface QueueItem {
  readonly jobId: number;
  readonly uid: number;
  readonly repo: string;
  readonly status: JobStatus;
  readonly attempts: number;
  readonly position: number | null;
  readonly etaSeconds: number | null;
  readonly lastError: string | null;
  readonly nextAttemptAt: string | null;
  readonly progress: ProgressEvent | null;
}

export interface BoardItem {
  readonly rank: number;
  readonly row: LeaderboardRow;
  /** The commitment string as on chain (shown in the detail view, made inert there). */
  readonly commitment: string | null;
}

export interface RunItem {
  readonly id: number;
  readonly repo: string;
  readonly revision: string;
  readonly status: "RUNNING" | "COMPLETED" | "FAILED";
  readonly updatedAt: string;
  readonly generated: number;
  readonly judged: number;
  readonly costUsd: number;
  readonly winRate: number | null;
  readonly totalScore: number | null;
  readonly tally: Tally | null;
}

/** One judged sample of a run, for the detail view: what the model wrote and what the judge said. */
export interface JudgeExample {
  readonly idx: number;
  readonly generation: string | null;
  /** Outcome per criterion, or the reason there is none (a judge error, a refused generation). */
  readonly verdict: Readonly<Record<string, string>> | string | null;
}

/** One refresh of everything the dashboard shows: immutable, rendered as is, printed as JSON off a terminal. */
export interface DashboardData {
  readonly at: string;
  readonly view: DashboardView;
  readonly netuid: number;
  readonly network: string;
  readonly profile: string;
  readonly dataDir: string;
  readonly block: number | null;
  /** Where the board's chain state comes from: `chain <url>`, `step #N`, `snapshot <file>` or `none`. */
  readonly boardSource: string;
  readonly chainError: string | null;
  readonly daemon: DaemonStatus;
  readonly queue: readonly QueueItem[];
  readonly board: readonly BoardItem[];
  readonly pruneNext: number | null;
  readonly steps: readonly StepRecord[];
  /** The reveal of each committing step (commit-reveal subnets), by step id. */
  readonly reveals: Readonly<
    Record<number, { readonly status: string; readonly revealBlock: number | null }>
  >;
  readonly runs: readonly RunItem[];
  /** Problems worth a look, newest first: evaluation errors and steps that did not send. */
  readonly log: readonly string[];
  readonly mine: { readonly hotkey: string; readonly uid: number | null } | null;
  /** When this hotkey may set weights again (its last update + the rate limit), where the chain was read. */
  readonly weightsFree: { readonly atBlock: number; readonly blocksLeft: number } | null;
}

/** The daemon's liveness from its state row: three missed heartbeats and a live pid or not. */
export function daemonStatus(
  state: ValidatorStateRecord | undefined,
  alive: (pid: number) => boolean,
  now: Date,
): DaemonStatus {
  if (!state) return { state: "none", pid: null, heartbeatAgeSeconds: null, nextStepAt: null, workers: null };
  const age = Math.max(0, (now.getTime() - Date.parse(state.heartbeatAt)) / 1000);
  const fresh = age * 1000 < 3 * HEARTBEAT_MS;
  return {
    state: state.stoppedAt ? "stopped" : fresh && alive(state.pid) ? "running" : "stale",
    pid: state.pid,
    heartbeatAgeSeconds: Math.round(age),
    nextStepAt: state.stoppedAt ? null : state.nextStepAt,
    workers: state.workers,
  };
}

/** Errors and refusals worth a look, newest first. */
export function logLines(queue: readonly QueueItem[], steps: readonly StepRecord[]): string[] {
  const lines: { at: string; text: string }[] = [];
  for (const q of queue) {
    if (q.status === "ERROR" && q.lastError) {
      const retry = q.nextAttemptAt ? `, retry ${q.nextAttemptAt.slice(11, 16)}` : "";
      lines.push({
        at: q.nextAttemptAt ?? "",
        text: `job ${q.jobId} uid ${q.uid} ERROR ${q.lastError}${retry} (attempt ${q.attempts})`,
      });
    }
  }
  for (const s of steps) {
    if (s.outcome === "not_sent" || s.outcome === "skipped" || s.outcome === "interrupted") {
      lines.push({
        at: s.finishedAt ?? s.startedAt,
        text: `step #${s.id} ${s.outcome}: ${s.reason ?? ""}`.trim(),
      });
    }
  }
  return lines.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).map((l) => l.text);
}
