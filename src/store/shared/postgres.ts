import pg from "pg";
import { ConfigError } from "../../errors.js";
import type { Logger } from "../../log.js";
import { type Job, type JobRow, type JobStatus, noJobs, type QueueSync, toJob } from "../eval-queue.js";
import { type EvaluationRecord, type EvaluationRow, toEvaluation } from "../evaluations.js";
import { type ProgressRow, toProgress } from "../job-progress.js";
import { postgresError } from "./postgres-errors.js";
import { LATEST_POSTGRES_VERSION, POSTGRES_MIGRATIONS } from "./postgres-migrations.js";
import { redactedStoreUrl, withLibpqSslModes } from "./postgres-url.js";
import type { ClaimedJob, SharedStore } from "./shared-store.js";

type Queryable = pg.Pool | pg.PoolClient;

/** Any constant: every box that migrates takes the same lock, so two starting at once migrate once. */
const MIGRATION_LOCK = 0x736e3131;

const DUE = `(status = 'QUEUED' OR (status = 'ERROR' AND next_attempt_at <= now())
  OR (status = 'RUNNING' AND lease_expires_at <= now()))`;
const UNFINISHED = "status IN ('QUEUED', 'RUNNING', 'ERROR')";
const HELD = "status = 'RUNNING' AND lease_owner = $2";

/**
 * A PostgreSQL row in the SQLite store's shape: `timestamptz` columns come back as Dates, SQLite's as ISO
 * strings; everything else reads the same, so one mapping serves both stores.
 */
function sqliteShaped<T>(row: Record<string, unknown>): T {
  return Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]),
  ) as T;
}

const asJob = (row: Record<string, unknown>): Job => toJob(sqliteShaped<JobRow>(row));
const asEvaluation = (row: Record<string, unknown>): EvaluationRecord =>
  toEvaluation(sqliteShaped<EvaluationRow>(row));

export interface PostgresStoreOptions {
  readonly logger: Logger;
  /** Shown in pg_stat_activity: which sn11 command on which box holds a connection. */
  readonly applicationName?: string;
  readonly maxConnections?: number;
}

/**
 * The shared store in PostgreSQL: several boxes' workers claim jobs with `FOR UPDATE SKIP LOCKED` (two
 * never take the same one, and none waits on another's claim), each under a lease on the database's
 * clock that its worker renews; a worker that dies stops renewing and its job is due again once the lease
 * runs out. Opening it migrates the schema forward.
 */
export async function openPostgresStore(url: string, o: PostgresStoreOptions): Promise<SharedStore> {
  const location = redactedStoreUrl(url);
  const pool = new pg.Pool({
    connectionString: withLibpqSslModes(url),
    max: o.maxConnections ?? 4,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    query_timeout: 30_000,
    keepAlive: true,
    application_name: o.applicationName ?? "sn11",
  });
  // An idle connection the server drops must not crash the process: the next query reconnects.
  pool.on("error", (error) =>
    o.logger.warn({ error: error.message, store: location }, "shared store connection lost"),
  );
  try {
    await migrate(pool, location);
  } catch (error) {
    await pool.end().catch(() => {});
    throw postgresError(error, location);
  }
  return new PostgresStore(pool, location);
}

async function migrate(pool: pg.Pool, location: string): Promise<void> {
  await inTransaction(pool, location, async (c) => {
    await c.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await c.query(
      `CREATE TABLE IF NOT EXISTS sn11_schema (
         version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
    );
    const { rows } = await c.query("SELECT COALESCE(MAX(version), 0)::int AS v FROM sn11_schema");
    const version = rows[0].v as number;
    if (version > LATEST_POSTGRES_VERSION) {
      throw new ConfigError(
        `the shared store ${location} has schema version ${version}, this sn11 reads ${LATEST_POSTGRES_VERSION}`,
        { hint: "every box that shares a store runs the same sn11 release: update this one (sn11 update)" },
      );
    }
    for (const m of POSTGRES_MIGRATIONS.filter((m) => m.version > version)) {
      await c.query(m.sql);
      await c.query("INSERT INTO sn11_schema (version, name) VALUES ($1, $2)", [m.version, m.name]);
    }
  });
}

async function inTransaction<T>(
  pool: pg.Pool,
  location: string,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw postgresError(error, location);
  }
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw postgresError(error, location);
  } finally {
    client.release();
  }
}

class PostgresStore implements SharedStore {
  readonly kind = "postgres" as const;

  constructor(
    private readonly pool: pg.Pool,
    readonly location: string,
  ) {}

  private async rows(sql: string, params: readonly unknown[] = [], on: Queryable = this.pool) {
    try {
      return (await on.query(sql, params as unknown[])).rows as Record<string, unknown>[];
    } catch (error) {
      throw postgresError(error, this.location);
    }
  }

  private async changed(sql: string, params: readonly unknown[]): Promise<boolean> {
    try {
      return ((await this.pool.query(sql, params as unknown[])).rowCount ?? 0) > 0;
    } catch (error) {
      throw postgresError(error, this.location);
    }
  }

  private transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, this.location, work);
  }

  private upsertWanted(on: Queryable, profile: string, w: Parameters<SharedStore["addToQueue"]>[1]) {
    // xmax = 0 only on a row this statement inserted.
    return this.rows(
      `INSERT INTO eval_queue
         (profile, repo, entry_hash, hotkey, uid, commit_block, chat_template, status, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'QUEUED', now(), now())
       ON CONFLICT (profile, repo, entry_hash) DO UPDATE SET hotkey = excluded.hotkey, uid = excluded.uid,
         commit_block = excluded.commit_block, chat_template = excluded.chat_template, updated_at = now()
       RETURNING *, (xmax = 0) AS inserted`,
      [profile, w.repo, w.entryHash, w.hotkey, w.uid, w.commitBlock, w.chatTemplate],
      on,
    ).then(([row]) => ({ job: asJob(row as Record<string, unknown>), isNew: row?.inserted === true }));
  }

  syncQueue(profile: string, wanted: Parameters<SharedStore["syncQueue"]>[1]): Promise<QueueSync> {
    return this.transaction(async (c) => {
      const added: Job[] = [];
      const keep: number[] = [];
      for (const w of wanted) {
        const { job, isNew } = await this.upsertWanted(c, profile, w);
        keep.push(job.id);
        if (isNew) added.push(job);
      }
      const dropped = await this.rows(
        `DELETE FROM eval_queue WHERE profile = $1 AND ${UNFINISHED} AND NOT (id = ANY($2::int[])) RETURNING *`,
        [profile, keep],
        c,
      );
      return { added, dropped: dropped.map(asJob) };
    });
  }

  addToQueue(profile: string, wanted: Parameters<SharedStore["addToQueue"]>[1]) {
    return this.upsertWanted(this.pool, profile, wanted);
  }

  async job(profile: string, repo: string, entryHash: string): Promise<Job | undefined> {
    const [row] = await this.rows(
      "SELECT * FROM eval_queue WHERE profile = $1 AND repo = $2 AND entry_hash = $3",
      [profile, repo, entryHash],
    );
    return row ? asJob(row) : undefined;
  }

  async jobs(profile: string): Promise<Job[]> {
    return (
      await this.rows("SELECT * FROM eval_queue WHERE profile = $1 ORDER BY commit_block, id", [profile])
    ).map(asJob);
  }

  async unfinishedJobs(profile: string): Promise<Job[]> {
    return (
      await this.rows(
        `SELECT * FROM eval_queue WHERE profile = $1 AND ${UNFINISHED} ORDER BY commit_block, id`,
        [profile],
      )
    ).map(asJob);
  }

  async queueCounts(profile: string): Promise<Record<JobStatus, number>> {
    const counts = noJobs();
    const rows = await this.rows(
      "SELECT status, COUNT(*)::int AS n FROM eval_queue WHERE profile = $1 GROUP BY status",
      [profile],
    );
    for (const r of rows) counts[r.status as JobStatus] = r.n as number;
    return counts;
  }

  async claim(profile: string, lease: { owner: string; ms: number }): Promise<ClaimedJob | undefined> {
    // The subquery reads the row as it was, so the previous owner of an expired lease is still there.
    const [row] = await this.rows(
      `UPDATE eval_queue q SET status = 'RUNNING', attempts = q.attempts + 1, started_at = now(),
           updated_at = now(), lease_owner = $2, lease_expires_at = now() + $3 * interval '1 millisecond'
         FROM (SELECT id, status AS was, lease_owner AS previous_owner FROM eval_queue
                 WHERE profile = $1 AND ${DUE}
                 ORDER BY commit_block, id LIMIT 1 FOR UPDATE SKIP LOCKED) due
         WHERE q.id = due.id
         RETURNING q.*, due.was, due.previous_owner`,
      [profile, lease.owner, lease.ms],
    );
    if (!row) return undefined;
    return {
      ...asJob(row),
      tookOverFrom: row.was === "RUNNING" ? (row.previous_owner as string | null) : null,
    };
  }

  renew(jobId: number, lease: { owner: string; ms: number }): Promise<boolean> {
    return this.changed(
      `UPDATE eval_queue SET lease_expires_at = now() + $3 * interval '1 millisecond' WHERE id = $1 AND ${HELD}`,
      [jobId, lease.owner, lease.ms],
    );
  }

  finish(job: Job, lease: { owner: string }, result: Parameters<SharedStore["finish"]>[2]): Promise<boolean> {
    return this.transaction(async (c) => {
      const updated = await c.query(
        `UPDATE eval_queue SET status = $3, total_score = $4, revision = $5, last_error = $6, finished_at = now(),
             next_attempt_at = NULL, updated_at = now(), lease_owner = NULL, lease_expires_at = NULL
           WHERE id = $1 AND ${HELD}`,
        [job.id, lease.owner, result.status, result.totalScore, result.revision, result.reason],
      );
      if ((updated.rowCount ?? 0) === 0) return false;
      await this.upsertEvaluationOn(c, {
        ...result,
        repo: job.repo,
        entryHash: job.entryHash,
        profile: job.profile,
      });
      return true;
    });
  }

  fail(jobId: number, lease: { owner: string }, message: string, retryInMs: number): Promise<boolean> {
    return this.changed(
      `UPDATE eval_queue SET status = 'ERROR', last_error = $3, next_attempt_at = now() + $4 * interval '1 millisecond',
           updated_at = now(), lease_owner = NULL, lease_expires_at = NULL
         WHERE id = $1 AND ${HELD}`,
      [jobId, lease.owner, message, retryInMs],
    );
  }

  requeue(jobId: number, lease: { owner: string }): Promise<boolean> {
    return this.changed(
      `UPDATE eval_queue SET status = 'QUEUED', attempts = GREATEST(attempts - 1, 0), updated_at = now(),
           lease_owner = NULL, lease_expires_at = NULL
         WHERE id = $1 AND ${HELD}`,
      [jobId, lease.owner],
    );
  }

  async recoverInterrupted(): Promise<number> {
    return 0;
  }

  async setModelHash(jobId: number, modelHash: string): Promise<void> {
    await this.rows("UPDATE eval_queue SET model_hash = $2 WHERE id = $1", [jobId, modelHash]);
  }

  async jobsWithModelHash(profile: string, modelHash: string): Promise<Job[]> {
    return (
      await this.rows("SELECT * FROM eval_queue WHERE profile = $1 AND model_hash = $2 ORDER BY id", [
        profile,
        modelHash,
      ])
    ).map(asJob);
  }

  async evaluation(repo: string, entryHash: string, profile: string): Promise<EvaluationRecord | undefined> {
    const [row] = await this.rows(
      "SELECT * FROM evaluations WHERE repo = $1 AND entry_hash = $2 AND profile = $3",
      [repo, entryHash, profile],
    );
    return row ? asEvaluation(row) : undefined;
  }

  async evaluations(profile: string): Promise<EvaluationRecord[]> {
    return (
      await this.rows("SELECT * FROM evaluations WHERE profile = $1 ORDER BY repo, entry_hash", [profile])
    ).map(asEvaluation);
  }

  async putEvaluation(record: Omit<EvaluationRecord, "updatedAt">): Promise<void> {
    await this.upsertEvaluationOn(this.pool, record);
  }

  private async upsertEvaluationOn(on: Queryable, r: Omit<EvaluationRecord, "updatedAt">): Promise<void> {
    await this.rows(
      `INSERT INTO evaluations (repo, entry_hash, profile, status, total_score, revision, reason, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now(), now())
         ON CONFLICT (repo, entry_hash, profile) DO UPDATE SET status = excluded.status,
           total_score = excluded.total_score, revision = excluded.revision, reason = excluded.reason,
           updated_at = excluded.updated_at`,
      [r.repo, r.entryHash, r.profile, r.status, r.totalScore, r.revision, r.reason],
      on,
    );
  }

  async recordCommitments(entries: Parameters<SharedStore["recordCommitments"]>[0]): Promise<void> {
    if (entries.length === 0) return;
    await this.rows(
      `INSERT INTO commitments_seen (hotkey, repo, entry_hash, block, first_seen)
         SELECT * , now() FROM unnest($1::text[], $2::text[], $3::text[], $4::int[])
         ON CONFLICT DO NOTHING`,
      [
        entries.map((e) => e.hotkey),
        entries.map((e) => e.repo),
        entries.map((e) => e.entryHash),
        entries.map((e) => e.block),
      ],
    );
  }

  async previousCommitment(hotkey: string, block: number) {
    const [row] = await this.rows(
      `SELECT hotkey, repo, entry_hash, block FROM commitments_seen
         WHERE hotkey = $1 AND block < $2 ORDER BY block DESC LIMIT 1`,
      [hotkey, block],
    );
    return row
      ? {
          hotkey: row.hotkey as string,
          repo: row.repo as string,
          entryHash: row.entry_hash as string,
          block: row.block as number,
        }
      : undefined;
  }

  async putProgress(jobId: number, event: Parameters<SharedStore["putProgress"]>[1]): Promise<void> {
    await this.rows(
      `INSERT INTO job_progress (job_id, stage, done, total, detail, updated_at) VALUES ($1, $2, $3, $4, $5, now())
         ON CONFLICT (job_id) DO UPDATE SET stage = excluded.stage, done = excluded.done, total = excluded.total,
           detail = excluded.detail, updated_at = excluded.updated_at`,
      [jobId, event.stage, event.done, event.total, event.detail ?? null],
    );
  }

  async clearProgress(jobId: number): Promise<void> {
    await this.rows("DELETE FROM job_progress WHERE job_id = $1", [jobId]);
  }

  async progress() {
    return (await this.rows("SELECT * FROM job_progress ORDER BY job_id")).map((r) =>
      toProgress(sqliteShaped<ProgressRow>(r)),
    );
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

export interface PostgresProbe {
  readonly server: string;
  /** sn11's schema version in that database; 0 before any sn11 opened it. */
  readonly schema: number;
  readonly unfinishedJobs: number | null;
}

/** What `sn11 doctor` reads of a shared store: reachable, its server and schema. Never writes. */
export async function probePostgresStore(url: string): Promise<PostgresProbe> {
  const location = redactedStoreUrl(url);
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: 10_000,
    query_timeout: 10_000,
  });
  try {
    await client.connect();
    const server = (await client.query("SHOW server_version")).rows[0]?.server_version as string;
    const known = (await client.query("SELECT to_regclass('sn11_schema') IS NOT NULL AS known")).rows[0]
      ?.known;
    const schema = known
      ? ((await client.query("SELECT COALESCE(MAX(version), 0)::int AS v FROM sn11_schema")).rows[0]
          ?.v as number)
      : 0;
    const unfinishedJobs =
      schema > 0
        ? ((await client.query(`SELECT COUNT(*)::int AS n FROM eval_queue WHERE ${UNFINISHED}`)).rows[0]
            ?.n as number)
        : null;
    return { server, schema, unfinishedJobs };
  } catch (error) {
    throw postgresError(error, location);
  } finally {
    await client.end().catch(() => {});
  }
}
