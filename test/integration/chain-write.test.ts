import { hexToU8a, stringToU8a, u8aToHex } from "@polkadot/util";
import { afterEach, describe, expect, it } from "vitest";
import { SubtensorClient } from "../../src/chain/client.js";
import { SubmissionUnknownError } from "../../src/chain/tx.js";
import { ChainError } from "../../src/errors.js";
import { createLogger } from "../../src/log.js";
import { entryHash } from "../../src/scoring/model-id.js";
import { Store } from "../../src/store/store.js";
import { runInProcess } from "../support/cli.js";
import type { Devnet } from "../support/devnet/devnet.js";
import { startSubnet, VALIDATOR_MNEMONIC } from "../support/devnet/fixture.js";
import { devnetWalletEnv } from "../support/wallet.js";

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.stop()));
});

async function setup(options: Parameters<typeof startSubnet>[0] = {}) {
  const fixture = await startSubnet(options);
  running.push(fixture.devnet);
  const client = await SubtensorClient.connect({
    endpoints: [fixture.devnet.url],
    logger: createLogger({ write: () => true }, "silent"),
    callTimeoutMs: 5000,
  });
  running.push({ stop: () => client.close() });
  return { ...fixture, client };
}

const text = (s: string) => stringToU8a(s);

describe("commitments: write and read back", () => {
  it("a registered hotkey commits and the metagraph reads it back byte for byte", async () => {
    const { devnet, client, keys } = await setup();
    const bob = keys.miners[0]!;
    const data = `bob:rp-20b:chatml:${bob.address}:${entryHash("bob", "rp-20b", "chatml", bob.address)}:d1`;
    const outcome = await client.setCommitment(bob, 11, text(data));
    expect(outcome.blockNumber).toBe(devnet.blockNumber);
    const m = await client.metagraph(11);
    const c = m.commitments.find((x) => x.hotkey === bob.address);
    expect(c).toMatchObject({ data, block: outcome.blockNumber, shape: `Raw${data.length}` });
  });

  it("an unregistered hotkey gets AccountNotAllowedCommit with a hint", async () => {
    const { client, keys } = await setup();
    const error = await client.setCommitment(keys.outsider, 11, text("x")).catch((e) => e);
    expect(error).toBeInstanceOf(ChainError);
    expect(error.message).toContain("commitments.AccountNotAllowedCommit");
    expect(error.hint).toContain("not registered on netuid 11");
  });

  it("the space limit: the second commitment in a tempo is refused when the budget is used", async () => {
    const { devnet, client, keys } = await setup();
    devnet.setMaxSpace(150);
    devnet.produceBlock();
    const bob = keys.miners[0]!;
    await client.setCommitment(bob, 11, text("first"));
    const error = await client.setCommitment(bob, 11, text("second")).catch((e) => e);
    expect(error.message).toContain("SpaceLimitExceeded");
    const epochStart = Math.floor((devnet.blockNumber + 12) / 361) * 361 + 361 - 12;
    expect(error.hint).toContain(`frees at block ${epochStart}`);
  });

  it("every transaction's status subscription ends with it (a daemon sends one per step for months)", async () => {
    const { client, keys } = await setup();
    const provider = (client as unknown as { provider: { stats: { active: { subscriptions: number } } } })
      .provider;
    for (let i = 0; i < 3; i++) {
      await client.setCommitment(keys.miners[i]!, 11, text(`model-${i}`));
    }
    // @polkadot/api ends a finished subscription after a short delay (1.75 s); what stays is the one
    // runtime-version subscription the API keeps for its own use.
    await expect.poll(() => provider.stats.active.subscriptions, { timeout: 8000 }).toBe(1);
  });

  it("more than 128 bytes is refused before signing", async () => {
    const { client, keys } = await setup();
    await expect(client.setCommitment(keys.miners[0]!, 11, new Uint8Array(129))).rejects.toThrow(
      /at most 128 bytes/,
    );
  });

  it("the connection drops right after the node took it: unknown outcome, and exactly one commitment landed", async () => {
    const { devnet, client, keys } = await setup();
    devnet.inject({ method: "author_submitAndWatchExtrinsic", action: "drop-after-include" });
    const before = devnet.includedExtrinsics().length;
    const error = await client.setCommitment(keys.miners[1]!, 11, text("landed")).catch((e) => e);
    expect(error).toBeInstanceOf(SubmissionUnknownError);
    expect(devnet.includedExtrinsics().length).toBe(before + 1);
    expect(devnet.commitmentText(11, keys.miners[1]!.address)?.text).toBe("landed");
  });

  it("a tampered signature is rejected by the node", async () => {
    const { devnet, client, keys } = await setup();
    const bob = keys.miners[0]!;
    const tx = client.api.tx.commitments!.setCommitment!(11, { fields: [{ Raw2: "hi" }] });
    const nonce = (await client.api.rpc.system.accountNextIndex(bob.address)).toNumber();
    const signed = await tx.signAsync(bob, { nonce, era: 128 });
    const bytes = hexToU8a(signed.toHex());
    const signature = signed.signature.toU8a().subarray(-64);
    const at = Buffer.from(bytes).indexOf(Buffer.from(signature));
    expect(at).toBeGreaterThan(0);
    bytes[at + 10] = (bytes[at + 10] as number) ^ 0xff;
    const error = await client.api.rpc.author.submitExtrinsic(u8aToHex(bytes)).catch((e) => e);
    expect(String(error.message)).toMatch(/1010.*bad signature|Invalid Transaction/);
    expect(devnet.commitmentText(11, bob.address)).toBeNull();
  });
});

function validatorEnv(devnet: Devnet, extra: Record<string, string> = {}) {
  return devnetWalletEnv(devnet.url, { secretPhrase: VALIDATOR_MNEMONIC }, extra);
}

/** Three miners committed at finney-like heights, two of them scored in the validator's store. */
async function scoredSubnet(hyper: Parameters<typeof startSubnet>[0] = {}) {
  const fixture = await startSubnet({ firstBlockNumber: 5_000_000, ...hyper });
  running.push(fixture.devnet);
  const { devnet, keys } = fixture;
  const env = validatorEnv(devnet);
  const store = Store.open(env.SN11_DATA_DIR as string);
  keys.miners.forEach((miner, i) => {
    const name = `model-${i}`;
    const hash = entryHash("miner", name, "chatml", miner.address);
    devnet.putCommitment(
      11,
      miner.address,
      `miner:${name}:chatml:${miner.address}:${hash}:d1`,
      4_900_000 + i,
    );
    if (i < 2) {
      store.evaluations.upsert({
        repo: `miner/${name}`,
        entryHash: hash,
        profile: "dippy-2025-03",
        status: "COMPLETED",
        totalScore: 0.5 + i / 10,
        revision: null,
        reason: null,
      });
    }
  });
  store.close();
  devnet.produceBlock();
  return { ...fixture, env };
}

describe("set_weights through sn11 weights --from-chain --set", () => {
  it("sets the replayed weights; the devnet holds them; again too early names the block the limit frees", async () => {
    const { devnet, env } = await scoredSubnet();
    const dry = JSON.parse((await runInProcess(["weights", "--from-chain", "--json"], { env })).stdout);
    expect(dry.emit.uids).toEqual([1, 2]);
    const run = await runInProcess(["weights", "--from-chain", "--set", "--yes", "--json"], { env });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.sent).toMatchObject({ uid: 0, block: devnet.blockNumber });
    const stored = devnet.subnetState(11).weights.get(0);
    expect(stored?.map(([uid]) => uid)).toEqual(dry.emit.uids);
    expect(Math.max(...(stored?.map(([, w]) => w) ?? []))).toBe(65535);
    const history = JSON.parse((await runInProcess(["weights", "--history", "--json"], { env })).stdout);
    expect(history[0].source).toBe("chain");

    const again = await runInProcess(["weights", "--from-chain", "--set", "--yes"], { env });
    expect(again.code).toBe(70);
    expect(again.stderr).toContain(`frees at block ${out.sent.block + 100}`);
  });

  it("without --yes and without a terminal it refuses to send", async () => {
    const { env } = await scoredSubnet();
    const run = await runInProcess(["weights", "--from-chain", "--set"], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--yes");
    // The question is preceded by what it would sign: the heaviest uids and the rate limit's state.
    expect(run.stderr).toMatch(/^weights: uid \d+ 65535/m);
    expect(run.stderr).toMatch(/^rate limit: free \(last update \d+\)$/m);
  });

  it("a chain version key above the profile's is refused before signing", async () => {
    const { env } = await scoredSubnet({ hyper: { weightsVersionKey: 8 } });
    const run = await runInProcess(["weights", "--from-chain", "--set", "--yes"], { env });
    expect(run.code).toBe(70);
    expect(run.stderr).toContain("version key 7 is below the chain's 8");
  });

  it("commit-reveal on: a timelocked commit instead of set_weights", async () => {
    const { devnet, env } = await scoredSubnet({ hyper: { commitRevealEnabled: true } });
    const run = await runInProcess(["weights", "--from-chain", "--set", "--yes", "--json"], { env });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.commit.reveal_round).toBeGreaterThan(0);
    expect(devnet.timelockedCommits()).toHaveLength(1);
    expect(devnet.subnetState(11).weights.get(0)).toBeUndefined();
  });

  it("the chain's own refusals decode by name (rate limit, version key) when sent directly", async () => {
    const { devnet, keys } = await scoredSubnet();
    const client = await SubtensorClient.connect({
      endpoints: [devnet.url],
      logger: createLogger({ write: () => true }, "silent"),
      callTimeoutMs: 5000,
    });
    running.push({ stop: () => client.close() });
    await client.setWeights(keys.validator, 11, [1, 2], [100, 200], 7);
    const tooFast = await client.setWeights(keys.validator, 11, [1, 2], [100, 200], 7).catch((e) => e);
    expect(tooFast.message).toContain("SettingWeightsTooFast");
    devnet.setHyperparameters(11, { weightsVersionKey: 9 });
    devnet.produceBlocks(101);
    const version = await client.setWeights(keys.validator, 11, [1, 2], [100, 200], 7).catch((e) => e);
    expect(version.message).toContain("IncorrectWeightVersionKey");
    const noPermit = await client.setWeights(keys.miners[0]!, 11, [1, 2], [100, 200], 9).catch((e) => e);
    expect(noPermit.message).toContain("NeuronNoValidatorPermit");
  });
});
