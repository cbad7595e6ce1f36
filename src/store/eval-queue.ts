import { type Db, prepared } from "./db.js";

export const JOB_STATUSES = ["QUEUED", "RUNNING", "COMPLETED", "FAILED", "ERROR"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** What the chain says should be evaluated: one registry entry that passed the parse, block and hash rules. */
export interface WantedEvaluation {
  readonly repo: string;
  readonly entryHash: string;
  readonly hotkey: string;
  readonly uid: number;
  readonly commitBlock: number;
  readonly chatTemplate: string;
}

export interface Job extends WantedEvaluation {
  readonly id: number;
  readonly profile: string;
  readonly status: JobStatus;
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly lastError: string | null;
  readonly revision: string | null;
  readonly totalScore: number | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  /** The reference's weights fingerprint (DIPPY-SPEC §4.3), once the repo was inspected. */
  readonly modelHash: string | null;
  /** The worker running it (RUNNING only), and until when its lease holds unless renewed. */
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: string | null;
}

/** A worker's claim on the job it runs: it renews it while it works; one that stops renewing loses it. */
export interface Lease {
  readonly owner: string;
  readonly ms: number;
}

/** A claimed job, and the worker whose lease on it had run out when it was one (null: it was queued). */
export interface ClaimedJob extends Job {
  readonly tookOverFrom: string | null;
}

/** An eval_queue row as SQLite returns it (PostgreSQL's, once its timestamps are ISO strings). */
export interface JobRow {
  id: number;
  profile: string;
  repo: string;
  entry_hash: string;
  hotkey: string;
  uid: number;
  commit_block: number;
  chat_template: string;
  status: JobStatus;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  revision: string | null;
  total_score: number | null;
  started_at: string | null;
  finished_at: string | null;
  model_hash: string | null;
  lease_owner: string | null;
  lease_expires_at: string | null;
}

export function toJob(r: JobRow): Job {
  return {
    id: r.id,
    profile: r.profile,
    repo: r.repo,
    entryHash: r.entry_hash,
    hotkey: r.hotkey,
    uid: r.uid,
    commitBlock: r.commit_block,
    chatTemplate: r.chat_template,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    revision: r.revision,
    totalScore: r.total_score,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    modelHash: r.model_hash,
    leaseOwner: r.lease_owner,
    leaseExpiresAt: r.lease_expires_at,
  };
}

export interface QueueSync {
  readonly added: readonly Job[];
  /** Unfinished jobs whose commitment changed or whose uid left the subnet: no longer wanted. */
  readonly dropped: readonly Job[];
}

const UNFINISHED = "('QUEUED', 'RUNNING', 'ERROR')";

/**
 * The validator's evaluation queue, one row per (profile, repo, entry hash). Jobs are taken oldest commit
 * block first, as the reference's owner queue does; ERROR jobs come back after their backoff.
 */
export class EvalQueue {
  constructor(private readonly db: Db) {}

  /** Makes the unfinished part of the queue exactly `wanted`, in one transaction. */
  sync(profile: string, wanted: readonly WantedEvaluation[], now: Date = new Date()): QueueSync {
    const at = now.toISOString();
    return this.db
      .transaction((): QueueSync => {
        const added: Job[] = [];
        const keep = new Set<number>();
        for (const w of wanted) {
          const { job, isNew } = this.upsertWanted(profile, w, at);
          keep.add(job.id);
          if (isNew) added.push(job);
        }
        const unfinished = (
          prepared(this.db, `SELECT * FROM eval_queue WHERE profile = ? AND status IN ${UNFINISHED}`).all(
            profile,
          ) as JobRow[]
        ).map(toJob);
        const dropped = unfinished.filter((j) => !keep.has(j.id));
        for (const job of dropped) prepared(this.db, "DELETE FROM eval_queue WHERE id = ?").run(job.id);
        return { added, dropped };
      })
      .immediate();
  }

  /**
   * Queues one entry unless it is already in the queue (a score server's `/check_model`): the daemon's next
   * sync keeps it when the chain has it, and drops it when it does not.
   */
  add(profile: string, wanted: WantedEvaluation, now: Date = new Date()): { job: Job; isNew: boolean } {
    return this.db.transaction(() => this.upsertWanted(profile, wanted, now.toISOString())).immediate();
  }

  private upsertWanted(profile: string, w: WantedEvaluation, at: string): { job: Job; isNew: boolean } {
    const existing = this.find(profile, w.repo, w.entryHash);
    if (existing) {
      prepared(
        this.db,
        `UPDATE eval_queue SET hotkey = ?, uid = ?, commit_block = ?, chat_template = ?, updated_at = ?
           WHERE id = ?`,
      ).run(w.hotkey, w.uid, w.commitBlock, w.chatTemplate, at, existing.id);
      return { job: this.get(existing.id) as Job, isNew: false };
    }
    const info = prepared(
      this.db,
      `INSERT INTO eval_queue
           (profile, repo, entry_hash, hotkey, uid, commit_block, chat_template, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'QUEUED', ?, ?)`,
    ).run(profile, w.repo, w.entryHash, w.hotkey, w.uid, w.commitBlock, w.chatTemplate, at, at);
    return { job: this.get(Number(info.lastInsertRowid)) as Job, isNew: true };
  }

  /** The queue's job for one entry, whatever its state. */
  find(profile: string, repo: string, entryHash: string): Job | undefined {
    const row = prepared(
      this.db,
      "SELECT * FROM eval_queue WHERE profile = ? AND repo = ? AND entry_hash = ?",
    ).get(profile, repo, entryHash) as JobRow | undefined;
    return row ? toJob(row) : undefined;
  }

  get(id: number): Job | undefined {
    const row = prepared(this.db, "SELECT * FROM eval_queue WHERE id = ?").get(id) as JobRow | undefined;
    return row ? toJob(row) : undefined;
  }

  /**
   * Marks the next due job RUNNING and returns it; undefined when nothing is due. With a lease, a RUNNING job
   * whose lease ran out (its worker crashed) is due again; without one (the single daemon of a data dir,
   * which recovers its own jobs at start), the job has no expiry.
   */
  claim(profile: string, now: Date = new Date(), lease?: Lease): ClaimedJob | undefined {
    const at = now.toISOString();
    const expires = lease ? new Date(now.getTime() + lease.ms).toISOString() : null;
    return this.db
      .transaction(() => {
        const row = prepared(
          this.db,
          `SELECT * FROM eval_queue
             WHERE profile = ? AND (status = 'QUEUED' OR (status = 'ERROR' AND next_attempt_at <= ?)
               OR (status = 'RUNNING' AND lease_expires_at <= ?))
             ORDER BY commit_block, id LIMIT 1`,
        ).get(profile, at, at) as JobRow | undefined;
        if (!row) return undefined;
        prepared(
          this.db,
          `UPDATE eval_queue SET status = 'RUNNING', attempts = attempts + 1, started_at = ?, updated_at = ?,
             lease_owner = ?, lease_expires_at = ? WHERE id = ?`,
        ).run(at, at, lease?.owner ?? null, expires, row.id);
        const job = this.get(row.id) as Job;
        return { ...job, tookOverFrom: row.status === "RUNNING" ? row.lease_owner : null };
      })
      .immediate();
  }

  /** Extends the lease of a job its owner still runs; false when the lease was lost (or the job dropped). */
  renew(id: number, lease: Lease, now: Date = new Date()): boolean {
    return (
      prepared(
        this.db,
        `UPDATE eval_queue SET lease_expires_at = ? WHERE id = ? AND status = 'RUNNING' AND lease_owner = ?`,
      ).run(new Date(now.getTime() + lease.ms).toISOString(), id, lease.owner).changes > 0
    );
  }

  setModelHash(id: number, modelHash: string): void {
    prepared(this.db, "UPDATE eval_queue SET model_hash = ? WHERE id = ?").run(modelHash, id);
  }

  /** Every entry of the profile with these weights, in queue order (for the copied-weights rule). */
  withModelHash(profile: string, modelHash: string): Job[] {
    const rows = prepared(
      this.db,
      "SELECT * FROM eval_queue WHERE profile = ? AND model_hash = ? ORDER BY id",
    ).all(profile, modelHash) as JobRow[];
    return rows.map(toJob);
  }

  /**
   * A final result: COMPLETED with a score, or FAILED because of the model. Given its lease owner, only while
   * that worker still holds the job (false otherwise: another worker took it over).
   */
  finish(
    id: number,
    result: {
      status: "COMPLETED" | "FAILED";
      totalScore: number;
      revision: string | null;
      reason: string | null;
    },
    now: Date = new Date(),
    owner?: string,
  ): boolean {
    const at = now.toISOString();
    return (
      prepared(
        this.db,
        `UPDATE eval_queue SET status = ?, total_score = ?, revision = ?, last_error = ?, finished_at = ?,
             next_attempt_at = NULL, updated_at = ?, lease_owner = NULL, lease_expires_at = NULL
           WHERE id = ? ${owner === undefined ? "AND ? IS NULL" : "AND status = 'RUNNING' AND lease_owner = ?"}`,
      ).run(result.status, result.totalScore, result.revision, result.reason, at, at, id, owner ?? null)
        .changes > 0
    );
  }

  /** An infrastructure failure: tried again at `retryAt`, never a score for the miner. */
  error(id: number, message: string, retryAt: Date, now: Date = new Date(), owner?: string): boolean {
    return (
      prepared(
        this.db,
        `UPDATE eval_queue SET status = 'ERROR', last_error = ?, next_attempt_at = ?, updated_at = ?,
             lease_owner = NULL, lease_expires_at = NULL
           WHERE id = ? ${owner === undefined ? "AND ? IS NULL" : "AND status = 'RUNNING' AND lease_owner = ?"}`,
      ).run(message, retryAt.toISOString(), now.toISOString(), id, owner ?? null).changes > 0
    );
  }

  /** Puts a job that was stopped on purpose back in line; the attempt does not count. */
  requeue(id: number, now: Date = new Date(), owner?: string): boolean {
    return (
      prepared(
        this.db,
        `UPDATE eval_queue SET status = 'QUEUED', attempts = MAX(attempts - 1, 0), updated_at = ?,
             lease_owner = NULL, lease_expires_at = NULL
           WHERE id = ? AND status = 'RUNNING' ${owner === undefined ? "AND ? IS NULL" : "AND lease_owner = ?"}`,
      ).run(now.toISOString(), id, owner ?? null).changes > 0
    );
  }

  /** After a crash: jobs left RUNNING by a process that is gone go back to the queue (their samples stay). */
  recoverInterrupted(now: Date = new Date()): number {
    return prepared(
      this.db,
      `UPDATE eval_queue SET status = 'QUEUED', lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
         WHERE status = 'RUNNING'`,
    ).run(now.toISOString()).changes;
  }

  unfinished(profile: string): Job[] {
    return (
      prepared(
        this.db,
        `SELECT * FROM eval_queue WHERE profile = ? AND status IN ${UNFINISHED} ORDER BY commit_block, id`,
      ).all(profile) as JobRow[]
    ).map(toJob);
  }

  list(profile: string): Job[] {
    return (
      prepared(this.db, "SELECT * FROM eval_queue WHERE profile = ? ORDER BY commit_block, id").all(
        profile,
      ) as JobRow[]
    ).map(toJob);
  }

  counts(profile: string): Record<JobStatus, number> {
    const counts = noJobs();
    const rows = prepared(
      this.db,
      "SELECT status, COUNT(*) AS n FROM eval_queue WHERE profile = ? GROUP BY status",
    ).all(profile) as { status: JobStatus; n: number }[];
    for (const r of rows) counts[r.status] = r.n;
    return counts;
  }
}

/** Every status with a count of 0, to be filled from a GROUP BY. */
export function noJobs(): Record<JobStatus, number> {
  return Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
}

/** Nothing left to claim or to wait for (jobs in an ERROR backoff come back later, on their own). */
export function isDrained(counts: Record<JobStatus, number>): boolean {
  return counts.QUEUED + counts.RUNNING === 0;
}
