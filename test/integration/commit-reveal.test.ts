import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SubtensorClient } from "../../src/chain/client.js";
import { buildTimelockedCommit, type TimelockedCommit } from "../../src/chain/commit-weights.js";
import { decodeHashPreimage } from "../../src/chain/hash-commit.js";
import { QUICKNET } from "../../src/chain/timelock.js";
import { createLogger } from "../../src/log.js";
import { findProfile } from "../../src/scoring/profile.js";
import { Store } from "../../src/store/store.js";
import { runStep } from "../../src/validator/step.js";
import { cleanEnv, runInProcess, tempDir } from "../support/cli.js";
import type { Devnet } from "../support/devnet/devnet.js";
import { startSubnet, VALIDATOR_MNEMONIC } from "../support/devnet/fixture.js";
import type { Hyperparameters } from "../support/devnet/state.js";
import { commitModel, commitScoredModel, liveStepDeps } from "../support/scored-models.js";
import { REPO_ROOT } from "../support/shared.js";
import { writeWallet } from "../support/wallet.js";

const logger = createLogger({ write: () => true }, "silent");
const profile = findProfile("dippy-2025-03")!;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of cleanup.splice(0).reverse()) await stop();
});

/** tempo 20 so a test reaches the reveal epoch in a few dozen blocks; commit-reveal on, one epoch. */
const CR: Partial<Hyperparameters> = {
  commitRevealEnabled: true,
  revealPeriodEpochs: 1,
  tempo: 20,
  weightsRateLimit: 5,
};

async function crSubnet(
  hyper: Partial<Hyperparameters> = {},
  devnetOptions: { autoPulses?: boolean; blockTimeMs?: number } = {},
) {
  const { devnet, keys } = await startSubnet({
    firstBlockNumber: 5_000_000,
    hyper: { ...CR, ...hyper },
    ...devnetOptions,
  });
  cleanup.push(() => devnet.stop());
  const dataDir = tempDir();
  const store = Store.open(dataDir);
  cleanup.push(() => store.close());
  keys.miners.slice(0, 2).forEach((miner, i) => {
    const model = { namespace: "miner", name: `m${i}`, hotkey: miner.address, block: 4_990_000 + i };
    commitScoredModel(devnet, store, profile, { ...model, score: 0.4 + i / 10 });
  });
  devnet.produceBlock();
  const client = await SubtensorClient.connect({ endpoints: [devnet.url], logger, callTimeoutMs: 3000 });
  cleanup.push(() => client.close());
  const deps = liveStepDeps({ client, store, profile, signer: keys.validator, logger });
  return { devnet, store, deps, client, keys, dataDir };
}

/** Keeps the head clear of the 3 blocks before an epoch boundary, where sn11 waits before committing. */
function awayFromBoundary(devnet: Devnet, tempo = 20): void {
  const next = () => (Math.floor((devnet.blockNumber + 12) / (tempo + 1)) + 1) * (tempo + 1) - 12;
  while (next() - devnet.blockNumber <= 4) devnet.produceBlock();
}

describe("timelocked commit-reveal against the devnet", () => {
  it("commits, the chain reveals at the reveal epoch, and the next step confirms it", async () => {
    const { devnet, store, deps } = await crSubnet();
    awayFromBoundary(devnet);
    const step = await runStep(deps);
    expect(step.outcome, step.reason ?? "").toBe("committed");
    const commit = step.commit as TimelockedCommit;
    expect(commit.plan).not.toBeNull();
    const [record] = store.weightCommits.pending(11);
    expect(record).toMatchObject({
      status: "committed",
      mode: "timelock",
      txHash: step.txHash,
      revealRound: commit.revealRound,
    });
    expect(devnet.timelockedCommits()[0]?.commits).toHaveLength(1);
    expect(devnet.subnetState(11).weights.get(0)).toBeUndefined(); // nothing readable before the reveal

    const first = record!.firstRevealBlock;
    devnet.produceBlocksUntil(first + 2);
    expect(devnet.eventsAt(first)).toContain("subtensorModule.TimelockedWeightsRevealed");
    const onChain = devnet.subnetState(11).weights.get(0);
    expect(onChain).toEqual(step.replay?.emit.uids.map((u, i) => [u, step.replay?.emit.weights[i]]));

    const next = await runStep(deps);
    expect(next.reveals).toHaveLength(1);
    expect(next.reveals[0]?.update).toMatchObject({
      status: "revealed",
      revealBlock: first,
      selfCheck: "ok",
    });
    expect(store.weightCommits.get(record!.id)?.status).toBe("revealed");
  }, 60_000);

  it("a connection dropped after the commit was included: found in the chain state, committed once", async () => {
    const { devnet, store, deps } = await crSubnet();
    awayFromBoundary(devnet);
    devnet.inject({ method: "author_submitAndWatchExtrinsic", action: "drop-after-include" });
    const step = await runStep(deps);
    expect(step.outcome).toBe("committed");
    expect(step.reason).toContain("landed although the connection dropped");
    expect(devnet.includedExtrinsics()).toHaveLength(1);
    const record = store.weightCommits.pending(11)[0]!;
    devnet.produceBlocksUntil(record.firstRevealBlock + 1);
    const next = await runStep({ ...deps, mode: "dry-run" });
    expect(next.reveals[0]?.update).toMatchObject({
      status: "revealed",
      revealBlock: record.firstRevealBlock,
    });
  }, 60_000);

  it("a pulse that never arrives: no weights, no event, and the commit is reported reveal_failed", async () => {
    const { devnet, store, deps } = await crSubnet({}, { autoPulses: false });
    awayFromBoundary(devnet);
    const step = await runStep(deps);
    expect(step.outcome).toBe("committed");
    const record = store.weightCommits.pending(11)[0]!;
    devnet.produceBlocksUntil(record.firstRevealBlock + 1);
    const waiting = await runStep({ ...deps, mode: "dry-run" });
    expect(waiting.reveals[0]?.update).toMatchObject({ status: "committed" });
    expect(waiting.reveals[0]?.update.reason).toContain(`waiting for drand round ${record.revealRound}`);
    devnet.produceBlocksUntil(record.lastRevealBlock + 2);
    expect(devnet.subnetState(11).weights.get(0)).toBeUndefined();
    expect(devnet.timelockedCommits()).toEqual([]);
    const failed = await runStep({ ...deps, mode: "dry-run" });
    expect(failed.reveals[0]?.update.status).toBe("reveal_failed");
    expect(failed.reveals[0]?.update.reason).toContain("did not reach the chain");
  }, 60_000);

  it("a permit lost before the reveal: the chain decrypts but refuses, and sn11 says why", async () => {
    const { devnet, store, deps } = await crSubnet();
    awayFromBoundary(devnet);
    expect((await runStep(deps)).outcome).toBe("committed");
    const record = store.weightCommits.pending(11)[0]!;
    (devnet.subnetState(11).neurons[0] as { validatorPermit: boolean }).validatorPermit = false;
    devnet.produceBlocksUntil(record.lastRevealBlock + 1);
    expect(devnet.subnetState(11).weights.get(0)).toBeUndefined();
    const report = (await runStep({ ...deps, mode: "dry-run" })).reveals[0];
    expect(report?.update).toMatchObject({ status: "reveal_failed", selfCheck: "ok" });
    expect(report?.update.reason).toContain("refused the weights at reveal");
  }, 60_000);

  it("the devnet reveals nothing for a payload that names another hotkey", async () => {
    const { devnet, client, keys } = await crSubnet();
    awayFromBoundary(devnet);
    const commit = buildTimelockedCommit({
      hotkey: keys.miners[0]!.address, // not the signer
      emit: { uids: [1, 2], weights: [65535, 100] },
      versionKey: 7,
      revealRound: 1_000_000_000,
      beaconPublicKeyHex: (
        await client.commitRevealState({
          netuid: 11,
          block: await client.head(),
          tempo: 20,
          hotkey: keys.validator.address,
        })
      ).beacon.publicKeyHex,
    });
    const sent = await client.commitTimelockedWeights(
      keys.validator,
      11,
      commit.ciphertext,
      commit.revealRound,
      4,
    );
    expect(sent.events).toContain("subtensorModule.TimelockedWeightsCommitted");
    devnet.produceBlocks(50);
    expect(devnet.subnetState(11).weights.get(0)).toBeUndefined();
    expect(sent.blockNumber).not.toBeNull();
    for (let n = sent.blockNumber as number; n <= devnet.blockNumber; n++)
      expect(devnet.eventsAt(n)).not.toContain("subtensorModule.TimelockedWeightsRevealed");
  }, 60_000);

  it("the chain's refusals come first: plain set_weights, the rate limit, the 10-commit cap, a past round", async () => {
    // tempo 60: the ten commits and the step after them stay in one epoch.
    const { devnet, deps, client, keys } = await crSubnet({ weightsRateLimit: 0, tempo: 60 });
    const plain = await client.setWeights(keys.validator, 11, [1, 2], [1, 2], 7).catch((e: Error) => e);
    expect(String(plain)).toContain("CommitRevealEnabled");

    while ((devnet.blockNumber + 12) % 61 > 30) devnet.produceBlock(); // early in an epoch
    const head = await client.head();
    const state = await client.commitRevealState({
      netuid: 11,
      block: head,
      tempo: 20,
      hotkey: keys.validator.address,
    });
    for (let i = 0; i < 10; i++) {
      const c = buildTimelockedCommit({
        hotkey: keys.validator.address,
        emit: { uids: [1], weights: [65535] },
        versionKey: 7,
        revealRound: state.lastStoredRound + 1000,
        beaconPublicKeyHex: state.beacon.publicKeyHex,
      });
      await client.commitTimelockedWeights(keys.validator, 11, c.ciphertext, c.revealRound, 4);
    }
    const extrinsics = devnet.includedExtrinsics().length;
    const capped = await runStep(deps);
    expect(capped.outcome).toBe("not_sent");
    expect(capped.reason).toContain("TooManyUnrevealedCommits");
    expect(devnet.includedExtrinsics().length).toBe(extrinsics);

    devnet.setHyperparameters(11, { weightsRateLimit: 1000 });
    devnet.produceBlock();
    const tooFast = await runStep(deps);
    expect(tooFast.reason, tooFast.reason ?? "").toContain("CommittingWeightsTooFast");
    expect(tooFast.rateLimitFreesAt).toBeGreaterThan(devnet.blockNumber);

    devnet.setHyperparameters(11, { weightsRateLimit: 0 });
    devnet.produceBlocks(61); // the next epoch: the cap counts per epoch
    awayFromBoundary(devnet, 60);
    devnet.setLastStoredRound(4_000_000_000);
    devnet.produceBlock();
    const past = await runStep(deps);
    expect(past.reason).toContain("InvalidRevealRound");
    devnet.setLastStoredRound(0);
    devnet.setCommitRevealVersion(5);
    devnet.produceBlock();
    const version = await runStep(deps);
    expect(version.reason).toContain("IncorrectCommitRevealVersion");
    expect(devnet.includedExtrinsics().length).toBe(extrinsics);
  }, 60_000);
});

describe("hash commit-reveal (--commit-reveal hash)", () => {
  it("commits a hash; in the reveal epoch a live step reveals it and the chain holds the weights", async () => {
    const { devnet, store, deps } = await crSubnet();
    const hashDeps = { ...deps, commitReveal: "hash" as const };
    const step = await runStep(hashDeps);
    expect(step.outcome, step.reason ?? "").toBe("committed");
    expect(step.commit?.mode).toBe("hash");
    const record = store.weightCommits.pending(11)[0]!;
    expect(record).toMatchObject({ mode: "hash", revealRound: null });
    expect(record.salt).toHaveLength(8);
    expect(devnet.subnetState(11).weights.get(0)).toBeUndefined();

    devnet.produceBlocksUntil(record.firstRevealBlock);
    const dry = await runStep({ ...hashDeps, mode: "dry-run" });
    expect(dry.reveals[0]?.update).toMatchObject({
      status: "committed",
      reason: "the reveal is due: a live run sends it",
    });
    const live = await runStep(hashDeps);
    expect(live.reveals[0]?.update.status).toBe("revealed");
    expect(live.reveals[0]?.update.revealTxHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(devnet.subnetState(11).weights.get(0)).toEqual(
      step.replay?.emit.uids.map((u, i) => [u, step.replay?.emit.weights[i]]),
    );
    expect(store.weightCommits.get(record.id)).toMatchObject({
      status: "revealed",
      revealBlock: live.reveals[0]?.update.revealBlock,
    });
  }, 60_000);

  it("a reveal whose inclusion a dropped connection hid is found revealed at the next check", async () => {
    const { devnet, store, deps } = await crSubnet({ weightsRateLimit: 1000 });
    const hashDeps = { ...deps, commitReveal: "hash" as const };
    expect((await runStep(hashDeps)).outcome).toBe("committed");
    const record = store.weightCommits.pending(11)[0]!;
    devnet.produceBlocksUntil(record.firstRevealBlock);
    devnet.inject({ method: "author_submitAndWatchExtrinsic", action: "drop-after-include" });
    const live = await runStep(hashDeps);
    expect(live.reveals[0]?.update).toMatchObject({ status: "committed" });
    expect(live.reveals[0]?.update.revealTxHash).toMatch(/^0x/);
    expect(devnet.subnetState(11).weights.get(0)).toBeDefined();
    const next = await runStep(hashDeps);
    expect(next.reveals[0]?.update.status).toBe("revealed");
  }, 60_000);

  it("a validator stopped through the whole reveal epoch: reveal_failed; the chain refuses a reveal out of its epoch", async () => {
    const { devnet, store, deps, client, keys } = await crSubnet();
    const hashDeps = { ...deps, commitReveal: "hash" as const };
    expect((await runStep(hashDeps)).outcome).toBe("committed");
    const record = store.weightCommits.pending(11)[0]!;
    const preimage = decodeHashPreimage(Buffer.from(record.payloadHex.slice(2), "hex"))!;
    const reveal = {
      uids: preimage.uids,
      values: preimage.values,
      salt: record.salt as number[],
      versionKey: 7,
    };
    const early = await client.revealWeights(keys.validator, 11, reveal).catch((e: Error) => e);
    expect(String(early)).toContain("Custom error: 17"); // the commit's epoch, not its reveal epoch
    const other = await client
      .revealWeights(keys.validator, 11, { ...reveal, salt: [9] })
      .catch((e: Error) => e);
    expect(String(other)).toContain("Custom error: 16"); // no commit has this hash
    devnet.produceBlocksUntil(record.lastRevealBlock + 1);
    const after = await runStep({ ...hashDeps, mode: "dry-run" });
    expect(after.reveals[0]?.update.status).toBe("reveal_failed");
    expect(after.reveals[0]?.update.reason).toContain("ended before sn11 revealed");
    expect(devnet.subnetState(11).weights.get(0)).toBeUndefined();
  }, 60_000);
});

describe("sn11 weights --from-chain --set --dry-run", () => {
  it("prints the commit a live send would carry and sends nothing; --dry-run needs --set", async () => {
    const { devnet, keys, dataDir } = await crSubnet();
    awayFromBoundary(devnet);
    const wallet = writeWallet({ secretPhrase: VALIDATOR_MNEMONIC });
    const env = cleanEnv({
      SN11_NETWORK: devnet.url,
      SN11_DATA_DIR: dataDir,
      BT_WALLET_PATH: wallet.path,
      BT_WALLET_NAME: wallet.name,
      BT_WALLET_HOTKEY: wallet.hotkey,
    });
    const check = await runInProcess(["weights", "--from-chain", "--set", "--dry-run", "--json"], { env });
    expect(check.code, check.stderr).toBe(0);
    const out = JSON.parse(check.stdout);
    expect(out.commit).toMatchObject({
      hotkey: keys.validator.address,
      version_key: 7,
      commit_reveal_version: 4,
    });
    expect(out.commit.first_reveal_block).toBeGreaterThan(devnet.blockNumber);
    expect(out.sent).toBeUndefined();
    expect(devnet.timelockedCommits()).toEqual([]);
    const text = await runInProcess(["weights", "--from-chain", "--set", "--dry-run"], { env });
    expect(text.stdout).toMatch(/commit: \d+-byte drand timelock for round \d+ by 5H/);
    const misuse = await runInProcess(["weights", "--from-chain", "--dry-run"], { env });
    expect(misuse.code).toBe(2);
    devnet.setHyperparameters(11, { commitRevealEnabled: false });
    devnet.produceBlock();
    const plain = JSON.parse(
      (await runInProcess(["weights", "--from-chain", "--set", "--dry-run", "--json"], { env })).stdout,
    );
    expect(plain.commit).toBeUndefined();
    expect(devnet.includedExtrinsics()).toEqual([]);
  }, 60_000);
});

describe("committing near an epoch boundary", () => {
  it("waits for the boundary to pass, then commits into the new epoch", async () => {
    const { devnet, deps, store } = await crSubnet({}, { blockTimeMs: 500 });
    const epochOf = (block: number) => Math.floor((block + 12) / 21);
    const boundary = (epochOf(devnet.blockNumber) + 1) * 21 - 12;
    // Park the head two blocks before the boundary (the timer keeps producing blocks from there).
    devnet.produceBlocksUntil(boundary - 2);
    const step = await runStep(deps);
    expect(step.outcome, step.reason ?? "").toBe("committed");
    const record = store.weightCommits.pending(11)[0]!;
    expect(record.commitEpoch).toBe(epochOf(boundary));
    expect(record.txBlock).toBeGreaterThanOrEqual(boundary);
  }, 60_000);
});

describe("sn11 validate --once on a commit-reveal subnet (remote scores)", () => {
  let api: Server | null = null;
  afterEach(async () => {
    await new Promise((r) => (api ? api.close(r) : r(null)));
  });

  /** A commit-reveal subnet with one miner, a score API that scores it, and a validator wallet. */
  async function remoteScoredSubnet() {
    const { devnet, keys } = await startSubnet({ firstBlockNumber: 5_000_000, hyper: CR });
    cleanup.push(() => devnet.stop());
    const bob = { namespace: "miner", name: "remote", hotkey: keys.miners[0]!.address, block: 4_990_000 };
    commitModel(devnet, bob);
    devnet.produceBlock();
    awayFromBoundary(devnet);
    api = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: "COMPLETED", score: { judge_score: 0.7 } }));
    });
    await new Promise<void>((r) => api?.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(api.address() as { port: number }).port}`;
    const wallet = writeWallet({ secretPhrase: VALIDATOR_MNEMONIC });
    const env = cleanEnv({
      SN11_NETWORK: devnet.url,
      SN11_DATA_DIR: tempDir(),
      BT_WALLET_PATH: wallet.path,
      BT_WALLET_NAME: wallet.name,
      BT_WALLET_HOTKEY: wallet.hotkey,
    });
    return { devnet, keys, env, remote: ["--score-source", "remote", "--score-url", url] };
  }

  it("--commit-reveal hash: the first run commits a hash, a run in the reveal epoch reveals it", async () => {
    const { devnet, env, remote } = await remoteScoredSubnet();
    const args = ["validate", "--once", "--json", "--commit-reveal", "hash", ...remote];
    const first = await runInProcess(args, { env });
    expect(first.code, first.stderr).toBe(0);
    const [step] = JSON.parse(first.stdout).steps;
    expect(step).toMatchObject({ outcome: "committed", commit: { mode: "hash" } });
    expect(step.commit.hash).toMatch(/^0x[0-9a-f]{64}$/);
    devnet.produceBlocks(21); // tempo 20, one reveal period: the next epoch
    const second = await runInProcess(args, { env });
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).steps[0].reveals[0]).toMatchObject({
      commit_tx: step.tx_hash,
      status: "revealed",
    });
    expect(devnet.subnetState(11).weights.get(0)).toEqual([[1, 65535]]);
    const bad = await runInProcess(["validate", "--once", "--commit-reveal", "salted", ...remote], { env });
    expect(bad.code).toBe(2);
  }, 60_000);

  it("dry run prints the commit; live commits; the chain reveals; history shows both; weights equal the replay", async () => {
    const { devnet, keys, env, remote } = await remoteScoredSubnet();

    const dry = await runInProcess(["validate", "--once", "--dry-run", "--json", ...remote], { env });
    expect(dry.code, dry.stderr).toBe(0);
    const preview = JSON.parse(dry.stdout).steps[0].commit;
    expect(preview).toMatchObject({
      hotkey: keys.validator.address,
      version_key: 7,
      commit_reveal_version: 4,
    });
    expect(preview.ciphertext_bytes).toBe(244 + (preview.payload_hex.length - 2) / 2);
    expect(devnet.timelockedCommits()).toEqual([]);

    const live = await runInProcess(["validate", "--once", "--json", ...remote], { env });
    expect(live.code, live.stderr).toBe(0);
    const out = JSON.parse(live.stdout);
    const [step] = out.steps;
    expect(step.outcome).toBe("committed");
    expect(step.commit.payload_hex).toBe(preview.payload_hex);
    const text = await runInProcess(["weights", "--history"], { env });
    expect(text.stdout).toMatch(/committed \(round \d+\)/);

    devnet.produceBlocksUntil(step.commit.first_reveal_block + 1);
    const after = await runInProcess(["validate", "--once", "--dry-run", "--json", ...remote], { env });
    expect(after.code, after.stderr).toBe(0);
    expect(JSON.parse(after.stdout).steps[0].reveals[0]).toMatchObject({
      commit_tx: step.tx_hash,
      status: "revealed",
      reveal_block: step.commit.first_reveal_block,
      self_check: "ok",
    });

    const file = join(tempDir(), "step.json");
    expect((await runInProcess(["snapshot", "--step", String(step.step), "--out", file], { env })).code).toBe(
      0,
    );
    const replay = JSON.parse(
      (await runInProcess(["weights", "--snapshot", file, "--json", "--no-record"], { env })).stdout,
    );
    expect(devnet.subnetState(11).weights.get(0)).toEqual(
      replay.emit.uids.map((uid: number, i: number) => [uid, replay.emit.weights[i]]),
    );
    const history = JSON.parse((await runInProcess(["weights", "--history", "--json"], { env })).stdout);
    const committed = history.find((h: { step: { id: number } | null }) => h.step?.id === step.step);
    expect(committed.commit).toMatchObject({ tx_hash: step.tx_hash, status: "revealed", self_check: "ok" });

    const offline = await runInProcess(
      [
        "weights",
        "--snapshot",
        file,
        "--commit-reveal",
        "--hotkey",
        keys.validator.address,
        "--reveal-round",
        "1000",
        "--json",
        "--no-record",
      ],
      { env },
    );
    expect(offline.code, offline.stderr).toBe(0);
    expect(JSON.parse(offline.stdout).commit).toMatchObject({
      payload_hex: preview.payload_hex,
      reveal_round: 1000,
    });
  }, 120_000);
});

describe("sn11 weights --snapshot --commit-reveal: bad input", () => {
  const demo = join(REPO_ROOT, "examples", "demo-step.json");
  const alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
  it.each([
    ["--hotkey without --commit-reveal", ["--hotkey", alice], "go with --commit-reveal"],
    [
      "--commit-reveal without --reveal-round",
      ["--commit-reveal", "--hotkey", alice],
      "needs --hotkey SS58 and --reveal-round N",
    ],
    [
      "a hotkey that is not SS58",
      ["--commit-reveal", "--hotkey", "nothex", "--reveal-round", "5"],
      "is not an SS58 address",
    ],
    [
      "a drand key of the wrong length",
      ["--commit-reveal", "--hotkey", alice, "--reveal-round", "5", "--drand-key", "abcd"],
      "96-byte G2 public key",
    ],
  ])("%s: exit 2 with the reason", async (_name, extra, message) => {
    const run = await runInProcess(["weights", "--snapshot", demo, "--no-record", ...extra], {
      env: cleanEnv({ SN11_DATA_DIR: tempDir() }),
    });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(message);
  });

  it("pinned inputs give the same payload run to run; the ciphertext is fresh each time", async () => {
    const args = [
      "weights",
      "--snapshot",
      demo,
      "--no-record",
      "--json",
      "--commit-reveal",
      "--hotkey",
      alice,
      "--reveal-round",
      "1000",
    ];
    const env = cleanEnv({ SN11_DATA_DIR: tempDir() });
    const [a, b] = await Promise.all([runInProcess(args, { env }), runInProcess(args, { env })]);
    const [ca, cb] = [JSON.parse(a.stdout).commit, JSON.parse(b.stdout).commit];
    expect(ca.payload_hex).toBe(cb.payload_hex);
    expect(ca.ciphertext_hex).not.toBe(cb.ciphertext_hex);
    expect(ca).toMatchObject({ reveal_round: 1000, hotkey: alice, drand_public_key: QUICKNET.publicKeyHex });
  });
});
