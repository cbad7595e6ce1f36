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
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;
