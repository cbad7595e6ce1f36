import { existsSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { ensureDir } from "../ensure-dir.js";
import { ConfigError } from "../errors.js";
import { atExit } from "../exit-hooks.js";
import { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from "./migrations.js";
import { betterSqliteBinding } from "./native.js";

export type Db = Database.Database;

export const STORE_FILE = "sn11.db";

/** Open (creating if needed) the SQLite file with WAL and a busy timeout, then migrate it forward. */
export function openDatabase(file: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  ensureDir(dirname(file));
  let db: Db;
  try {
    db = new Database(file, { nativeBinding: betterSqliteBinding(), timeout: 5000 });
  } catch (error) {
    throw new ConfigError(`cannot open the store ${file}: ${(error as Error).message}`, {
      hint: "check --data-dir and its permissions",
      cause: error,
    });
  }
  try {
    // exec, not pragma(): pragma() prepares a throwaway statement each call (see prepared() below).
    db.exec("PRAGMA journal_mode = WAL");
    // NORMAL in WAL mode: every commit survives a crash or kill -9 of sn11 without an fsync per commit
    // (one per finished sample would dominate a fast evaluation); only a power cut can lose the last commits.
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA foreign_keys = ON");
    migrate(db, migrations);
  } catch (error) {
    db.close();
    throw storeError(file, error);
  }
  // An exit that skips the cleanup registry (a second signal) still folds the WAL in and closes the file.
  exitHooks.set(
    db,
    atExit(() => closeDatabase(db)),
  );
  return db;
}

const exitHooks = new WeakMap<Db, () => void>();

/** The schema version of an existing store file, read without opening it as a store (no checks, no writes). */
export function readSchemaVersion(file: string): number {
  let db: Db | undefined;
  try {
    db = new Database(file, { nativeBinding: betterSqliteBinding(), readonly: true, fileMustExist: true });
    return schemaVersion(db);
  } catch (error) {
    throw storeError(file, error);
  } finally {
    db?.close();
  }
}

/**
 * Opens an existing store for reading beside a writer (WAL): never creates, never migrates. A schema of
 * another version than this sn11's is exit 78 with what to do, as is a file that is not there.
 */
export function openDatabaseReadOnly(file: string): Db {
  if (!existsSync(file)) {
    throw new ConfigError(`no store at ${file}: nothing has run with this data dir yet`, {
      hint: "check --data-dir (or SN11_DATA_DIR); sn11 validate and sn11 score create it",
    });
  }
  let db: Db;
  try {
    db = new Database(file, {
      nativeBinding: betterSqliteBinding(),
      readonly: true,
      fileMustExist: true,
      timeout: 5000,
    });
  } catch (error) {
    throw storeError(file, error);
  }
  try {
    const version = schemaVersion(db);
    if (version !== LATEST_SCHEMA_VERSION) {
      throw new ConfigError(
        `the store ${file} has schema version ${version}, this sn11 reads ${LATEST_SCHEMA_VERSION}`,
        {
          hint:
            version > LATEST_SCHEMA_VERSION
              ? "upgrade sn11 to the version the validator runs"
              : "run the validator (or any sn11 command with this data dir) once to migrate it",
        },
      );
    }
  } catch (error) {
    db.close();
    throw error instanceof ConfigError ? error : storeError(file, error);
  }
  return db;
}

export function schemaVersion(db: Db): number {
  return (prepared(db, "PRAGMA user_version").get() as { user_version: number }).user_version;
}

/**
 * Apply every migration above the file's version, each in its own IMMEDIATE transaction that reads the
 * version again first: of several processes opening a fresh file at once, one applies each migration and
 * the others, waiting on the write lock, find it applied.
 */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): number {
  const latest = migrations.at(-1)?.version ?? 0;
  const current = schemaVersion(db);
  if (current > latest) {
    throw new ConfigError(
      `the store ${db.name} has schema version ${current}, newer than this sn11 knows (${latest})`,
      { hint: "upgrade sn11, or point --data-dir at another directory" },
    );
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      if (schemaVersion(db) >= migration.version) return;
      db.exec(migration.sql);
      db.exec(`PRAGMA user_version = ${migration.version}`);
    }).immediate();
  }
  return schemaVersion(db);
}

const UNUSABLE_STORE: Readonly<Record<string, string>> = {
  SQLITE_CORRUPT: "is damaged",
  SQLITE_NOTADB: "is not an SQLite database (truncated or overwritten?)",
  SQLITE_READONLY: "is read-only",
  SQLITE_CANTOPEN: "cannot be opened",
  SQLITE_IOERR: "cannot be read or written",
  SQLITE_FULL: "cannot grow: the disk is full",
  SQLITE_PERM: "is not accessible",
  SQLITE_BUSY: "is locked by another process beyond the busy timeout",
};

/** An SQLite failure of the file itself is the user's to fix (exit 78, with the path); others are bugs. */
function storeError(file: string, error: unknown): unknown {
  const code = String((error as { code?: string }).code ?? "");
  const what = UNUSABLE_STORE[code] ?? UNUSABLE_STORE[code.split("_").slice(0, 2).join("_")];
  if (!what) return error;
  return new ConfigError(`the store ${file} ${what} (${code})`, {
    hint: `move it aside (mv ${file} ${file}.broken) to start a fresh store, or point --data-dir elsewhere`,
    cause: error,
  });
}

/** Fold the WAL into the main file and close; safe to call twice. */
export function closeDatabase(db: Db): void {
  exitHooks.get(db)?.();
  if (!db.open) return;
  if (db.readonly) {
    db.close();
    return;
  }
  try {
    db.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
}

export { LATEST_SCHEMA_VERSION };

const statements = new WeakMap<Db, Map<string, Database.Statement>>();

/**
 * A prepared statement, prepared once per connection. Besides saving the work, it keeps statements from
 * being garbage-collected mid-run: in the single binary (Node 24), a better-sqlite3 Statement finalised by
 * the GC while node-llama-cpp loads trips an assertion (`RemoveEnvironmentCleanupHook: env != nullptr`).
 */
export function prepared(db: Db, sql: string): Database.Statement {
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  let statement = cache.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}
