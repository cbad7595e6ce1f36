import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_PROFILE_ID, findProfile } from "../../src/scoring/profile.js";
import { inStore, runInProcess, tempDir } from "../support/cli.js";
import type { Devnet } from "../support/devnet/devnet.js";
import { startSubnet, VALIDATOR_MNEMONIC } from "../support/devnet/fixture.js";
import { commitModel } from "../support/scored-models.js";
import { devnetWalletEnv } from "../support/wallet.js";

const running: Devnet[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.stop()));
});

const TAO = 1_000_000_000n;
const profile = findProfile(DEFAULT_PROFILE_ID) as NonNullable<ReturnType<typeof findProfile>>;

/**
 * Our validator (uid 0, 1500 TAO) and three others (uids 8–10: 3000, 2000, 1000 TAO) with weight rows;
 * miners Bob, Charlie, Dave (uids 1–3) committed; Bob and Charlie scored here, Dave queued.
 */
async function consensusNet() {
  const { devnet, keys } = await startSubnet({ firstBlockNumber: 5_000_000, uids: 8 });
  running.push(devnet);
  const [bob, charlie, dave] = keys.miners as [
    typeof keys.validator,
    typeof keys.validator,
    typeof keys.validator,
  ];
  for (const [stake, seed] of [
    [3000n, "//Ferdie"],
    [2000n, "//One"],
    [1000n, "//Two"],
  ] as const) {
    const { Keyring } = await import("@polkadot/keyring");
    const hotkey = new Keyring({ type: "sr25519" }).addFromUri(seed).address;
    devnet.registerNeuron(11, { hotkey, validatorPermit: true, alphaStake: stake * TAO });
  }
  devnet.produceBlock();
  const hashes = [bob, charlie, dave].map((miner, i) =>
    commitModel(devnet, { namespace: `m${i}`, name: "rp", hotkey: miner.address, block: devnet.blockNumber }),
  );
  devnet.produceBlock();
  devnet.putWeights(11, 0, [[2, 65535]]);
  devnet.putWeights(11, 8, [[1, 65535]]);
  devnet.putWeights(11, 9, [
    [1, 65535],
    [3, 65535],
  ]);
  devnet.putWeights(11, 10, [[2, 65535]]);
  devnet.produceBlocks(3);
  // As btwallet writes it: the address beside the secret, readable without a password.
  const env = devnetWalletEnv(devnet.url, {
    secretPhrase: VALIDATOR_MNEMONIC,
    ss58Address: keys.validator.address,
  });
  inStore(env.SN11_DATA_DIR as string, (store) => {
    [0.9, 0.5].forEach((score, i) => {
      store.evaluations.upsert({
        repo: `m${i}/rp`,
        entryHash: hashes[i] as string,
        profile: profile.id,
        status: "COMPLETED",
        totalScore: score,
        revision: null,
        reason: null,
      });
    });
    store.evalQueue.sync(profile.id, [
      {
        repo: "m2/rp",
        entryHash: hashes[2] as string,
        hotkey: dave.address,
        uid: 3,
        commitBlock: devnet.blockNumber - 4,
        chatTemplate: "chatml",
      },
    ]);
  });
  return { devnet, keys, env };
}

describe("sn11 consensus against the devnet", () => {
  it("reports agreement worked out by hand, with reasons, in four requests", async () => {
    const { env, keys } = await consensusNet();
    const run = await runInProcess(["consensus", "--json"], { env });
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({
      netuid: 11,
      hotkey: keys.validator.address,
      uid: 0,
      counted_validators: 4,
      standing: "counted",
      kappa: 32767 / 65535,
      version_key: { chain: 7, ours: 7, accepted: true },
      compared: "computed",
    });
    // Active stake 0.2 / 0.4 / 0.267 / 0.133. Column 1: 0 (0.333), 0.5 (0.267), 1 (0.4): the minority
    // point 0.500008 lies in 0.5's segment. Column 2: 0 holds 0.667 of the stake, so consensus 0.
    // uid 0 weights only uid 2: all of it is clipped.
    expect(out.agreement.now).toBe(0);
    expect(out.peers).toEqual([
      { uid: 8, stake: expect.closeTo(0.4, 6), agreement: 0.5 },
      { uid: 9, stake: expect.closeTo(2 / 7.5, 6), agreement: 0.5 },
      { uid: 0, stake: expect.closeTo(0.2, 6), agreement: 0 },
      { uid: 10, stake: expect.closeTo(1 / 7.5, 6), agreement: 0 },
    ]);
    expect(out.agreement.computed).toBeGreaterThan(0);
    const dave = out.disagreements.find((d: { uid: number }) => d.uid === 3);
    // Nobody but uid 9 weights Dave and its 0.267 is under the median: consensus 0 there too, so
    // Dave shows up only if sn11 would weight it; it is queued here, so it would not.
    expect(dave).toBeUndefined();
    expect(out.rate_limit.blocks).toBe(100);
    expect(out.read).toMatchObject({ requests: 4 });
  });

  it("names the reason sn11 knows: queued here, rejected by the registry", async () => {
    const { devnet, env, keys } = await consensusNet();
    // Three of four validators (0.8 of the stake) now weight Dave, two of them Charlie.
    devnet.putWeights(11, 8, [
      [1, 65535],
      [2, 65535],
      [3, 65535],
    ]);
    devnet.putWeights(11, 10, [
      [2, 65535],
      [3, 65535],
    ]);
    // Charlie's commitment now copies Bob's repo: a duplicate in sn11's registry.
    commitModel(devnet, {
      namespace: "m0",
      name: "rp",
      hotkey: keys.miners[1]?.address as string,
      block: devnet.blockNumber,
    });
    devnet.produceBlock();
    const out = JSON.parse((await runInProcess(["consensus", "--json", "--top", "3"], { env })).stdout);
    expect(out.disagreements.length).toBeLessThanOrEqual(3);
    const byUid = new Map(out.disagreements.map((d: { uid: number }) => [d.uid, d]));
    expect(byUid.get(3)).toMatchObject({ weight: 0, reason: { kind: "not_evaluated", queuePosition: 1 } });
    // Column 2: 0 (0.467 of the stake), 1/3 (uid 8, 0.4), 1/2 (uid 10): consensus 1/3, and sn11 gives 0.
    expect(byUid.get(2)).toMatchObject({
      weight: 0,
      consensus: expect.closeTo(1 / 3, 6),
      reason: { kind: "registry", reason: "duplicate" },
    });
    const text = (await runInProcess(["consensus", "--top", "3"], { env })).stdout;
    expect(text).toContain("not evaluated here yet (#1 in the queue)");
    expect(text).toContain("sn11's registry rejects it (duplicate");
    // Its row on chain weights only Charlie, whose consensus is now 1/3.
    expect(text).toMatch(/agreement 0\.333 with its weights on chain/);
  });

  it("--snapshot works offline from `sn11 snapshot --consensus` and gives the same report", async () => {
    const { env } = await consensusNet();
    const file = join(tempDir(), "step.json");
    const snap = await runInProcess(["snapshot", "--consensus", "--out", file, "--json"], { env });
    expect(snap.code, snap.stderr).toBe(0);
    expect(JSON.parse(snap.stdout)).toMatchObject({ consensus: true });
    const recorded = JSON.parse(readFileSync(file, "utf8"));
    expect(recorded.consensus.weights["9"]).toEqual([
      [1, 65535],
      [3, 65535],
    ]);
    expect(recorded.consensus.neurons[8].stake_rao).toBe(String(3000n * TAO));
    const online = JSON.parse((await runInProcess(["consensus", "--json"], { env })).stdout);
    const offline = await runInProcess(["consensus", "--snapshot", file, "--json"], {
      env: { ...env, SN11_NETWORK: "ws://127.0.0.1:9" },
    });
    expect(offline.code, offline.stderr).toBe(0);
    const { read: _read, disagreements: onlineGaps, ...rest } = online;
    const { disagreements: offlineGaps, ...offlineRest } = JSON.parse(offline.stdout);
    expect(offlineRest).toEqual(rest);
    // Offline there is no queue: the same uids, with no queue position.
    expect(offlineGaps.map((d: { uid: number }) => d.uid)).toEqual(
      onlineGaps.map((d: { uid: number }) => d.uid),
    );
  });

  it("bad input: a snapshot without weight rows, a bad hotkey, no wallet", async () => {
    const { env } = await consensusNet();
    const plain = join(tempDir(), "plain.json");
    expect((await runInProcess(["snapshot", "--out", plain], { env })).code).toBe(0);
    const missing = await runInProcess(["consensus", "--snapshot", plain], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("has no consensus section");
    expect(missing.stderr).toContain("sn11 snapshot --consensus");
    const broken = JSON.parse(readFileSync(plain, "utf8"));
    broken.consensus = { kappa: 70000 };
    writeFileSync(plain, JSON.stringify(broken));
    const invalid = await runInProcess(["consensus", "--snapshot", plain], { env });
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain("$.consensus.kappa");
    const badKey = await runInProcess(["consensus", "--hotkey", "5notakey"], { env });
    expect(badKey.code).toBe(2);
    const noWallet = await runInProcess(["consensus"], { env: { ...env, BT_WALLET_PATH: tempDir() } });
    expect(noWallet.code).toBe(78);
  });
});
