import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { closeDatabase, migrate, openDatabase, schemaVersion } from "../../src/store/db.js";
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from "../../src/store/migrations.js";
import { betterSqliteBinding } from "../../src/store/native.js";
import { Store } from "../../src/store/store.js";
import { cleanEnv, runChild, tempDir } from "../support/cli.js";
import { REPO_ROOT } from "../support/shared.js";

const rawOpen = (file: string) => new Database(file, { nativeBinding: betterSqliteBinding() });

/** Rows written by the code of each schema version, so an upgrade can be checked to keep them. */
const SEED_ROWS: Record<number, (db: Database.Database) => void> = {
  1: (db) =>
    db
      .prepare(
        `INSERT INTO weight_computations
           (created_at, source, source_ref, snapshot_digest, profile, netuid, block, uids, emitted, result_json)
         VALUES ('2026-01-01T00:00:00.000Z', 'snapshot', 'old.json', 'abc', 'dippy-2025-03', 11, 5000000, 8, 2, '{"weights":[1]}')`,
      )
      .run(),
  2: (db) =>
    db
      .prepare(
        `INSERT INTO evaluations (repo, entry_hash, profile, status, total_score, revision, reason, created_at, updated_at)
         VALUES ('a/b', '123', 'dippy-2025-03', 'COMPLETED', 0.5, 'abc', NULL, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
      )
      .run(),
  3: (db) =>
    db
      .prepare(
        `INSERT INTO model_cache (repo, sha, bytes, complete, last_used) VALUES ('a/b', 'abc', 10, 1, '2026-01-01T00:00:00Z')`,
      )
      .run(),
  4: (db) =>
    db
      .prepare(
        `INSERT INTO sample_sets (key, dataset_digest, seed, count, created_at, samples_json) VALUES ('k', 'd', 's', 0, '2026-01-01T00:00:00Z', '[]')`,
      )
      .run(),
  5: (db) =>
    db
      .prepare(
        `INSERT INTO judge_verdicts (prompt_digest, model, verdict_json, tokens_in, tokens_out, created_at) VALUES ('d', 'm', '{}', 1, 1, '2026-01-01T00:00:00Z')`,
      )
      .run(),
  6: (db) => {
    db.prepare(
      `INSERT INTO score_runs (id, run_key, repo, revision, profile, seed, status, created_at, updated_at) VALUES (1, 'k', 'a/b', 'r', 'p', 's', 'RUNNING', 't', 't')`,
    ).run();
    db.prepare("INSERT INTO score_samples (run_id, idx, generation) VALUES (1, 0, 'hi')").run();
  },
  7: (db) =>
    db
      .prepare(
        "INSERT INTO submissions (netuid, hotkey, repo, revision, commitment, outcome, created_at) VALUES (11, 'h', 'a/b', 'r', 'c', 'submitted', 't')",
      )
      .run(),
  8: (db) => {
    db.prepare(
      `INSERT INTO eval_queue (profile, repo, entry_hash, hotkey, uid, commit_block, chat_template, status, created_at, updated_at)
         VALUES ('p', 'a/b', '1', 'h', 1, 10, 'chatml', 'QUEUED', 't', 't')`,
    ).run();
    db.prepare(
      "INSERT INTO validator_steps (started_at, profile, netuid, mode, outcome) VALUES ('t', 'p', 11, 'live', 'skipped')",
    ).run();
  },
  9: (db) => {
    db.prepare("UPDATE eval_queue SET model_hash = 'abc'").run();
    db.prepare(
      "INSERT INTO commitments_seen (hotkey, repo, entry_hash, block, first_seen) VALUES ('h', 'a/b', '1', 10, 't')",
    ).run();
  },
  10: (db) =>
    db
      .prepare(
        `INSERT INTO weight_commits (created_at, mode, netuid, hotkey, uid, version_key, commit_version,
           reveal_round, commit_epoch, reveal_epoch, first_reveal_block, last_reveal_block, payload_hex,
           commit_hex, beacon_key_hex, tx_hash, tx_block, status, updated_at)
         VALUES ('t', 'timelock', 11, 'h', 0, 7, 4, 1000, 1, 2, 700, 1060, '0x', '0x', 'k', '0x1', 400,
           'committed', 't')`,
      )
      .run(),
  11: (db) =>
    db
      .prepare(
        `UPDATE score_samples SET gen_error = 'the prompt has 9000 tokens' WHERE rowid = (SELECT min(rowid) FROM score_samples)`,
      )
      .run(),
  12: (db) => {
    db.prepare(
      `INSERT INTO validator_state (id, pid, started_at, heartbeat_at, network, netuid, workers)
         VALUES (1, 4121, '2026-12-02T00:00:00Z', '2026-12-02T00:00:05Z', 'finney', 11, 1)`,
    ).run();
    db.prepare(
      `INSERT INTO job_progress (job_id, stage, done, total, updated_at)
         SELECT min(id), 'judge', 3, 8, '2026-12-02T00:00:05Z' FROM eval_queue`,
    ).run();
  },
  13: (db) =>
    db
      .prepare(
        `INSERT INTO score_runs (run_key, repo, revision, profile, seed, origin, status, created_at, updated_at)
           VALUES ('d', 'c/d', 'r2', 'p', 's', 'validate', 'COMPLETED', 't', 't')`,
      )
      .run(),
  14: (db) =>
    db
      .prepare(
        `UPDATE validator_steps SET agreement_chain = 0.5, agreement_computed = 0.75
           WHERE id = (SELECT min(id) FROM validator_steps)`,
      )
      .run(),
  15: (db) =>
    db
      .prepare(
        `UPDATE eval_queue SET status = 'RUNNING', lease_owner = 'box/1', lease_expires_at = '2026-12-03T00:00:00.000Z'
           WHERE id = (SELECT min(id) FROM eval_queue)`,
      )
      .run(),
};

describe("store", () => {
  it("opens with WAL, NORMAL sync and the latest schema", () => {
    const store = Store.open(tempDir());
    expect(store.db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(store.db.pragma("synchronous", { simple: true })).toBe(1);
    expect(schemaVersion(store.db)).toBe(LATEST_SCHEMA_VERSION);
    store.close();
    store.close();
  });

  it("migrations are numbered 1, 2, … without gaps", () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    for (let v = 1; v <= LATEST_SCHEMA_VERSION; v++)
      expect(SEED_ROWS[v], `seed rows for schema ${v}`).toBeDefined();
  });

  it.each(Array.from({ length: LATEST_SCHEMA_VERSION + 1 }, (_, v) => v))(
    "upgrades a database created at schema version %i and keeps its rows",
    (version) => {
      const file = join(tempDir(), "sn11.db");
      const old = rawOpen(file);
      migrate(old, MIGRATIONS.slice(0, version));
      for (let v = 1; v <= version; v++) SEED_ROWS[v]?.(old);
      old.close();

      const db = openDatabase(file);
      expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
      const count = (table: string) =>
        (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      expect(count("weight_computations")).toBe(version >= 1 ? 1 : 0);
      expect(count("evaluations")).toBe(version >= 2 ? 1 : 0);
      expect(count("model_cache")).toBe(version >= 3 ? 1 : 0);
      expect(count("sample_sets")).toBe(version >= 4 ? 1 : 0);
      expect(count("judge_verdicts")).toBe(version >= 5 ? 1 : 0);
      expect(count("score_samples")).toBe(version >= 6 ? 1 : 0);
      expect(count("submissions")).toBe(version >= 7 ? 1 : 0);
      expect(count("weight_commits")).toBe(version >= 10 ? 1 : 0);
      if (version >= 6) {
        // The seed's run of a/b at revision r: no evaluation of the queue has that revision, so sn11 score's.
        const origin = db.prepare("SELECT origin FROM score_runs WHERE id = 1").get() as { origin: string };
        expect(origin.origin).toBe("score");
      }
      closeDatabase(db);
    },
  );

  it("schema 13 takes an older run of a model and revision the daemon's queue evaluated as the daemon's", () => {
    const file = join(tempDir(), "sn11.db");
    const old = rawOpen(file);
    migrate(old, MIGRATIONS.slice(0, 12));
    for (let v = 1; v <= 12; v++) SEED_ROWS[v]?.(old);
    old.prepare("UPDATE eval_queue SET revision = 'r'").run();
    old.close();
    const db = openDatabase(file);
    expect(db.prepare("SELECT origin FROM score_runs WHERE id = 1").get()).toEqual({ origin: "validate" });
    closeDatabase(db);
  });

  it("refuses a database from a newer sn11", () => {
    const file = join(tempDir(), "sn11.db");
    const db = rawOpen(file);
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openDatabase(file)).toThrow(ConfigError);
    expect(() => openDatabase(file)).toThrow(/newer than this sn11 knows/);
  });

  it("a failing migration leaves the previous version intact (each runs in a transaction)", () => {
    const file = join(tempDir(), "sn11.db");
    const broken = [
      ...MIGRATIONS,
      {
        version: LATEST_SCHEMA_VERSION + 1,
        name: "broken",
        sql: "CREATE TABLE t (x); SELECT nope FROM missing;",
      },
    ];
    expect(() => openDatabase(file, broken)).toThrow();
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 't'").get()).toBeUndefined();
    closeDatabase(db);
  });

  it("keeps one evaluation per repo, entry hash and profile", () => {
    const store = Store.open(tempDir());
    const base = { repo: "a/m", entryHash: "1", revision: null, reason: null };
    store.evaluations.upsert({ ...base, profile: "dippy-2025-03", status: "QUEUED", totalScore: null });
    store.evaluations.upsert({ ...base, profile: "dippy-2025-03", status: "COMPLETED", totalScore: 0.7 });
    store.evaluations.upsert({ ...base, profile: "dippy-2025-07", status: "FAILED", totalScore: null });
    expect(store.evaluations.forProfile("dippy-2025-03").map((e) => [e.status, e.totalScore])).toEqual([
      ["COMPLETED", 0.7],
    ]);
    expect(store.evaluations.forProfile("dippy-2025-07")).toHaveLength(1);
    store.close();
  });

  it("records and lists weight computations newest first", () => {
    const store = Store.open(tempDir());
    const base = {
      source: "snapshot" as const,
      sourceRef: "a.json",
      profile: "dippy-2025-03",
      netuid: 11,
      uids: 8,
      emitted: 2,
    };
    const first = store.weightComputations.record({
      ...base,
      snapshotDigest: "d1",
      block: 1,
      result: { weights: [1] },
    });
    store.weightComputations.record({ ...base, snapshotDigest: "d2", block: 2, result: {} });
    expect(store.weightComputations.list(10).map((e) => e.snapshotDigest)).toEqual(["d2", "d1"]);
    expect(store.weightComputations.list(1)).toHaveLength(1);
    expect(store.weightComputations.result(first)).toEqual({ weights: [1] });
    store.close();
  });
});

describe("the store under concurrent starts and damaged files", () => {
  const sn11 = join(REPO_ROOT, "bin", "sn11.mjs");
  const children = (n: number, args: string[], env: Record<string, string>) =>
    Promise.all(Array.from({ length: n }, () => runChild(process.execPath, [sn11, ...args], { env })));

  it("20 processes opening a fresh data dir at once all succeed (the migrations do not race)", async () => {
    const dataDir = join(tempDir(), "fresh");
    const runs = await children(20, ["score", "--list", "--json"], cleanEnv({ SN11_DATA_DIR: dataDir }));
    expect(
      runs.map((r) => r.code),
      runs.find((r) => r.code !== 0)?.stderr,
    ).toEqual(Array(20).fill(0));
    const store = Store.open(dataDir);
    expect(schemaVersion(store.db)).toBe(LATEST_SCHEMA_VERSION);
    store.close();
  }, 120_000);

  it("20 validators started at once on a fresh data dir: one runs, the others refuse with 78", async () => {
    const dataDir = join(tempDir(), "fresh-validators");
    const args = [
      "--network",
      "ws://127.0.0.1:1",
      "validate",
      "--once",
      "--offline",
      "--score-source",
      "remote",
      "--score-url",
      "http://127.0.0.1:9",
    ];
    const runs = await children(20, args, cleanEnv({ SN11_DATA_DIR: dataDir }));
    const codes = runs.map((r) => r.code).sort((a, b) => a - b);
    // The one that holds the lock cannot reach the chain (69); every other is refused by the lock.
    expect(codes, runs.map((r) => r.stderr).join("\n")).toEqual([69, ...Array(19).fill(78)]);
    expect(runs.filter((r) => r.code === 78).every((r) => r.stderr.includes("another sn11 validate"))).toBe(
      true,
    );
  }, 120_000);

  it.each([
    [
      "garbage",
      () => Buffer.from("this is not a database, just some text that happens to be long enough".repeat(80)),
    ],
    ["a truncated file", () => readFileSync(realStore()).subarray(0, 4096 + 100)],
  ])("a store that is %s: exit 78 with the path and what to do, never a bug", async (_label, bytes) => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, "sn11.db"), bytes());
    const run = await runChild(process.execPath, [sn11, "score", "--list"], {
      env: cleanEnv({ SN11_DATA_DIR: dataDir }),
    });
    expect(run.code, run.stderr).toBe(78);
    expect(run.stderr).toContain(join(dataDir, "sn11.db"));
    expect(run.stderr).toMatch(/hint: move it aside/);
  });

  it("a data dir under a path nothing can be created in (/proc): exit 78 at once, no spin", async () => {
    const run = await runChild(process.execPath, [sn11, "score", "--list"], {
      env: cleanEnv({ SN11_DATA_DIR: "/proc/1/sn11-nope" }),
    });
    expect(run.code, run.stderr).toBe(78);
    expect(run.stderr).toContain("/proc/1/sn11-nope");
  }, 20_000);

  it("a data dir that cannot be created: exit 78 naming it", async () => {
    const blocker = join(tempDir(), "a-file");
    writeFileSync(blocker, "");
    const run = await runChild(process.execPath, [sn11, "score", "--list"], {
      env: cleanEnv({ SN11_DATA_DIR: join(blocker, "data") }),
    });
    expect(run.code, run.stderr).toBe(78);
    expect(run.stderr).toContain(join(blocker, "data"));
  });
});

/** A store file with a few pages of content, for the truncation test. */
function realStore(): string {
  const dir = tempDir();
  const store = Store.open(dir);
  for (let i = 0; i < 50; i++)
    store.sampleSets.put({
      key: `k${i}`,
      datasetDigest: "d",
      seed: "s",
      samples: [{ i, text: "x".repeat(500) }],
    });
  store.close();
  return join(dir, "sn11.db");
}
