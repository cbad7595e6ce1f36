import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Keyring } from "@polkadot/keyring";
import { cryptoWaitReady, mnemonicGenerate } from "@polkadot/util-crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { entryHash } from "../../src/scoring/model-id.js";
import { Store } from "../../src/store/store.js";
import { cleanEnv, runInProcess, tempDir } from "../support/cli.js";
import type { Devnet } from "../support/devnet/devnet.js";
import { startSubnet } from "../support/devnet/fixture.js";
import { modelRepoFiles } from "../support/hub/model-files.js";
import { LocalHub } from "../support/hub/server.js";
import { writeWallet } from "../support/wallet.js";

let hub: LocalHub;
const files = modelRepoFiles();
beforeAll(async () => {
  await cryptoWaitReady();
  hub = await LocalHub.start();
  hub.addRepo("miner/rp-model", { files });
  hub.addRepo("miner/other-model", { files });
  hub.addRepo("miner/secret", { files, private: true });
  hub.addRepo(`miner/${"x".repeat(70)}`, { files });
});
afterAll(async () => {
  await hub.stop();
});
const devnets: Devnet[] = [];
afterEach(async () => {
  await Promise.all(devnets.splice(0).map((d) => d.stop()));
});

/** A devnet at finney-like heights with a miner whose hotkey is in a btcli wallet (registered or not). */
async function minerSetup(options: { registered?: boolean } = {}) {
  const { devnet } = await startSubnet({ firstBlockNumber: 5_000_000 });
  devnets.push(devnet);
  const mnemonic = mnemonicGenerate();
  const pair = new Keyring({ type: "sr25519", ss58Format: 42 }).addFromMnemonic(mnemonic);
  if (options.registered !== false) devnet.registerNeuron(11, { hotkey: pair.address });
  devnet.produceBlock();
  const wallet = writeWallet({ secretPhrase: mnemonic, ss58Address: pair.address }, { name: "miner" });
  const env = cleanEnv({
    SN11_NETWORK: devnet.url,
    SN11_DATA_DIR: tempDir(),
    SN11_CHAIN_TIMEOUT: "5",
    HF_ENDPOINT: hub.url,
    BT_WALLET_PATH: wallet.path,
    BT_WALLET_NAME: wallet.name,
    BT_WALLET_HOTKEY: wallet.hotkey,
  });
  return { devnet, address: pair.address, env };
}

const submit = (repo: string, env: Record<string, string>, extra: string[] = ["--yes"]) =>
  runInProcess(["submit", repo, "--chat-template", "chatml", "--json", ...extra], { env });

describe("sn11 submit", () => {
  it("commits, reads it back, and a second identical submit is a no-op that keeps block priority", async () => {
    const { devnet, address, env } = await minerSetup();
    const run = await submit("miner/rp-model", env);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    const expected = `miner:rp-model:chatml:${address}:${entryHash("miner", "rp-model", "chatml", address)}:d1`;
    expect(out).toMatchObject({ status: "submitted", commitment: expected, replaces: null, uid: 8 });
    expect(devnet.commitmentText(11, address)).toEqual({ block: out.block, text: expected });
    const extrinsics = devnet.includedExtrinsics().length;

    const again = await submit("miner/rp-model", env);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: "unchanged", block: out.block, tx_hash: null });
    expect(devnet.includedExtrinsics().length).toBe(extrinsics);

    const status = JSON.parse((await runInProcess(["status", "--json"], { env })).stdout);
    expect(status).toMatchObject({
      registered: true,
      uid: 8,
      commitment: { data: expected, block: out.block },
    });
    expect(status.verdict).toMatchObject({ valid: false, reason: "not_scored" });
    // The no-op attempt does not hide the submission that landed; snake_case as everywhere.
    expect(status.last_submission).toMatchObject({
      repo: "miner/rp-model",
      outcome: "submitted",
      block: out.block,
      tx_hash: expect.stringMatching(/^0x/),
      created_at: expect.any(String),
    });
    const notAnAddress = await runInProcess(["status", "--hotkey", "notanaddress"], { env });
    expect(notAnAddress.code).toBe(2);
    expect(notAnAddress.stderr).toContain("--hotkey notanaddress is not an SS58 address");
    expect(status.blocks_until_immunity_ends).toBeGreaterThan(0);
  });

  it("status: this data dir's verdict, the newest local score card, the chain's rewards, immunity in time, the owner's verdict", async () => {
    const { env } = await minerSetup();
    const out = JSON.parse((await submit("miner/rp-model", env)).stdout);
    const store = Store.open(env.SN11_DATA_DIR as string);
    try {
      const run = store.scoreRuns.create({
        runKey: "k",
        repo: "miner/rp-model",
        revision: out.revision ?? "main",
        profile: "dippy-2025-03",
        seed: "s",
      });
      store.scoreRuns.finish(run.id, "COMPLETED", {
        total_score: 0.625,
        win_rate: 0.5,
        samples: 8,
        engine: { name: "embedded" },
      });
    } finally {
      store.close();
    }
    let asked = "";
    const owner = createServer((req, res) => {
      asked = req.url ?? "";
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: "COMPLETED", score: { judge_score: 0.7 } }));
    });
    await new Promise<void>((r) => owner.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(owner.address() as AddressInfo).port}`;
      const json = JSON.parse(
        (await runInProcess(["status", "--json", "--score-source", "remote", "--score-url", url], { env }))
          .stdout,
      );
      expect(json.score_card).toMatchObject({
        status: "COMPLETED",
        total_score: 0.625,
        samples: 8,
        engine: "embedded",
      });
      expect(json.chain).toMatchObject({ incentive: expect.any(Number), emission: expect.any(Number) });
      expect(json.owner).toEqual({ url, reachable: true, status: "COMPLETED", total_score: 0.7 });
      expect(asked).toContain("repo_namespace=miner&repo_name=rp-model");
      const text = await runInProcess(["status", "--score-source", "remote", "--score-url", url], { env });
      expect(text.stdout).toContain(
        "verdict of this data dir (dippy-2025-03): not_scored — not evaluated in this data dir",
      );
      expect(text.stdout).toMatch(
        /local score card \(sn11 score\): run \d+ COMPLETED 0\.6250 · 8 samples · embedded/,
      );
      expect(text.stdout).toMatch(/owner's verdict: COMPLETED 0\.7000/);
      expect(text.stdout).toMatch(/chain: incentive \d\.\d{4} · consensus/);
      expect(text.stdout).toMatch(/immunity: \d+ blocks left, ≈\d+h\d\dm \(ends at block \d+\)/);
    } finally {
      owner.close();
    }
    const down = await runInProcess(
      ["status", "--score-source", "remote", "--score-url", "http://127.0.0.1:9"],
      { env },
    );
    expect(down.code).toBe(0);
    expect(down.stdout).toContain("owner's verdict: unavailable (http://127.0.0.1:9)");
  });

  it("a different model within the rate limit is refused naming the block it frees; --force replaces it with a warning", async () => {
    const { devnet, env } = await minerSetup();
    const first = JSON.parse((await submit("miner/rp-model", env)).stdout);
    devnet.produceBlock();
    // check says it first, as a warning (exit 0: the model itself passes), with the replaced block's priority.
    const check = await runInProcess(["check", "miner/other-model", "--chat-template", "chatml"], { env });
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain(
      `on chain       uid 8; replaces the commitment of block ${first.block}, giving up that block's priority`,
    );
    expect(check.stdout).toMatch(/warning:\s+validators would mark it FAILED: \d+ blocks since/);
    expect(check.stdout).toContain(
      `all checks passed; a commitment now would be FAILED until block ${first.block + 28800} (submit refuses without --force)`,
    );
    const checkJson = JSON.parse(
      (await runInProcess(["check", "miner/other-model", "--chat-template", "chatml", "--json"], { env }))
        .stdout,
    );
    expect(checkJson.on_chain).toMatchObject({
      read: true,
      uid: 8,
      current_block: first.block,
      unchanged: false,
      rate_limit_frees_at: first.block + 28800,
    });
    const same = await runInProcess(["check", "miner/rp-model", "--chat-template", "chatml"], { env });
    expect(same.stdout).toContain(
      `uid 8 already holds this commitment (block ${first.block}): nothing to submit`,
    );
    const refused = await submit("miner/other-model", env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      new RegExp(
        `validators would mark it FAILED: \\d+ blocks since this hotkey's last commitment \\(block ${first.block}\\), the limit is 28800; it frees at block ${first.block + 28800}`,
      ),
    );
    expect(refused.stderr).toContain("--force");
    const forced = await submit("miner/other-model", env, ["--yes", "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toContain("warning: validators would mark it FAILED");
    const out = JSON.parse(forced.stdout);
    expect(out.status).toBe("submitted");
    expect(out.replaces).toContain("miner:rp-model:chatml");
  });

  it("an unregistered hotkey is refused before signing (exit 70)", async () => {
    const { devnet, env } = await minerSetup({ registered: false });
    const check = await runInProcess(["check", "miner/rp-model", "--chat-template", "chatml"], { env });
    expect(check.stdout).toContain(
      "on chain       this hotkey is not registered on netuid 11: submit would be refused",
    );
    const run = await submit("miner/rp-model", env);
    expect(run.code).toBe(70);
    expect(run.stderr).toContain("is not registered on netuid 11");
    expect(devnet.includedExtrinsics()).toEqual([]);
    // An unreachable chain leaves only the on-chain part unchecked, said as such.
    const down = await runInProcess(["check", "miner/rp-model", "--chat-template", "chatml", "--json"], {
      env: { ...env, SN11_NETWORK: "ws://127.0.0.1:9", SN11_CHAIN_TIMEOUT: "1" },
    });
    expect(down.code, down.stderr).toBe(0);
    expect(JSON.parse(down.stdout).on_chain).toMatchObject({
      read: false,
      reason: expect.stringContaining("the chain could not be read"),
    });
  });

  it.each<[string, string[], string]>([
    ["unknown template", ["submit", "miner/rp-model", "--chat-template", "phi3", "--yes"], "phi3"],
    [
      "private repo",
      ["submit", "miner/secret", "--chat-template", "chatml", "--yes"],
      "not a public model repo",
    ],
    [
      "missing repo",
      ["submit", "miner/nothing", "--chat-template", "chatml", "--yes"],
      "not a public model repo",
    ],
    [
      "commitment over 128 bytes",
      ["submit", `miner/${"x".repeat(70)}`, "--chat-template", "chatml", "--yes"],
      "at most 128",
    ],
  ])("refuses: %s (exit 2, nothing sent)", async (_label, argv, message) => {
    const { devnet, env } = await minerSetup();
    const run = await runInProcess(argv, { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(devnet.includedExtrinsics()).toEqual([]);
  });

  it("the commitment space used up: refused with the block it frees", async () => {
    const { devnet, env } = await minerSetup();
    devnet.setMaxSpace(150);
    devnet.produceBlock();
    await submit("miner/rp-model", env);
    const run = await submit("miner/other-model", env);
    expect(run.code).toBe(70);
    expect(run.stderr).toMatch(/frees at block \d+/);
  });

  it("without --yes and without a terminal nothing is sent", async () => {
    const { devnet, env } = await minerSetup();
    const run = await submit("miner/rp-model", env, []);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--yes");
    expect(devnet.includedExtrinsics()).toEqual([]);
  });

  it("the connection drops right after sending: exactly one commitment lands and it is reported", async () => {
    const { devnet, address, env } = await minerSetup();
    devnet.inject({ method: "author_submitAndWatchExtrinsic", action: "drop-after-include" });
    const run = await submit("miner/rp-model", env);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).status).toBe("landed-after-drop");
    expect(devnet.includedExtrinsics()).toHaveLength(1);
    expect(devnet.commitmentText(11, address)?.text).toContain("miner:rp-model:chatml");
  });
});
