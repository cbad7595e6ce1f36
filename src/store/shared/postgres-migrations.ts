/**
 * The shared tables in PostgreSQL: the same tables and columns as the SQLite store's (migrations 2, 8, 9, 12
 * and 15 there), with PostgreSQL's types — timestamps as timestamptz, so leases run on the database's clock
 * rather than each box's. Forward-only, as the SQLite ones; the version lives in `sn11_schema`.
 */
export interface PostgresMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: "the shared evaluation queue with leases, its results, the commitments seen, running jobs' progress",
    sql: `
      CREATE TABLE eval_queue (
        id               SERIAL PRIMARY KEY,
        profile          TEXT             NOT NULL,
        repo             TEXT             NOT NULL,
        entry_hash       TEXT             NOT NULL,
        hotkey           TEXT             NOT NULL,
        uid              INTEGER          NOT NULL,
        commit_block     INTEGER          NOT NULL,
        chat_template    TEXT             NOT NULL,
        status           TEXT             NOT NULL CHECK (status IN ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'ERROR')),
        attempts         INTEGER          NOT NULL DEFAULT 0,
        next_attempt_at  TIMESTAMPTZ,
        last_error       TEXT,
        revision         TEXT,
        total_score      DOUBLE PRECISION,
        started_at       TIMESTAMPTZ,
        finished_at      TIMESTAMPTZ,
        created_at       TIMESTAMPTZ      NOT NULL,
        updated_at       TIMESTAMPTZ      NOT NULL,
        model_hash       TEXT,
        lease_owner      TEXT,
        lease_expires_at TIMESTAMPTZ,
        UNIQUE (profile, repo, entry_hash)
      );
      CREATE INDEX eval_queue_by_order ON eval_queue (status, commit_block, id);
      CREATE INDEX eval_queue_by_model_hash ON eval_queue (model_hash);
      CREATE TABLE evaluations (
        id          SERIAL PRIMARY KEY,
        repo        TEXT             NOT NULL,
        entry_hash  TEXT             NOT NULL,
        profile     TEXT             NOT NULL,
        status      TEXT             NOT NULL CHECK (status IN ('QUEUED', 'PRECHECK', 'RUNNING', 'COMPLETED', 'FAILED')),
        total_score DOUBLE PRECISION,
        revision    TEXT,
        reason      TEXT,
        created_at  TIMESTAMPTZ      NOT NULL,
        updated_at  TIMESTAMPTZ      NOT NULL,
        UNIQUE (repo, entry_hash, profile)
      );
      CREATE TABLE commitments_seen (
        hotkey      TEXT        NOT NULL,
        repo        TEXT        NOT NULL,
        entry_hash  TEXT        NOT NULL,
        block       INTEGER     NOT NULL,
        first_seen  TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (hotkey, entry_hash, block)
      );
      CREATE TABLE job_progress (
        job_id     INTEGER          PRIMARY KEY REFERENCES eval_queue (id) ON DELETE CASCADE,
        stage      TEXT             NOT NULL,
        done       DOUBLE PRECISION NOT NULL,
        total      DOUBLE PRECISION NOT NULL,
        detail     TEXT,
        updated_at TIMESTAMPTZ      NOT NULL
      );
    `,
  },
];

export const LATEST_POSTGRES_VERSION = POSTGRES_MIGRATIONS.at(-1)?.version ?? 0;

/** The shared tables: what the store test suite compares column by column with the SQLite store. */
export const SHARED_TABLES = ["eval_queue", "evaluations", "commitments_seen", "job_progress"] as const;
