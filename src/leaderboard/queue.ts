import type { Job } from "../store/eval-queue.js";

type QueueJob = Pick<Job, "id" | "status" | "commitBlock" | "nextAttemptAt" | "startedAt" | "finishedAt">;

/**
 * Each waiting job's place in line (1 = next), in the order the worker claims them: QUEUED jobs and ERROR
 * jobs whose retry is due, oldest commit block first, then by id. An ERROR job before its retry has none.
 */
export function queuePositions(jobs: readonly QueueJob[], now: Date): Map<number, number> {
  const due = jobs
    .filter(
      (j) =>
        j.status === "QUEUED" ||
        (j.status === "ERROR" && j.nextAttemptAt !== null && Date.parse(j.nextAttemptAt) <= now.getTime()),
    )
    .sort((a, b) => a.commitBlock - b.commitBlock || a.id - b.id);
  return new Map(due.map((j, i) => [j.id, i + 1]));
}

/** Each waiting uid's place in line: what "not evaluated here yet (#N in the queue)" says. */
export function queuePositionsByUid(
  jobs: readonly (QueueJob & { readonly uid: number })[],
  now: Date,
): Map<number, number> {
  const positions = queuePositions(jobs, now);
  return new Map(jobs.flatMap((j) => (positions.has(j.id) ? [[j.uid, positions.get(j.id) as number]] : [])));
}

/** Seconds the last `limit` finished evaluations took, newest first. */
export function recentDurations(jobs: readonly QueueJob[], limit = 10): number[] {
  return jobs
    .filter((j) => (j.status === "COMPLETED" || j.status === "FAILED") && j.startedAt && j.finishedAt)
    .map((j) => ({
      end: Date.parse(j.finishedAt as string),
      seconds: (Date.parse(j.finishedAt as string) - Date.parse(j.startedAt as string)) / 1000,
    }))
    .filter((d) => Number.isFinite(d.seconds) && d.seconds >= 0)
    .sort((a, b) => b.end - a.end)
    .slice(0, limit)
    .map((d) => d.seconds);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Fewer finished evaluations than this and there is no estimate: one slow model would be the whole ETA. */
export const ETA_MIN_HISTORY = 3;

/**
 * Seconds until the job at `position` is scored: it waits for a free worker (the soonest running job to end,
 * when all are busy), then for ⌈position / workers⌉ − 1 rounds of the median duration, then runs for one.
 * Null with too little history.
 */
export function queueEta(o: {
  position: number;
  runningStartedAt: readonly string[];
  durations: readonly number[];
  workers: number;
  now: Date;
}): number | null {
  if (o.durations.length < ETA_MIN_HISTORY) return null;
  const typical = median(o.durations);
  const workers = Math.max(1, o.workers);
  const remaining = o.runningStartedAt.map((s) =>
    Math.max(0, typical - (o.now.getTime() - Date.parse(s)) / 1000),
  );
  const firstFree = remaining.length >= workers ? Math.min(...remaining) : 0;
  return Math.round(firstFree + Math.floor((o.position - 1) / workers) * typical + typical);
}
