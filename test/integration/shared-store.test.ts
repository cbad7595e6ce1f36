import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, NetworkError } from "../../src/errors.js";
import { createLogger } from "../../src/log.js";
import type { WantedEvaluation } from "../../src/store/eval-queue.js";
import { openPostgresStore } from "../../src/store/shared/postgres.js";
import { LATEST_POSTGRES_VERSION, SHARED_TABLES } from "../../src/store/shared/postgres-migrations.js";
import { withLibpqSslModes } from "../../src/store/shared/postgres-url.js";
import type { SharedStore } from "../../src/store/shared/shared-store.js";
import { sqliteSharedStore } from "../../src/store/shared/sqlite.js";
import { Store } from "../../src/store/store.js";
import { tempDir } from "../support/cli.js";
import {
  canMakeCertificates,
  POSTGRES_MISSING,
  postgresBinDir,
  startPostgres,
  type TestPostgres,
} from "../support/postgres.js";

const P = "dippy-2025-03";
const want = (repo: string, block: number, uid = 1): WantedEvaluation => ({
  repo,
  entryHash: `h${block}`,
  hotkey: `hk${uid}`,
  uid,
  commitBlock: block,
  chatTemplate: "chatml",
});
const A = { owner: "box-a/1", ms: 60_000 };
const B = { owner: "box-b/2", ms: 60_000 };
const done = { status: "COMPLETED" as const, totalScore: 0.5, revision: "r1", reason: null };
const silentLogger = () => createLogger({ write: () => true }, "silent");
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Two connections to one store, as two boxes (or two processes) have. */
interface Backend {
  readonly name: string;
  open(): Promise<{ one: SharedStore; two: SharedStore; close(): Promise<void> }>;
}

const havePostgres = postgresBinDir() !== null;
if (!havePostgres) {
  if (process.env.CI) throw new Error(POSTGRES_MISSING);
  console.warn(POSTGRES_MISSING);
}
let postgres: TestPostgres | null = null;
beforeAll(async () => {
  if (havePostgres) postgres = await startPostgres();
}, 60_000);
afterAll(async () => {
  await postgres?.stop();
});

const sqlite: Backend = {
  name: "SQLite",
  async open() {
    const dir = tempDir();
    const stores = [Store.open(dir), Store.open(dir)];
    return {
      one: sqliteSharedStore(stores[0] as Store),
      two: sqliteSharedStore(stores[1] as Store),
      close: async () => {
        for (const s of stores) s.close();
      },
    };
  },
};

const postgresBackend: Backend = {
  name: "PostgreSQL",
  async open() {
    const url = await (postgres as TestPostgres).database();
    const one = await openPostgresStore(url, { logger: silentLogger() });
    const two = await openPostgresStore(url, { logger: silentLogger() });
    return {
      one,
      two,
      close: async () => {
        await one.close();
        await two.close();
      },
    };
  },
};

describe.each([sqlite, ...(havePostgres ? [postgresBackend] : [])])("the shared store ($name)", (backend) => {
  it("hands out jobs oldest commit block first, each to one worker", async () => {
    const { one, two, close } = await backend.open();
    const sync = await one.syncQueue(P, [
      want("a/late", 30, 1),
      want("a/early", 10, 2),
      want("a/mid", 20, 3),
    ]);
    expect(sync.added.map((j) => j.repo)).toEqual(["a/late", "a/early", "a/mid"]);
    const first = await one.claim(P, A);
    const second = await two.claim(P, B);
    expect([first?.repo, second?.repo]).toEqual(["a/early", "a/mid"]);
    expect(first).toMatchObject({ status: "RUNNING", attempts: 1, leaseOwner: A.owner, tookOverFrom: null });
    expect((await one.claim(P, A))?.repo).toBe("a/late");
    expect(await two.claim(P, B)).toBeUndefined();
    expect(await two.queueCounts(P)).toMatchObject({ RUNNING: 3, QUEUED: 0 });
    await close();
  });

  it("two workers claiming at once never take the same job, and together take them all", async () => {
    const { one, two, close } = await backend.open();
    await one.syncQueue(
      P,
      Array.from({ length: 20 }, (_, i) => want(`a/m${i}`, 100 + i, i)),
    );
    const takeAll = async (store: SharedStore, lease: typeof A) => {
      const taken: number[] = [];
      for (;;) {
        const job = await store.claim(P, lease);
        if (!job) return taken;
        taken.push(job.id);
      }
    };
    const [a, b] = await Promise.all([takeAll(one, A), takeAll(two, B)]);
    const all = [...a, ...b];
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(20);
    const jobs = await one.jobs(P);
    expect(
      jobs
        .filter((j) => j.leaseOwner === A.owner)
        .map((j) => j.id)
        .sort(),
    ).toEqual([...a].sort());
    await close();
  });

  it("a worker that stops renewing loses its job to the next one; its late result does not count", async () => {
    const { one, two, close } = await backend.open();
    await one.syncQueue(P, [want("a/one", 10)]);
    const short = { owner: A.owner, ms: 400 };
    const job = await one.claim(P, short);
    expect(await two.claim(P, B)).toBeUndefined();
    expect(await one.renew(job?.id as number, short)).toBe(true);
    await wait(600);
    const taken = await two.claim(P, B);
    expect(taken).toMatchObject({ id: job?.id, attempts: 2, leaseOwner: B.owner, tookOverFrom: A.owner });
    expect(await one.renew(job?.id as number, short)).toBe(false);
    expect(await one.finish(job as NonNullable<typeof job>, short, { ...done, totalScore: 0.9 })).toBe(false);
    expect(await one.fail(job?.id as number, short, "late", 1000)).toBe(false);
    expect(await one.requeue(job?.id as number, short)).toBe(false);
    expect(await two.finish(taken as NonNullable<typeof taken>, B, done)).toBe(true);
    expect(await one.evaluation("a/one", "h10", P)).toMatchObject({ status: "COMPLETED", totalScore: 0.5 });
    expect((await one.job(P, "a/one", "h10"))?.leaseOwner).toBeNull();
    await close();
  });

  it("a renewed lease holds past its first term", async () => {
    const { one, two, close } = await backend.open();
    await one.syncQueue(P, [want("a/one", 10)]);
    const short = { owner: A.owner, ms: 500 };
    const job = await one.claim(P, short);
    await wait(300);
    expect(await one.renew(job?.id as number, short)).toBe(true);
    await wait(300);
    expect(await two.claim(P, B)).toBeUndefined();
    await close();
  });

  it("an infrastructure failure comes back after its delay; a stop on purpose does not count as an attempt", async () => {
    const { one, two, close } = await backend.open();
    await one.syncQueue(P, [want("a/one", 10), want("a/two", 20)]);
    const job = await one.claim(P, A);
    expect(await one.fail(job?.id as number, A, "judge down", 400)).toBe(true);
    expect((await two.claim(P, B))?.repo).toBe("a/two");
    expect(await two.claim(P, B)).toBeUndefined();
    await wait(600);
    const retried = await two.claim(P, B);
    expect(retried).toMatchObject({
      repo: "a/one",
      attempts: 2,
      lastError: "judge down",
      tookOverFrom: null,
    });
    expect(await two.requeue(retried?.id as number, B)).toBe(true);
    expect(await one.job(P, "a/one", "h10")).toMatchObject({
      status: "QUEUED",
      attempts: 1,
      leaseOwner: null,
    });
    await close();
  });

  it("a sync keeps finished work, drops unfinished work that left the chain, and is idempotent", async () => {
    const { one, two, close } = await backend.open();
    await one.syncQueue(P, [want("a/one", 10, 1), want("a/two", 20, 2)]);
    const first = await two.claim(P, B);
    await two.finish(first as NonNullable<typeof first>, B, done);
    const running = await two.claim(P, B);
    expect(await one.syncQueue(P, [want("a/two", 20, 2)])).toEqual({ added: [], dropped: [] });
    const changed = await one.syncQueue(P, [want("a/three", 25, 2)]);
    expect(changed.added.map((j) => j.repo)).toEqual(["a/three"]);
    expect(changed.dropped.map((j) => j.repo)).toEqual(["a/two"]);
    // The worker that ran the dropped entry finds out at its next renewal.
    expect(await two.renew(running?.id as number, B)).toBe(false);
    expect((await one.jobs(P)).map((j) => [j.repo, j.status])).toEqual([
      ["a/one", "COMPLETED"],
      ["a/three", "QUEUED"],
    ]);
    expect(await one.addToQueue(P, want("a/three", 25, 2))).toMatchObject({ isNew: false });
    expect(await one.addToQueue(P, want("a/four", 30, 3))).toMatchObject({ isNew: true });
    expect((await one.unfinishedJobs(P)).map((j) => j.repo)).toEqual(["a/three", "a/four"]);
    await close();
  });

  it("model hashes, the commitments seen, evaluations and progress read the same from both connections", async () => {
    const { one, two, close } = await backend.open();
    await one.syncQueue(P, [want("a/orig", 10, 1), want("a/copy", 20, 2)]);
    const [orig, copy] = await one.jobs(P);
    await one.setModelHash(orig?.id as number, "m1");
    await two.setModelHash(copy?.id as number, "m1");
    expect((await two.jobsWithModelHash(P, "m1")).map((j) => j.repo)).toEqual(["a/orig", "a/copy"]);
    expect(await two.jobsWithModelHash(P, "m2")).toEqual([]);
    await one.recordCommitments([
      { hotkey: "h", repo: "a/one", entryHash: "1", block: 100 },
      { hotkey: "h", repo: "a/two", entryHash: "2", block: 200 },
      { hotkey: "h", repo: "a/two", entryHash: "2", block: 200 },
      { hotkey: "other", repo: "a/x", entryHash: "3", block: 150 },
    ]);
    await one.recordCommitments([]);
    expect((await two.previousCommitment("h", 300))?.repo).toBe("a/two");
    expect(await two.previousCommitment("h", 200)).toEqual({
      hotkey: "h",
      repo: "a/one",
      entryHash: "1",
      block: 100,
    });
    expect(await two.previousCommitment("h", 100)).toBeUndefined();
    await one.putEvaluation({
      repo: "a/x",
      entryHash: "3",
      profile: P,
      status: "FAILED",
      totalScore: 0,
      revision: null,
      reason: "template",
    });
    await one.putEvaluation({
      repo: "a/x",
      entryHash: "3",
      profile: P,
      status: "FAILED",
      totalScore: 0,
      revision: null,
      reason: "size",
    });
    expect(await two.evaluations(P)).toEqual([expect.objectContaining({ repo: "a/x", reason: "size" })]);
    expect(await two.evaluations("other-profile")).toEqual([]);
    await one.putProgress(orig?.id as number, { stage: "generate", done: 3, total: 10 });
    await one.putProgress(orig?.id as number, { stage: "judge", done: 1, total: 10, detail: "x" });
    expect(await two.progress()).toEqual([
      expect.objectContaining({ jobId: orig?.id, stage: "judge", done: 1, total: 10, detail: "x" }),
    ]);
    await two.clearProgress(orig?.id as number);
    expect(await one.progress()).toEqual([]);
    await close();
  });
});

describe.skipIf(!havePostgres)("the PostgreSQL store itself", () => {
  it("has the SQLite store's shared tables, column for column", async () => {
    const url = await (postgres as TestPostgres).database();
    const shared = await openPostgresStore(url, { logger: silentLogger() });
    await shared.close();
    const local = Store.open(tempDir());
    const pg = (await import("pg")).default;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    for (const table of SHARED_TABLES) {
      const sqliteColumns = (local.db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[])
        .map((c) => c.name)
        .sort();
      const { rows } = await client.query(
        "SELECT column_name FROM information_schema.columns WHERE table_name = $1",
        [table],
      );
      expect(rows.map((r) => r.column_name).sort(), table).toEqual(sqliteColumns);
    }
    await client.end();
    local.close();
  });

  it("boxes starting at once migrate once; a newer schema is refused with what to do", async () => {
    const url = await (postgres as TestPostgres).database();
    const stores = await Promise.all([1, 2, 3].map(() => openPostgresStore(url, { logger: silentLogger() })));
    for (const s of stores) await s.close();
    const pg = (await import("pg")).default;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query("SELECT version FROM sn11_schema");
    expect(rows.map((r) => r.version)).toEqual([LATEST_POSTGRES_VERSION]);
    await client.query("INSERT INTO sn11_schema (version, name) VALUES ($1, 'from a newer sn11')", [
      LATEST_POSTGRES_VERSION + 1,
    ]);
    await client.end();
    const newer = openPostgresStore(url, { logger: silentLogger() });
    await expect(newer).rejects.toBeInstanceOf(ConfigError);
    await expect(newer).rejects.toMatchObject({
      message: expect.stringMatching(
        `schema version ${LATEST_POSTGRES_VERSION + 1}, this sn11 reads ${LATEST_POSTGRES_VERSION}`,
      ),
      hint: expect.stringMatching(/same sn11 release/),
    });
  });

  it("a database that is not there, or a server that is not running, says so in sn11's terms", async () => {
    const port = (postgres as TestPostgres).port;
    const missing = openPostgresStore(`postgres://sn11@127.0.0.1:${port}/nope`, { logger: silentLogger() });
    await expect(missing).rejects.toBeInstanceOf(ConfigError);
    const noTls = openPostgresStore(`postgres://sn11@127.0.0.1:${port}/postgres?sslmode=require`, {
      logger: silentLogger(),
    });
    await expect(noTls).rejects.toBeInstanceOf(ConfigError);
    const down = openPostgresStore("postgres://sn11:secret@127.0.0.1:1/sn11", { logger: silentLogger() });
    await expect(down).rejects.toBeInstanceOf(NetworkError);
    await expect(down).rejects.not.toThrow(/secret/);
  });
});

describe.skipIf(!havePostgres || !canMakeCertificates())("a shared store over TLS", () => {
  it("sslmode means what it means to psql: require encrypts, verify-ca checks the CA, verify-full the name too", async () => {
    const server = await startPostgres({ tls: true });
    try {
      const url = await server.database();
      const open = (query: string) => openPostgresStore(`${url}?${query}`, { logger: silentLogger() });
      const encrypted = await open("sslmode=require");
      await encrypted.syncQueue(P, [want("a/one", 10)]);
      expect((await encrypted.jobs(P)).map((j) => j.repo)).toEqual(["a/one"]);
      await encrypted.close();
      const pg = (await import("pg")).default;
      const client = new pg.Client({ connectionString: withLibpqSslModes(`${url}?sslmode=require`) });
      await client.connect();
      const { rows } = await client.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
      await client.end();
      expect(rows).toEqual([{ ssl: true }]);
      const ca = `sslrootcert=${encodeURIComponent(server.certificate as string)}`;
      await (await open(`sslmode=verify-ca&${ca}`)).close();
      // The certificate is for localhost, the URL says 127.0.0.1; without the CA nothing is trusted.
      await expect(open(`sslmode=verify-full&${ca}`)).rejects.toBeInstanceOf(ConfigError);
      await expect(open("sslmode=verify-full")).rejects.toMatchObject({
        message: expect.stringMatching(/certificate this box does not trust/),
        hint: expect.stringMatching(/sslrootcert/),
      });
    } finally {
      await server.stop();
    }
  }, 60_000);
});
