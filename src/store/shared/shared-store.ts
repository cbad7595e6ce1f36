import type { ProgressEvent } from "../../eval/progress.js";
import type { SeenCommitment } from "../commitments-seen.js";
import type { ClaimedJob, Job, JobStatus, Lease, QueueSync, WantedEvaluation } from "../eval-queue.js";
import type { EvaluationRecord } from "../evaluations.js";
import type { JobProgressRecord } from "../job-progress.js";

export type { ClaimedJob, Lease };

export interface JobResult {
  readonly status: "COMPLETED" | "FAILED";
  readonly totalScore: number;
  readonly revision: string | null;
  readonly reason: string | null;
}

/**
 * What the validator daemon, its evaluation workers and the score server share: the evaluation queue, the
 * results, the commitments seen and each running job's progress. On one box it is the data dir's SQLite
 * file (the default); on several, one PostgreSQL database. Everything else (score runs, model cache, judge
 * verdicts, steps, weight commits) stays in each box's own SQLite store.
 *
 * Every call that changes a claimed job names its lease: it only takes effect while the worker still holds
 * the job (false once another worker took over an expired lease, or the daemon dropped the entry).
 */
export interface SharedStore {
  readonly kind: "sqlite" | "postgres";
  /** Where it is, without a password (for banners and logs). */
  readonly location: string;

  /** Makes the unfinished part of the queue exactly `wanted`. */
  syncQueue(profile: string, wanted: readonly WantedEvaluation[]): Promise<QueueSync>;
  /** Queues one entry unless it is already queued (the score server's `/check_model`). */
  addToQueue(profile: string, wanted: WantedEvaluation): Promise<{ job: Job; isNew: boolean }>;
  job(profile: string, repo: string, entryHash: string): Promise<Job | undefined>;
  jobs(profile: string): Promise<Job[]>;
  unfinishedJobs(profile: string): Promise<Job[]>;
  queueCounts(profile: string): Promise<Record<JobStatus, number>>;

  /** The next due job (oldest commit first; an expired lease is due), leased to `lease.owner`. */
  claim(profile: string, lease: Lease): Promise<ClaimedJob | undefined>;
  renew(jobId: number, lease: Lease): Promise<boolean>;
  /** The job's final result and the evaluation a step reads, in one transaction. */
  finish(job: Job, lease: Lease, result: JobResult): Promise<boolean>;
  /** An infrastructure failure: due again after `retryInMs`. */
  fail(jobId: number, lease: Lease, message: string, retryInMs: number): Promise<boolean>;
  /** Back in line after a stop on purpose; the attempt does not count. */
  requeue(jobId: number, lease: Lease): Promise<boolean>;
  /**
   * At the daemon's start: jobs a crashed run of it left RUNNING go back to the queue. Only the SQLite store
   * can tell they were its own (one daemon per data dir); a shared database waits for their leases.
   */
  recoverInterrupted(): Promise<number>;
  setModelHash(jobId: number, modelHash: string): Promise<void>;
  jobsWithModelHash(profile: string, modelHash: string): Promise<Job[]>;

  evaluation(repo: string, entryHash: string, profile: string): Promise<EvaluationRecord | undefined>;
  evaluations(profile: string): Promise<EvaluationRecord[]>;
  putEvaluation(record: Omit<EvaluationRecord, "updatedAt">): Promise<void>;

  recordCommitments(entries: readonly SeenCommitment[]): Promise<void>;
  previousCommitment(hotkey: string, block: number): Promise<SeenCommitment | undefined>;

  putProgress(jobId: number, event: ProgressEvent): Promise<void>;
  clearProgress(jobId: number): Promise<void>;
  progress(): Promise<JobProgressRecord[]>;

  close(): Promise<void>;
}
