import { afterEach, describe, expect, it } from "vitest";
import { entryHash } from "../../src/scoring/model-id.js";
import { DEFAULT_PROFILE_ID } from "../../src/scoring/profile.js";
import { cleanEnv, inStore, runInProcess, tempDir } from "../support/cli.js";
import type { Devnet } from "../support/devnet/devnet.js";
import { startSubnet } from "../support/devnet/fixture.js";

const running: Devnet[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.stop()));
});

const commitment = (ns: string, name: string, hotkey: string) =>
  `${ns}:${name}:chatml:${hotkey}:${entryHash(ns, name, "chatml", hotkey)}:d1`;

/**
 * Eight uids at finney-like heights: Bob scored (uid 1), Charlie queued (2), Dave a later copy of Bob's
 * repo (3); the epoch gave Bob most of the incentive; uids 4–7 have no commitment and no emission.
 */
async function board(options: { selectiveMetagraph?: boolean } = {}) {
  const { devnet, keys } = await startSubnet({ firstBlockNumber: 5_000_000, uids: 8, ...options });
  running.push(devnet);
  const [bob, charlie, dave] = keys.miners as unknown as [
    { address: string },
    { address: string },
    { address: string },
  ];
  const at = devnet.blockNumber;
  devnet.putCommitment(11, bob.address, commitment("bob", "rp-7b", bob.address), at);
  devnet.putCommitment(11, charlie.address, commitment("charlie", "muse", charlie.address), at + 1);
  devnet.putCommitment(11, dave.address, commitment("bob", "rp-7b", dave.address), at + 2);
  devnet.setEpochOutputs(11, {
    0: { dividends: 65535, emission: 500_000_000n },
    1: { incentive: 49151, consensus: 40000, emission: 3_000_000_000n },
    2: { incentive: 16384, emission: 1_000_000_000n },
  });
  devnet.produceBlocks(3);
  const dataDir = tempDir();
  inStore(dataDir, (store) => {
    store.evaluations.upsert({
      repo: "bob/rp-7b",
      entryHash: entryHash("bob", "rp-7b", "chatml", bob.address),
      profile: DEFAULT_PROFILE_ID,
      status: "COMPLETED",
      totalScore: 0.7,
      revision: "abc123",
      reason: null,
    });
    store.evalQueue.sync(DEFAULT_PROFILE_ID, [
      {
        repo: "charlie/muse",
        entryHash: entryHash("charlie", "muse", "chatml", charlie.address),
        hotkey: charlie.address,
        uid: 2,
        commitBlock: at + 1,
        chatTemplate: "chatml",
      },
    ]);
  });
  const env = cleanEnv({ SN11_NETWORK: devnet.url, SN11_DATA_DIR: dataDir, SN11_CHAIN_TIMEOUT: "5" });
  return { devnet, env, bob, charlie, dave, validator: keys.validator.address };
}

describe("sn11 leaderboard against the devnet", () => {
  it.each([
    ["the selective metagraph", true],
    ["storage reads (older runtimes)", false],
  ])("--json joins chain, replay and store at one block, one row per uid (%s)", async (_name, selective) => {
    const { devnet, env, bob } = await board({ selectiveMetagraph: selective });
    const run = await runInProcess(["leaderboard", "--json"], { env });
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ netuid: 11, block: devnet.blockNumber, sort: "weight", warnings: [] });
    expect(out.sources.chain).toBe(devnet.url);
    expect(out.rows).toHaveLength(8);
    expect(out.rows.map((r: { uid: number }) => r.uid).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const row = (uid: number) => out.rows.find((r: { uid: number }) => r.uid === uid);
    expect(row(1)).toMatchObject({
      rank: 1,
      hotkey: bob.address,
      state: "scored",
      repo: "bob/rp-7b",
      revision: "abc123",
      evaluation: { source: "local", status: "COMPLETED", total_score: 0.7 },
      chain: { incentive: 49151 / 65535, consensus: 40000 / 65535, emission_rao: 3e9, immune: true },
    });
    expect(row(1).weight).toBeGreaterThan(0);
    expect(row(1).chain.emission_per_day_est).toBeCloseTo((3 * 7200) / 361, 6);
    expect(row(0).chain).toMatchObject({ dividends: 1, validator_permit: true });
    expect(row(2)).toMatchObject({
      state: "queued",
      evaluation: { queue: { state: "QUEUED", position: 1 } },
    });
    expect(row(3)).toMatchObject({
      state: "duplicate",
      registry: { duplicate_of: { uid: 1, match: "repo" } },
    });
    expect(row(5)).toMatchObject({ state: "none", repo: null });
    // Every uid registered at the start is still immune; the lowest emission, earliest, lowest uid goes.
    expect(out.prune_next).toBe(3);
    expect(row(3).chain.prune_next).toBe(true);
  });

  it("text: the header names each source; uids without a commitment are counted; filters and pins", async () => {
    const { devnet, env, dave } = await board();
    const text = await runInProcess(["leaderboard"], { env });
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.split("\n");
    const header = lines.slice(0, lines.indexOf("")).join(" · ");
    expect(header).toContain(`netuid 11 · block ${devnet.blockNumber} (finalized)`);
    expect(header).toContain("scores: local (");
    expect(header).toContain("owner API: off");
    expect(Math.max(...lines.map((l) => l.length)), text.stdout).toBeLessThanOrEqual(80);
    expect(text.stdout).toMatch(/\n\s*1\s+1\s+bob\/rp-7b\s+.*scored\s+0\.7000/);
    expect(text.stdout).toMatch(/columns left out: .*hotkey.* \(--wide shows them\)/);
    const wide = await runInProcess(["leaderboard", "--wide"], { env });
    expect(wide.stdout).toMatch(/\n\s*1\s+1\s+5\S+\s+bob\/rp-7b\s+\d+\s+scored\s+0\.7000/);
    expect(wide.stdout).not.toContain("columns left out");
    const all = await runInProcess(["leaderboard", "--all"], { env });
    expect(all.stdout).not.toContain("uids without a commitment not shown");
    expect(all.stdout).toContain("no commitment");
    expect(text.stdout).toContain("dup of 1 (repo)");
    expect(text.stdout).toContain("queued #1");
    expect(text.stdout).toContain("⚠ next");
    expect(text.stdout).toContain("5 uids without a commitment not shown (--all lists them)");

    const pinned = await runInProcess(["leaderboard", "--top", "1", "--hotkey", dave.address, "--json"], {
      env,
    });
    expect(JSON.parse(pinned.stdout).rows.map((r: { uid: number }) => r.uid)).toEqual([1, 3]);
    const queued = await runInProcess(
      ["leaderboard", "--status", "queued,duplicate", "--sort", "uid", "--json"],
      {
        env,
      },
    );
    expect(JSON.parse(queued.stdout).rows.map((r: { uid: number }) => r.uid)).toEqual([2, 3]);
    const byIncentive = await runInProcess(["leaderboard", "--sort", "incentive", "--uid", "1,2", "--json"], {
      env,
    });
    expect(JSON.parse(byIncentive.stdout).rows.map((r: { uid: number }) => r.uid)).toEqual([1, 2]);
  });

  it("sn11 dashboard reads the same chain: the board's chain columns and when weights are free again", async () => {
    const { devnet, env, validator } = await board();
    devnet.setHyperparameters(11, { weightsRateLimit: 100 });
    const lastUpdate = devnet.blockNumber - 40;
    devnet.subnetState(11).neurons[0]!.lastUpdate = lastUpdate;
    devnet.produceBlock();
    const run = await runInProcess(
      ["dashboard", "--once", "--json", "--view", "validator", "--hotkey", validator],
      {
        env,
      },
    );
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.boardSource).toBe(`chain ${devnet.url}`);
    expect(out.block).toBe(devnet.blockNumber);
    expect(out.weightsFree).toEqual({
      atBlock: lastUpdate + 100,
      blocksLeft: lastUpdate + 100 - devnet.blockNumber,
    });
    expect(out.board.find((b: { uid: number }) => b.uid === 1).chain.incentive).toBeCloseTo(49151 / 65535, 9);
    expect(out.pruneNext).toBe(3);
  });

  it("--scores remote with the owner's API down: a warning and a null owner column, never a failure", async () => {
    const { env } = await board();
    const run = await runInProcess(
      ["leaderboard", "--scores", "remote", "--score-url", "http://127.0.0.1:9", "--wide"],
      { env },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("owner API: unavailable");
    expect(run.stdout).toMatch(
      /warning: owner scores unavailable: the score API at http:\/\/127\.0\.0\.1:9 is unreachable/,
    );
    const json = await runInProcess(
      ["leaderboard", "--scores", "remote", "--score-url", "http://127.0.0.1:9", "--json"],
      { env },
    );
    const out = JSON.parse(json.stdout);
    expect(out.sources.owner).toBeNull();
    expect(out.rows.every((r: { owner: unknown }) => r.owner === null)).toBe(true);
  });
});

describe("sn11 leaderboard without a chain", () => {
  it("--snapshot ranks a replay snapshot offline; no chain or store columns", async () => {
    const env = cleanEnv({ SN11_DATA_DIR: tempDir(), SN11_NETWORK: "ws://127.0.0.1:1" });
    const run = await runInProcess(["leaderboard", "--snapshot", "examples/demo-step.json", "--json"], {
      env,
    });
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.rows).toHaveLength(80);
    expect(out.rows[0]).toMatchObject({ uid: 74, burn: true, weight: 0.75, chain: null, sent_weight: null });
    expect(out.sources).toMatchObject({ chain: null, store: null });
  });

  it("bad input is a usage error with a hint: no recorded step, two sources, --mine without a wallet", async () => {
    const env = cleanEnv({ SN11_DATA_DIR: tempDir(), SN11_NETWORK: "ws://127.0.0.1:1" });
    const offline = await runInProcess(["leaderboard", "--offline"], { env });
    expect(offline.code).toBe(2);
    expect(offline.stderr).toContain("no step recorded its chain state in this store");
    expect(offline.stderr).toContain("hint:");
    const both = await runInProcess(["leaderboard", "--offline", "--snapshot", "x.json"], { env });
    expect(both.code).toBe(2);
    const mine = await runInProcess(["leaderboard", "--snapshot", "examples/demo-step.json", "--mine"], {
      env: { ...env, BT_WALLET_PATH: tempDir() },
    });
    expect(mine.code).toBe(2);
    expect(mine.stderr).toContain("--mine needs a wallet");
    const status = await runInProcess(["leaderboard", "--status", "great", "--json"], { env });
    expect(status.code).toBe(2);
    expect(JSON.parse(status.stderr).error.message).toMatch(/^--status: /);
  });
});
