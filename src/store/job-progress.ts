import type { ProgressEvent } from "../eval/progress.js";
import { type Db, prepared } from "./db.js";

export interface JobProgressRecord extends ProgressEvent {
  readonly jobId: number;
  readonly updatedAt: string;
}

/** The last progress event of each running evaluation, for readers in other processes (the dashboard). */
export class JobProgress {
  constructor(private readonly db: Db) {}

  put(jobId: number, event: ProgressEvent, now: Date = new Date()): void {
    prepared(
      this.db,
      `INSERT OR REPLACE INTO job_progress (job_id, stage, done, total, detail, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(jobId, event.stage, event.done, event.total, event.detail ?? null, now.toISOString());
  }

  clear(jobId: number): void {
    prepared(this.db, "DELETE FROM job_progress WHERE job_id = ?").run(jobId);
  }

  all(): JobProgressRecord[] {
    return (prepared(this.db, "SELECT * FROM job_progress ORDER BY job_id").all() as ProgressRow[]).map(
      toProgress,
    );
  }
}

/** A job_progress row as SQLite returns it (PostgreSQL's, once its timestamp is an ISO string). */
export interface ProgressRow {
  job_id: number;
  stage: string;
  done: number;
  total: number;
  detail: string | null;
  updated_at: string;
}

export function toProgress(r: ProgressRow): JobProgressRecord {
  return {
    jobId: r.job_id,
    stage: r.stage,
    done: r.done,
    total: r.total,
    ...(r.detail === null ? {} : { detail: r.detail }),
    updatedAt: r.updated_at,
  };
}

/**
 * A progress listener that keeps a job's row current without a write per token: at most one write a
 * second, plus every change of stage and the end of one.
 */
export function storeProgress(
  progress: { put(jobId: number, event: ProgressEvent, at: Date): unknown },
  jobId: number,
  o: { intervalMs?: number; now?: () => number } = {},
): (event: ProgressEvent) => void {
  const interval = o.intervalMs ?? 1000;
  const now = o.now ?? Date.now;
  let lastStage = "";
  let lastWrite = 0;
  return (event) => {
    const t = now();
    const finished = event.total > 0 && event.done >= event.total;
    if (event.stage === lastStage && !finished && t - lastWrite < interval) return;
    lastStage = event.stage;
    lastWrite = t;
    progress.put(jobId, event, new Date(t));
  };
}
