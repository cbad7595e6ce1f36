/**
 * Forward-only schema migrations. Never edit a released migration: append a new one.
 * The schema version lives in SQLite's `user_version`.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "weight computations",
    sql: `
      CREATE TABLE weight_computations (
        id              INTEGER PRIMARY KEY,
        created_at      TEXT    NOT NULL,
        source          TEXT    NOT NULL CHECK (source IN ('snapshot', 'chain', 'step')),
        source_ref      TEXT,
        snapshot_digest TEXT    NOT NULL,
        profile         TEXT    NOT NULL,
        netuid          INTEGER NOT NULL,
        block           INTEGER NOT NULL,
        uids            INTEGER NOT NULL,
        emitted         INTEGER NOT NULL,
        result_json     TEXT    NOT NULL
      );
      CREATE INDEX weight_computations_by_time ON weight_computations (created_at);
    `,
  },
  {
    version: 2,
    name: "evaluations",
    sql: `
      CREATE TABLE evaluations (
        id          INTEGER PRIMARY KEY,
        repo        TEXT    NOT NULL,
        entry_hash  TEXT    NOT NULL,
        profile     TEXT    NOT NULL,
        status      TEXT    NOT NULL CHECK (status IN ('QUEUED', 'PRECHECK', 'RUNNING', 'COMPLETED', 'FAILED')),
        total_score REAL,
        revision    TEXT,
        reason      TEXT,
        created_at  TEXT    NOT NULL,
        updated_at  TEXT    NOT NULL,
        UNIQUE (repo, entry_hash, profile)
      );
    `,
  },
  {
    version: 3,
    name: "model cache",
    sql: `
      CREATE TABLE model_cache (
        repo        TEXT    NOT NULL,
        sha         TEXT    NOT NULL,
        bytes       INTEGER NOT NULL,
        complete    INTEGER NOT NULL DEFAULT 0,
        last_used   TEXT    NOT NULL,
        in_use_pid  INTEGER,
        PRIMARY KEY (repo, sha)
      );
    `,
  },
  {
    version: 4,
    name: "sample sets",
    sql: `
      CREATE TABLE sample_sets (
        key            TEXT PRIMARY KEY,
        dataset_digest TEXT    NOT NULL,
        seed           TEXT    NOT NULL,
        count          INTEGER NOT NULL,
        created_at     TEXT    NOT NULL,
        samples_json   TEXT    NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: "judge verdicts",
    sql: `
      CREATE TABLE judge_verdicts (
        prompt_digest TEXT    NOT NULL,
        model         TEXT    NOT NULL,
        verdict_json  TEXT    NOT NULL,
        tokens_in     INTEGER NOT NULL,
        tokens_out    INTEGER NOT NULL,
        created_at    TEXT    NOT NULL,
        PRIMARY KEY (prompt_digest, model)
      );
    `,
  },
  {
    version: 6,
    name: "score runs",
    sql: `
      CREATE TABLE score_runs (
        id          INTEGER PRIMARY KEY,
        run_key     TEXT    NOT NULL,
        repo        TEXT    NOT NULL,
        revision    TEXT    NOT NULL,
        profile     TEXT    NOT NULL,
        seed        TEXT    NOT NULL,
        status      TEXT    NOT NULL CHECK (status IN ('RUNNING', 'COMPLETED', 'FAILED')),
        created_at  TEXT    NOT NULL,
        updated_at  TEXT    NOT NULL,
        result_json TEXT
      );
      CREATE INDEX score_runs_by_key ON score_runs (run_key);
      CREATE TABLE score_samples (
        run_id       INTEGER NOT NULL REFERENCES score_runs (id) ON DELETE CASCADE,
        idx          INTEGER NOT NULL,
        generation   TEXT,
        gen_tokens   INTEGER,
        verdict_json TEXT,
        judge_error  TEXT,
        judge_tokens_in  INTEGER NOT NULL DEFAULT 0,
        judge_tokens_out INTEGER NOT NULL DEFAULT 0,
        judge_cached INTEGER NOT NULL DEFAULT 0,
        judge_cost   REAL    NOT NULL DEFAULT 0,
        PRIMARY KEY (run_id, idx)
      );
    `,
  },
  {
    version: 7,
    name: "submissions",
    sql: `
      CREATE TABLE submissions (
        id          INTEGER PRIMARY KEY,
        netuid      INTEGER NOT NULL,
        hotkey      TEXT    NOT NULL,
        repo        TEXT    NOT NULL,
        revision    TEXT    NOT NULL,
        commitment  TEXT    NOT NULL,
        block       INTEGER,
        tx_hash     TEXT,
        outcome     TEXT    NOT NULL,
        created_at  TEXT    NOT NULL
      );
    `,
  },
  {
    version: 8,
    name: "validator: evaluation queue and steps",
    sql: `
      CREATE TABLE eval_queue (
        id              INTEGER PRIMARY KEY,
        profile         TEXT    NOT NULL,
        repo            TEXT    NOT NULL,
        entry_hash      TEXT    NOT NULL,
        hotkey          TEXT    NOT NULL,
        uid             INTEGER NOT NULL,
        commit_block    INTEGER NOT NULL,
        chat_template   TEXT    NOT NULL,
        status          TEXT    NOT NULL CHECK (status IN ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'ERROR')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        last_error      TEXT,
        revision        TEXT,
        total_score     REAL,
        started_at      TEXT,
        finished_at     TEXT,
        created_at      TEXT    NOT NULL,
        updated_at      TEXT    NOT NULL,
        UNIQUE (profile, repo, entry_hash)
      );
      CREATE INDEX eval_queue_by_order ON eval_queue (status, commit_block, id);
      CREATE TABLE validator_steps (
        id                    INTEGER PRIMARY KEY,
        started_at            TEXT    NOT NULL,
        finished_at           TEXT,
        profile               TEXT    NOT NULL,
        netuid                INTEGER NOT NULL,
        mode                  TEXT    NOT NULL,
        outcome               TEXT    NOT NULL,
        reason                TEXT,
        block                 INTEGER,
        block_hash            TEXT,
        snapshot_digest       TEXT,
        snapshot_json         TEXT,
        emitted               INTEGER,
        tx_hash               TEXT,
        tx_block              INTEGER,
        weight_computation_id INTEGER REFERENCES weight_computations (id)
      );
    `,
  },
  {
    version: 9,
    name: "validator: model hashes and the commitments seen",
    sql: `
      ALTER TABLE eval_queue ADD COLUMN model_hash TEXT;
      CREATE INDEX eval_queue_by_model_hash ON eval_queue (model_hash);
      CREATE TABLE commitments_seen (
        hotkey      TEXT    NOT NULL,
        repo        TEXT    NOT NULL,
        entry_hash  TEXT    NOT NULL,
        block       INTEGER NOT NULL,
        first_seen  TEXT    NOT NULL,
        PRIMARY KEY (hotkey, entry_hash, block)
      );
    `,
  },
  {
    version: 10,
    name: "weight commits (drand-timelocked or hashed) and their reveals",
    sql: `
      CREATE TABLE weight_commits (
        id                 INTEGER PRIMARY KEY,
        step_id            INTEGER REFERENCES validator_steps (id),
        created_at         TEXT    NOT NULL,
        mode               TEXT    NOT NULL CHECK (mode IN ('timelock', 'hash')),
        netuid             INTEGER NOT NULL,
        hotkey             TEXT    NOT NULL,
        uid                INTEGER NOT NULL,
        version_key        INTEGER NOT NULL,
        commit_version     INTEGER,
        reveal_round       INTEGER,
        commit_epoch       INTEGER NOT NULL,
        reveal_epoch       INTEGER NOT NULL,
        first_reveal_block INTEGER NOT NULL,
        last_reveal_block  INTEGER NOT NULL,
        payload_hex        TEXT    NOT NULL,
        commit_hex         TEXT    NOT NULL,
        beacon_key_hex     TEXT,
        salt_json          TEXT,
        tx_hash            TEXT    NOT NULL,
        tx_block           INTEGER NOT NULL,
        status             TEXT    NOT NULL CHECK (status IN ('committed', 'revealed', 'reveal_failed')),
        reveal_block       INTEGER,
        reveal_tx_hash     TEXT,
        reason             TEXT,
        self_check         TEXT,
        checked_block      INTEGER,
        updated_at         TEXT    NOT NULL
      );
      CREATE INDEX weight_commits_by_status ON weight_commits (status);
      CREATE INDEX weight_commits_by_step ON weight_commits (step_id);
    `,
  },
  {
    version: 11,
    name: "a sample whose generation the engine refused (a failed sample, never sent to the judge)",
    sql: `
      ALTER TABLE score_samples ADD COLUMN gen_error TEXT;
    `,
  },
  {
    version: 12,
    name: "what the dashboard reads of a running daemon: its heartbeat, and each running job's progress",
    sql: `
      CREATE TABLE validator_state (
        id           INTEGER PRIMARY KEY CHECK (id = 1),
        pid          INTEGER NOT NULL,
        started_at   TEXT    NOT NULL,
        heartbeat_at TEXT    NOT NULL,
        stopped_at   TEXT,
        network      TEXT    NOT NULL,
        netuid       INTEGER NOT NULL,
        workers      INTEGER NOT NULL,
        next_step_at TEXT
      );
      CREATE TABLE job_progress (
        job_id     INTEGER PRIMARY KEY REFERENCES eval_queue (id) ON DELETE CASCADE,
        stage      TEXT    NOT NULL,
        done       REAL    NOT NULL,
        total      REAL    NOT NULL,
        detail     TEXT,
        updated_at TEXT    NOT NULL
      );
    `,
  },
  {
    version: 13,
    name: "who made a score run: sn11 score, or the validator daemon's evaluation of a queued entry",
    sql: `
      ALTER TABLE score_runs ADD COLUMN origin TEXT NOT NULL DEFAULT 'score' CHECK (origin IN ('score', 'validate'));
      -- Runs from before: one whose model and revision the daemon's queue evaluated is taken as the daemon's.
      UPDATE score_runs SET origin = 'validate'
        WHERE EXISTS (SELECT 1 FROM eval_queue q WHERE q.repo = score_runs.repo AND q.revision = score_runs.revision);
    `,
  },
  {
    version: 14,
    name: "each step's agreement with the chain's Yuma consensus: its weights on chain, and the ones it computed",
    sql: `
      ALTER TABLE validator_steps ADD COLUMN agreement_chain REAL;
      ALTER TABLE validator_steps ADD COLUMN agreement_computed REAL;
    `,
  },
  {
    version: 15,
    name: "evaluation leases: which worker runs a job, and until when, so a crashed worker's job returns",
    sql: `
      ALTER TABLE eval_queue ADD COLUMN lease_owner TEXT;
      ALTER TABLE eval_queue ADD COLUMN lease_expires_at TEXT;
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;
