import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import { entryHash } from "../../src/scoring/model-id.js";
import { openPostgresStore } from "../../src/store/shared/postgres.js";
import type { SharedStore } from "../../src/store/shared/shared-store.js";
import { newestRunSamples, runInProcess, spawnSn11, tempDir } from "../support/cli.js";
import { HAS_LLAMA_SERVER } from "../support/engines/llama.js";
import { POSTGRES_MISSING, postgresBinDir, startPostgres, type TestPostgres } from "../support/postgres.js";
import { quickEvaluation, startValidatorNet, type ValidatorNet } from "../support/validator-net.js";

const P = "dippy-2025-03";
const havePostgres = postgresBinDir() !== null;
if (!havePostgres) {
  if (process.env.CI) throw new Error(POSTGRES_MISSING);
  console.warn(POSTGRES_MISSING);
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The several-box set-up on one machine: one `sn11 validate --no-evaluate` queues the chain's entries in a
 * real PostgreSQL and sets weights from the results; `sn11 worker` processes (each with its own data dir,
 * as on their own boxes) evaluate them.
 */
describe.skipIf(!HAS_LLAMA_SERVER || !havePostgres)("evaluation workers on a shared PostgreSQL", () => {
  let net: ValidatorNet;
  let postgres: TestPostgres;
  let url: string;
  let shared: SharedStore;
  beforeAll(async () => {
    [net, postgres] = await Promise.all([startValidatorNet(), startPostgres()]);
    url = await postgres.database();
    shared = await openPostgresStore(url, { logger: createLogger({ write: () => true }, "silent") });
    net.addModel("val/model-a", 3);
    net.addModel("val/model-c", 11);
    net.addModel("val/model-d", 17);
    net.commit(net.miners.bob, "val/model-a", 5_000_001);
    net.commit(net.miners.charlie, "val/model-c", 5_000_002);
    net.commit(net.miners.eve, "val/model-d", 5_000_003);
    net.devnet.produceBlock();
  }, 120_000);
  afterAll(async () => {
    // Each one whatever happened to the one before: a test server left running outlives the suite.
    await Promise.allSettled([shared?.close(), postgres?.stop(), net?.stop()]);
  });

  it("a killed worker's job goes to another when its lease runs out; two workers never run the same job", async () => {
    const queued = await runInProcess(
      ["validate", "--once", "--offline", "--no-evaluate", "--store", url, "--json"],
      {
        env: net.env,
      },
    );
    expect(queued.code, queued.stderr).toBe(0);
    expect(JSON.parse(queued.stdout).banner.score_source).toMatch(
      /^shared store postgres:\/\/sn11@127\.0\.0\.1:\d+\//,
    );
    expect((await shared.jobs(P)).map((j) => [j.repo, j.status])).toEqual([
      ["val/model-a", "QUEUED"],
      ["val/model-c", "QUEUED"],
      ["val/model-d", "QUEUED"],
    ]);

    // Worker A takes the oldest entry and dies mid-evaluation (kill -9: no requeue, no lease release).
    const dirA = tempDir("sn11-worker-a-");
    const lease = ["--lease-seconds", "3"];
    const a = spawnSn11(["worker", ...lease, ...quickEvaluation(net, 8)], {
      ...net.env,
      SN11_DATA_DIR: dirA,
      SN11_STORE: url,
    });
    await until(async () => {
      if (a.child.exitCode !== null)
        throw new Error(`worker A exited (${a.child.exitCode}):\n${a.output.stderr}`);
      return newestRunSamples(dirA).filter((r) => r.generation !== null).length >= 1;
    }, "worker A's first committed sample");
    a.child.kill("SIGKILL");
    await a.exited;
    const held = await shared.job(P, "val/model-a", (await shared.jobs(P))[0]?.entryHash as string);
    expect(held).toMatchObject({
      status: "RUNNING",
      attempts: 1,
      leaseOwner: expect.stringMatching(/\/\d+$/),
    });

    // Workers B and C drain the queue, the dead worker's job included once its lease ran out.
    const workers = ["b", "c"].map((name) =>
      spawnSn11(["worker", "--until-empty", "--json", "--store", url, ...lease, ...quickEvaluation(net)], {
        ...net.env,
        SN11_DATA_DIR: tempDir(`sn11-worker-${name}-`),
        SN11_LOG: "warn",
      }),
    );
    const codes = await Promise.all(workers.map((w) => w.exited));
    expect(codes, workers.map((w) => w.output.stderr).join("\n")).toEqual([0, 0]);
    const evaluated = workers.flatMap((w) =>
      w.output.stdout
        .split("\n")
        .filter((line) => line.includes('"event":"evaluation"'))
        .map((line) => JSON.parse(line) as { repo: string; outcome: string }),
    );
    expect(evaluated.map((e) => e.repo).sort()).toEqual(["val/model-a", "val/model-c", "val/model-d"]);
    expect(evaluated.every((e) => e.outcome === "COMPLETED")).toBe(true);
    const tookOver = workers.map((w) => w.output.stderr).join("\n");
    expect(tookOver).toContain("took over a job whose worker stopped renewing its lease");
    expect(tookOver).toContain(held?.leaseOwner as string);
    const jobs = await shared.jobs(P);
    expect(jobs.map((j) => [j.repo, j.status, j.attempts, j.leaseOwner])).toEqual([
      ["val/model-a", "COMPLETED", 2, null],
      ["val/model-c", "COMPLETED", 1, null],
      ["val/model-d", "COMPLETED", 1, null],
    ]);
    expect(await shared.progress()).toEqual([]);

    // The validator's step reads the workers' results from the shared store.
    const step = await runInProcess(["validate", "--once", "--offline", "--no-evaluate", "--json"], {
      env: { ...net.env, SN11_STORE: url },
    });
    expect(step.code, step.stderr).toBe(0);
    const out = JSON.parse(step.stdout);
    const reasons = Object.fromEntries(
      out.weights.registry.map((r: { uid: number; reason: string | null }) => [r.uid, r.reason]),
    );
    expect(reasons).toMatchObject({ 1: null, 2: null, 8: null });
    // The validator box's own views read the queue side from the shared store too.
    const sharedEnv = { ...net.env, SN11_STORE: url };
    const board = await runInProcess(["leaderboard", "--offline", "--json"], { env: sharedEnv });
    expect(board.code, board.stderr).toBe(0);
    expect(JSON.parse(board.stdout).rows.find((r: { uid: number }) => r.uid === 8)).toMatchObject({
      repo: "val/model-d",
      state: "scored",
    });
    const dash = await runInProcess(["dashboard", "--offline", "--json"], { env: sharedEnv });
    expect(dash.code, dash.stderr).toBe(0);
    expect(JSON.parse(dash.stdout).board.find((b: { uid: number }) => b.uid === 2)).toMatchObject({
      repo: "val/model-c",
      state: "scored",
    });

    // A score server on a box of its own serves the same results, and a GPU-less validator mirrors them.
    const server = spawnSn11(["serve", "--port", "0"], {
      ...net.env,
      SN11_DATA_DIR: tempDir("sn11-serve-box-"),
      SN11_STORE: url,
    });
    try {
      let base: string | undefined;
      await until(async () => {
        base = /listening on (http:\/\/\S+)/.exec(server.output.stderr)?.[1];
        if (server.child.exitCode !== null) throw new Error(`sn11 serve exited:\n${server.output.stderr}`);
        return base !== undefined;
      }, "sn11 serve");
      const hotkey = net.miners.bob.address;
      const query = new URLSearchParams({
        repo_namespace: "val",
        repo_name: "model-a",
        chat_template_type: "chatml",
        hash: entryHash("val", "model-a", "chatml", hotkey),
        hotkey,
      });
      const details = (await (await fetch(`${base}/model_submission_details?${query}`)).json()) as {
        status: string;
        score: { total_score: number };
        details: { model_hash: string };
      };
      expect(details.status).toBe("COMPLETED");
      expect(details.score.total_score).toBeGreaterThan(0);
      expect(details.details.model_hash).toMatch(/^\S{8,}$/);
      const minerboard = (await (await fetch(`${base}/minerboard`)).json()) as unknown[];
      expect(minerboard).toHaveLength(3);
      const remote = await runInProcess(
        [
          "validate",
          "--once",
          "--offline",
          "--score-source",
          "remote",
          "--score-url",
          base as string,
          "--json",
        ],
        { env: { ...net.env, SN11_DATA_DIR: tempDir("sn11-gpu-less-") } },
      );
      expect(remote.code, remote.stderr).toBe(0);
      expect(JSON.parse(remote.stdout).weights.emit).toEqual(out.weights.emit);
    } finally {
      server.child.kill("SIGTERM");
      await server.exited;
    }
  }, 600_000);

  it("a worker waits out a database restart, then takes the next job", async () => {
    const restartUrl = await postgres.database();
    const queue = await openPostgresStore(restartUrl, {
      logger: createLogger({ write: () => true }, "silent"),
    });
    const worker = spawnSn11(["worker", "--lease-seconds", "3", ...quickEvaluation(net)], {
      ...net.env,
      SN11_DATA_DIR: tempDir("sn11-worker-restart-"),
      SN11_STORE: restartUrl,
      SN11_LOG: "warn",
    });
    try {
      await until(
        async () => worker.output.stderr.includes("sn11 worker: 1 evaluation worker"),
        "the worker",
      );
      await postgres.restart(3_000);
      expect(worker.child.exitCode).toBeNull();
      const hotkey = net.miners.bob.address;
      await queue.addToQueue(P, {
        repo: "val/model-a",
        entryHash: entryHash("val", "model-a", "chatml", hotkey),
        hotkey,
        uid: 1,
        commitBlock: 5_000_001,
        chatTemplate: "chatml",
      });
      await until(async () => (await queue.jobs(P))[0]?.status === "COMPLETED", "the job after the restart");
      expect(worker.output.stderr).toMatch(/cannot claim a job|shared store connection lost/);
    } finally {
      worker.child.kill("SIGTERM");
      expect(await worker.exited).toBe(0);
      await queue.close();
    }
  }, 300_000);

  it("sn11 doctor reads the shared store without writing to it", async () => {
    const fresh = await postgres.database();
    const check = async (store: string) => {
      const run = await runInProcess(["doctor", "--json", "--dataset", net.dataset], {
        env: { ...net.env, SN11_STORE: store },
      });
      return (JSON.parse(run.stdout).checks as { id: string; status: string; reason: string }[]).find(
        (c) => c.id === "shared-store",
      );
    };
    expect(await check(fresh)).toMatchObject({
      status: "ok",
      reason: expect.stringMatching(/no sn11 tables yet/),
    });
    expect(await check(fresh)).toMatchObject({ reason: expect.stringMatching(/no sn11 tables yet/) });
    expect(await check(url)).toMatchObject({
      status: "ok",
      reason: expect.stringMatching(/schema 1, 0 unfinished jobs/),
    });
    const down = await check("postgres://sn11:hunter2@127.0.0.1:1/sn11");
    expect(down).toMatchObject({
      status: "fail",
      reason: expect.stringMatching(/cannot reach the shared store/),
    });
    expect(JSON.stringify(down)).not.toContain("hunter2");
  });

  it("a worker without a shared store, or validate --no-evaluate without one, is a usage error; an unreachable one is 69, its password never shown", async () => {
    const worker = await runInProcess(["worker", ...quickEvaluation(net)], { env: net.env });
    expect(worker.code).toBe(2);
    expect(worker.stderr).toMatch(/give it their --store/);
    const validate = await runInProcess(["validate", "--once", "--offline", "--no-evaluate"], {
      env: net.env,
    });
    expect(validate.code).toBe(2);
    expect(validate.stderr).toMatch(/--no-evaluate/);
    const down = await runInProcess(
      [
        "validate",
        "--once",
        "--offline",
        "--no-evaluate",
        "--verbose",
        "--store",
        "postgres://sn11:hunter2@127.0.0.1:1/sn11",
      ],
      { env: net.env },
    );
    expect(down.code).toBe(69);
    expect(down.stderr).toMatch(
      /cannot reach the shared store postgres:\/\/sn11:\*\*\*@127\.0\.0\.1:1\/sn11/,
    );
    expect(down.stderr + down.stdout).not.toContain("hunter2");
    const bad = await runInProcess(["worker", "--store", "mysql://x", ...quickEvaluation(net)], {
      env: net.env,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/postgres:\/\//);
  });
});
