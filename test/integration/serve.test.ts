import { Keyring } from "@polkadot/keyring";
import { u8aToHex } from "@polkadot/util";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entryHash } from "../../src/scoring/model-id.js";
import { DEFAULT_PROFILE_ID } from "../../src/scoring/profile.js";
import { signedMessage } from "../../src/serve/auth.js";
import { cleanEnv, inStore, runInProcess, spawnSn11, tempDir } from "../support/cli.js";
import type { Devnet } from "../support/devnet/devnet.js";
import { startSubnet } from "../support/devnet/fixture.js";
import { commitScoredModel } from "../support/scored-models.js";
import { buildSnapshot, hotkey } from "../support/snapshots.js";

const ADMIN_TOKEN = "admin-token-0123456789abcdef";

/** A response body: its shape is what the assertions check. */
// biome-ignore lint/suspicious/noExplicitAny: JSON from the server under test
type Body = any;
const profile = DEFAULT_PROFILE_ID;

/** `sn11 serve --port 0` as a child process, and the URL it printed. */
async function serve(env: Record<string, string>, args: string[] = []) {
  const proc = spawnSn11(["serve", "--port", "0", ...args], env);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const url = /listening on (http:\/\/\S+)/.exec(proc.output.stderr)?.[1];
    if (url) return { ...proc, url };
    if (Date.now() > deadline) throw new Error(`sn11 serve did not start: ${proc.output.stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const REPOS = ["a/done", "b/failed", "c/running", "d/queued"];

/** A store as the daemon leaves it: one step's chain state, a COMPLETED, a FAILED, a RUNNING and a QUEUED entry. */
function seededDataDir(): string {
  const dataDir = tempDir("sn11-serve-");
  const snapshot = buildSnapshot([
    { repo: "a/done", score: 0.7 },
    { repo: "b/failed", status: "FAILED" },
    { repo: "c/running" },
    { repo: "d/queued" },
    { noCommitment: true },
  ]);
  inStore(dataDir, (store) => {
    const hash = (uid: number) => {
      const [ns, name] = (REPOS[uid] as string).split("/") as [string, string];
      return entryHash(ns, name, "chatml", hotkey(uid));
    };
    store.evaluations.upsert({
      repo: "a/done",
      entryHash: hash(0),
      profile,
      status: "COMPLETED",
      totalScore: 0.7,
      revision: "r1",
      reason: null,
    });
    store.evaluations.upsert({
      repo: "b/failed",
      entryHash: hash(1),
      profile,
      status: "FAILED",
      totalScore: 0,
      revision: null,
      reason: "repo is private",
    });
    store.evalQueue.sync(
      profile,
      [0, 1, 2, 3].map((uid) => ({
        repo: REPOS[uid] as string,
        entryHash: hash(uid),
        hotkey: hotkey(uid),
        uid,
        commitBlock: 5_000_000 + uid,
        chatTemplate: "chatml",
      })),
    );
    store.evalQueue.claim(profile); // the oldest commit block first: a/done, then…
    store.evalQueue.claim(profile);
    store.evalQueue.claim(profile); // …c/running stays RUNNING
    const step = store.validatorSteps.begin({ profile, netuid: 11, mode: "live" });
    store.validatorSteps.finish(step, {
      outcome: "sent",
      reason: null,
      block: snapshot.block,
      blockHash: "0x01",
      snapshot,
      emitted: 1,
      txHash: "0xab",
      txBlock: snapshot.block + 1,
    });
  });
  return dataDir;
}

function detailsUrl(base: string, uid: number, repo: string, overrides: Record<string, string> = {}) {
  const [ns, name] = repo.split("/") as [string, string];
  const params = new URLSearchParams({
    repo_namespace: ns,
    repo_name: name,
    chat_template_type: "chatml",
    hash: entryHash(ns, name, "chatml", hotkey(uid)),
    hotkey: hotkey(uid),
    ...overrides,
  });
  return `${base}/model_submission_details?${params}`;
}

describe("sn11 serve: the reference's validation API from the store", () => {
  let server: Awaited<ReturnType<typeof serve>>;
  let dataDir: string;
  beforeAll(async () => {
    await cryptoWaitReady();
    dataDir = seededDataDir();
    const admin = new Keyring({ type: "sr25519" }).addFromUri("//Alice");
    server = await serve(cleanEnv({ SN11_DATA_DIR: dataDir, SN11_SERVE_ADMIN_TOKEN: ADMIN_TOKEN }), [
      "--admin-hotkeys",
      admin.address,
    ]);
  }, 30_000);
  afterAll(async () => {
    server?.child.kill("SIGTERM");
    expect(await server?.exited).toBe(0);
  });

  const get = async (url: string) => {
    const res = await fetch(url);
    return [res.status, (await res.json()) as Body] as const;
  };
  const post = async (body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.url}/check_model`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return [res.status, (await res.json()) as Body] as const;
  };
  const zero = {
    model_size_score: 0,
    qualitative_score: 0,
    latency_score: 0,
    coherence_score: 0,
    creativity_score: 0,
    post_eval_score: 0,
  };

  // The pairs of DIPPY-SPEC §6.1 / §1.4, as the reference's validators and model queue send them.
  it.each([
    ["GET /hc", () => `${server.url}/hc`, 200, { g: true }],
    [
      "a COMPLETED entry: its win rate as judge and total score",
      () => detailsUrl(server.url, 0, "a/done"),
      200,
      {
        score: { ...zero, coherence_score: 1, total_score: 0.7, judge_score: 0.7 },
        details: { model_hash: "" },
        status: "COMPLETED",
      },
    ],
    [
      "a FAILED entry",
      () => detailsUrl(server.url, 1, "b/failed"),
      200,
      { score: { ...zero, total_score: 0, judge_score: 0 }, details: { model_hash: "" }, status: "FAILED" },
    ],
    [
      "a RUNNING entry",
      () => detailsUrl(server.url, 2, "c/running"),
      200,
      expect.objectContaining({ status: "RUNNING" }),
    ],
    [
      "a QUEUED entry",
      () => detailsUrl(server.url, 3, "d/queued"),
      200,
      expect.objectContaining({ status: "QUEUED" }),
    ],
    ["an entry the store never heard of: null", () => detailsUrl(server.url, 4, "e/new"), 200, null],
    [
      "an entry hash that is not the model's",
      () => detailsUrl(server.url, 0, "a/done", { hash: "123" }),
      400,
      { detail: "Hash does not match the model details" },
    ],
    [
      "no hotkey (the reference answers 500)",
      () => detailsUrl(server.url, 0, "a/done", { hotkey: "" }),
      422,
      { detail: "hotkey: hotkey is required: the entry hash is checked against it" },
    ],
    ["an unknown path", () => `${server.url}/nope`, 404, { detail: "Not Found" }],
    ["GET on a POST path", () => `${server.url}/check_model`, 405, { detail: "Method Not Allowed" }],
  ])("%s", async (_name, url, status, body) => {
    expect(await get(url())).toEqual([status, body]);
  });

  it("GET /minerboard: every queued entry as {...leaderboard, ...minerboard}", async () => {
    const [status, rows] = await get(`${server.url}/minerboard`);
    expect(status).toBe(200);
    expect(rows.map((r: { repo_name: string; status: string }) => [r.repo_name, r.status])).toEqual([
      ["done", "COMPLETED"],
      ["failed", "FAILED"],
      ["running", "RUNNING"],
      ["queued", "QUEUED"],
    ]);
    expect(rows[0]).toMatchObject({
      uid: 0,
      hotkey: hotkey(0),
      block: 5_000_000,
      total_score: 0.7,
      notes: "",
    });
    expect(rows[1]).toMatchObject({ notes: "repo is private" });
  });

  it("GET /leaderboard: the leaderboard of the newest step's chain state", async () => {
    const [status, board] = await get(`${server.url}/leaderboard`);
    expect(status).toBe(200);
    expect(board).toMatchObject({ netuid: 11, block: 5_100_000, sources: { snapshot: "step #1" } });
    expect(board.rows[0]).toMatchObject({ uid: 0 });
  });

  it("POST /check_model: refused without the admin key; queues a new entry with it", async () => {
    const entry = {
      repo_namespace: "e",
      repo_name: "new",
      chat_template_type: "chatml",
      hash: entryHash("e", "new", "chatml", hotkey(4)),
      hotkey: hotkey(4),
      block: 5_000_010,
    };
    expect(await post(entry)).toEqual([403, { detail: "invalid key" }]);
    expect(await post({ ...entry, admin_key: "wrong-but-long-enough-token" })).toEqual([
      403,
      { detail: "invalid key" },
    ]);
    // Authenticated before the hash is looked at: a stranger learns nothing about the entries.
    expect(await post({ ...entry, hash: "1" })).toEqual([403, { detail: "invalid key" }]);
    expect(await post({ ...entry, hash: "1", admin_key: ADMIN_TOKEN })).toEqual([
      400,
      { detail: "Hash does not match the model details" },
    ]);
    const [status, queued] = await post({ ...entry, admin_key: ADMIN_TOKEN });
    expect([status, queued.status]).toEqual([200, "QUEUED"]);
    const job = inStore(dataDir, (store) => store.evalQueue.find(profile, "e/new", entry.hash));
    expect(job).toMatchObject({ uid: 4, status: "QUEUED", commitBlock: 5_000_010 });
    // Idempotent, as the reference: an existing entry is returned, not queued again.
    expect((await post(entry, { authorization: `Bearer ${ADMIN_TOKEN}` }))[1].status).toBe("QUEUED");
    const unsupported = {
      ...entry,
      chat_template_type: "nope",
      hash: entryHash("e", "new", "nope", hotkey(4)),
    };
    expect((await post({ ...unsupported, admin_key: ADMIN_TOKEN }))[1].status).toBe("FAILED");
  });

  it("POST /check_model signed by an allow-listed hotkey: accepted once, a replay or a stale one refused", async () => {
    const alice = new Keyring({ type: "sr25519" }).addFromUri("//Alice");
    const bob = new Keyring({ type: "sr25519" }).addFromUri("//Bob");
    const body = JSON.stringify({
      repo_namespace: "a",
      repo_name: "done",
      chat_template_type: "chatml",
      hash: entryHash("a", "done", "chatml", hotkey(0)),
      hotkey: hotkey(0),
      block: 5_000_000,
    });
    const signed = (pair: typeof alice, timestamp = Date.now()) => ({
      "x-sn11-hotkey": pair.address,
      "x-sn11-timestamp": String(timestamp),
      "x-sn11-signature": u8aToHex(
        pair.sign(signedMessage("POST", "/check_model", timestamp, Buffer.from(body))),
      ),
    });
    const headers = signed(alice);
    const [status, score] = await post(body, headers);
    expect([status, score.status]).toEqual([200, "COMPLETED"]);
    expect(await post(body, headers)).toEqual([403, { detail: "invalid key" }]);
    expect(await post(body, signed(alice, Date.now() - 120_000))).toEqual([403, { detail: "invalid key" }]);
    expect(await post(body, signed(bob))).toEqual([403, { detail: "invalid key" }]);
    expect(server.output.stderr).toContain("replayed signature");
  });

  it("bad requests: a body over 64 KiB, JSON that is not, never a stack trace", async () => {
    const huge = await fetch(`${server.url}/check_model`, { method: "POST", body: "x".repeat(70_000) });
    expect([huge.status, await huge.json()]).toEqual([413, { detail: "request body over 65536 bytes" }]);
    expect(await post("{not json", { authorization: `Bearer ${ADMIN_TOKEN}` })).toEqual([
      422,
      { detail: "the body is not JSON" },
    ]);
    expect(server.output.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("sn11 serve's configuration", () => {
  it("a short admin token is a configuration error (78), a bad --admin-hotkeys a usage error (2)", async () => {
    const env = cleanEnv({ SN11_DATA_DIR: tempDir(), SN11_SERVE_ADMIN_TOKEN: "short" });
    const short = await runInProcess(["serve", "--port", "0"], { env });
    expect(short.code).toBe(78);
    expect(short.stderr).toContain("openssl rand -hex 32");
    const bad = await runInProcess(["serve", "--port", "0", "--admin-hotkeys", "5nope"], {
      env: cleanEnv({ SN11_DATA_DIR: tempDir() }),
    });
    expect(bad.code).toBe(2);
  });
});

describe("sn11 validate --score-source remote against sn11 serve", () => {
  let devnet: Devnet | undefined;
  afterAll(async () => {
    await devnet?.stop();
  });

  it("a GPU-less validator sets the weights the serving validator's scores give", async () => {
    const fixture = await startSubnet({ firstBlockNumber: 5_000_000 });
    devnet = fixture.devnet;
    const servingDir = tempDir("sn11-serving-");
    const findProfile = (await import("../../src/scoring/profile.js")).findProfile;
    inStore(servingDir, (store) => {
      fixture.keys.miners.forEach((miner, i) => {
        commitScoredModel(fixture.devnet, store, findProfile(profile)!, {
          namespace: "miner",
          name: `m${i}`,
          hotkey: miner.address,
          block: 4_990_000 + i,
          score: [0.9, 0.4, null][i] as number | null,
        });
      });
    });
    fixture.devnet.produceBlock();
    const network = { SN11_NETWORK: fixture.devnet.url, SN11_CHAIN_TIMEOUT: "5" };
    const local = JSON.parse(
      (
        await runInProcess(["weights", "--from-chain", "--json"], {
          env: cleanEnv({ ...network, SN11_DATA_DIR: servingDir }),
        })
      ).stdout,
    );
    const served = await serve(cleanEnv({ SN11_DATA_DIR: servingDir }));
    try {
      const run = await runInProcess(
        ["validate", "--once", "--offline", "--json", "--score-source", "remote", "--score-url", served.url],
        { env: cleanEnv({ ...network, SN11_DATA_DIR: tempDir("sn11-gpuless-") }) },
      );
      expect(run.code, run.stderr).toBe(0);
      const out = JSON.parse(run.stdout);
      expect(out.steps[0].outcome).toBe("offline");
      expect(out.weights.emit).toEqual(local.emit);
      expect(out.weights.emit.uids.length).toBeGreaterThan(0);
      // The leaderboard's owner column reads the same API: the serving validator's verdicts.
      const board = await runInProcess(
        ["leaderboard", "--scores", "remote", "--score-url", served.url, "--json"],
        { env: cleanEnv({ ...network, SN11_DATA_DIR: tempDir("sn11-board-") }) },
      );
      expect(board.code, board.stderr).toBe(0);
      const owner = Object.fromEntries(
        JSON.parse(board.stdout).rows.map((r: { uid: number; owner: unknown }) => [r.uid, r.owner]),
      );
      expect(owner[1]).toEqual({ status: "COMPLETED", total_score: 0.9 });
      // uid 3 was never queued in the serving store (no daemon ran there): the API answers null, which
      // clients read as FAILED, as the reference's validators do.
      expect(owner[3]).toEqual({ status: "FAILED", total_score: 0 });
    } finally {
      served.child.kill("SIGTERM");
      await served.exited;
    }
  }, 60_000);
});
