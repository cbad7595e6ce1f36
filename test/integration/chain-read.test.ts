import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringToU8a, u8aToHex } from "@polkadot/util";
import { afterEach, describe, expect, it } from "vitest";
import { decodeSelectiveMetagraph } from "../../src/chain/metagraph.js";
import { entryHash } from "../../src/scoring/model-id.js";
import { Store } from "../../src/store/store.js";
import { cleanEnv, runInProcess, tempDir } from "../support/cli.js";
import type { Devnet } from "../support/devnet/devnet.js";
import { startSubnet } from "../support/devnet/fixture.js";
import { loadChainSpec, recordedRpc } from "../support/devnet/metadata.js";
import { HAS_SHARED, noteMissingShared } from "../support/shared.js";

noteMissingShared(
  "the decoder tests on recorded finney responses (../shared/fixtures/subtensor/recorded-rpc.json)",
);

const running: Devnet[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.stop()));
});

async function subnet(options: Parameters<typeof startSubnet>[0] = {}) {
  const fixture = await startSubnet(options);
  running.push(fixture.devnet);
  return fixture;
}

function envFor(devnet: Devnet, extra: Record<string, string> = {}) {
  return cleanEnv({ SN11_NETWORK: devnet.url, SN11_DATA_DIR: tempDir(), SN11_CHAIN_TIMEOUT: "5", ...extra });
}

function commitmentFor(ns: string, name: string, hotkey: string, template = "chatml"): string {
  return `${ns}:${name}:${template}:${hotkey}:${entryHash(ns, name, template, hotkey)}:d1`;
}

describe("reading the chain (devnet with the real spec-343 metadata)", () => {
  it("the runtime metadata is cached per runtime in the data dir: a second run receives only what it reads", async () => {
    const { devnet } = await subnet({ uids: 64 });
    const env = envFor(devnet);
    const run = async () => {
      devnet.resetStats();
      const result = await runInProcess(["metagraph", "--json"], { env });
      expect(result.code, result.stderr).toBe(0);
      return { out: JSON.parse(result.stdout), received: devnet.stats.bytesOut };
    };
    const cold = await run();
    const dir = join(env.SN11_DATA_DIR as string, "chain-metadata");
    const files = readdirSync(dir);
    expect(files).toEqual([`${devnet.genesisHash}-343.scale.gz`]);
    const warm = await run();
    expect(warm.out).toEqual(cold.out);
    expect(warm.received * 4).toBeLessThan(cold.received);
    // A damaged cache file is not an error: the metadata is downloaded again (and cached again).
    writeFileSync(join(dir, files[0] as string), "not gzip");
    const repaired = await run();
    expect(repaired.out).toEqual(cold.out);
    expect(repaired.received).toBeGreaterThan(warm.received * 4);
  });

  it("sn11 metagraph --json prints the documented object for 256 uids", async () => {
    const { devnet, keys } = await subnet({ uids: 256 });
    const run = await runInProcess(["metagraph", "--json"], { env: envFor(devnet) });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(Object.keys(out).slice(0, 5)).toEqual(["netuid", "block", "block_hash", "n", "neurons"]);
    expect(out).toMatchObject({ netuid: 11, block: devnet.blockNumber, n: 256 });
    expect(out.neurons).toHaveLength(256);
    expect(out.neurons.map((n: { uid: number }) => n.uid)).toEqual([...Array(256).keys()]);
    expect(out.neurons[0]).toEqual({
      uid: 0,
      hotkey: keys.validator.address,
      coldkey: expect.stringMatching(/^5/),
      active: true,
      validator_permit: true,
      last_update: 0,
      stake: 1500,
      incentive: expect.any(Number),
      consensus: expect.any(Number),
      dividends: expect.any(Number),
      emission: expect.any(Number),
    });
    expect(out.neurons[10].stake).toBe(2.5);
    expect(out.hyperparameters).toMatchObject({
      weights_version: 7,
      weights_rate_limit: 100,
      commit_reveal_weights_enabled: false,
    });
    expect(out.source).toBe("runtime-api");
  });

  it("falls back to storage reads when the runtime lacks the selective metagraph, with the same result", async () => {
    const withApi = await subnet({ uids: 40 });
    const without = await subnet({ uids: 40, selectiveMetagraph: false });
    // Same keys in both chains so the results can be compared.
    const a = JSON.parse(
      (await runInProcess(["metagraph", "--json"], { env: envFor(withApi.devnet) })).stdout,
    );
    const b = JSON.parse(
      (await runInProcess(["metagraph", "--json"], { env: envFor(without.devnet) })).stdout,
    );
    expect(b.source).toBe("storage");
    expect(b.n).toBe(40);
    expect(b.hyperparameters).toEqual(a.hyperparameters);
    expect(b.neurons.slice(0, 4)).toEqual(a.neurons.slice(0, 4));
    expect(b.neurons.map((n: { stake: number }) => n.stake)).toEqual(
      a.neurons.map((n: { stake: number }) => n.stake),
    );
  });

  it("sn11 commitments decodes every uid's commitment and gives the registry verdict", async () => {
    const { devnet, keys } = await subnet({ uids: 8 });
    const [bob, charlie, dave] = keys.miners as [
      typeof keys.validator,
      typeof keys.validator,
      typeof keys.validator,
    ];
    devnet.putCommitment(11, bob.address, commitmentFor("bob", "rp-20b", bob.address), 5_000_000);
    devnet.putCommitment(11, charlie.address, commitmentFor("charlie", "rp-21b", bob.address), 5);
    devnet.putCommitment(11, dave.address, Uint8Array.from([0xe9, 0x3a, 0x41]), 6); // Latin-1 "é:A"
    const other = devnet.subnetState(11).neurons[4]?.hotkey as string;
    devnet.putCommitment(11, other, [{ BigRaw: u8aToHex(stringToU8a("a:b:chatml:x:1:d1")) }], 7);
    devnet.produceBlock();
    const env = envFor(devnet);
    const store = Store.open(env.SN11_DATA_DIR as string);
    store.evaluations.upsert({
      repo: "bob/rp-20b",
      entryHash: entryHash("bob", "rp-20b", "chatml", bob.address),
      profile: "dippy-2025-03",
      status: "COMPLETED",
      totalScore: 0.6,
      revision: null,
      reason: null,
    });
    store.close();
    const run = await runInProcess(["commitments", "--json"], { env });
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    const byUid = out.commitments;
    expect(byUid).toHaveLength(8);
    expect(byUid[0]).toMatchObject({ uid: 0, data: null, valid: false, reason: "no_commitment" });
    // Bob's commitment sits above the devnet's block number, so the reference would call it a future block.
    expect(byUid[1]).toMatchObject({
      uid: 1,
      block: 5_000_000,
      shape: expect.stringMatching(/^Raw\d+$/),
      reason: "future_block",
    });
    expect(byUid[2]).toMatchObject({ uid: 2, block: 5, reason: "before_epoch" });
    expect(byUid[3]).toMatchObject({ uid: 3, data: "é:A", shape: "Raw3", reason: "malformed_commitment" });
    expect(byUid[4]).toMatchObject({
      uid: 4,
      data: null,
      shape: "BigRaw",
      problem: "first field is BigRaw, not Raw bytes",
    });
    expect(byUid[4].reason).toBe("malformed_commitment");
  });

  it("snapshot --out then weights --snapshot equals weights --from-chain", async () => {
    const { devnet, keys } = await subnet({ uids: 12 });
    const [bob, charlie] = keys.miners as [typeof keys.validator, typeof keys.validator];
    devnet.putCommitment(11, bob.address, commitmentFor("bob", "rp-20b", bob.address), 4);
    devnet.putCommitment(11, charlie.address, commitmentFor("charlie", "rp-21b", charlie.address), 6);
    devnet.produceBlock();
    // The seed profile's epoch block is far above the devnet's; the later profile too. Use a custom view:
    // replaying with dippy-2025-03 marks both before_epoch, which is still a full, comparable replay.
    const env = envFor(devnet);
    const file = join(tempDir(), "step.json");
    const snap = await runInProcess(["snapshot", "--out", file, "--json"], { env });
    expect(snap.code).toBe(0);
    expect(JSON.parse(snap.stdout)).toMatchObject({ uids: 12, commitments: 2, block: devnet.blockNumber });
    const snapshot = JSON.parse(readFileSync(file, "utf8"));
    expect(snapshot.hotkeys[1]).toBe(bob.address);
    expect(snapshot.commitments).toHaveLength(2);
    const replay = JSON.parse(
      (await runInProcess(["weights", "--snapshot", file, "--json"], { env })).stdout,
    );
    const live = await runInProcess(["weights", "--from-chain", "--json"], { env });
    expect(live.code).toBe(0);
    const fromChain = JSON.parse(live.stdout);
    expect(fromChain.snapshot_digest).toBe(replay.snapshot_digest);
    expect(fromChain.registry).toEqual(replay.registry);
    const history = JSON.parse((await runInProcess(["weights", "--history", "--json"], { env })).stdout);
    expect(history.map((h: { source: string }) => h.source)).toEqual(["chain", "snapshot"]);
  });

  it("the endpoint dropped mid-read and restarted: the client reconnects and returns a complete result", async () => {
    const { devnet } = await subnet({ uids: 64 });
    devnet.inject({ method: "state_call", match: "SubnetInfoRuntimeApi", action: "restart", downMs: 400 });
    const run = await runInProcess(["metagraph", "--json"], { env: envFor(devnet) });
    expect(run.stderr).toContain("connection trouble, retrying");
    expect(devnet.stats.requests.get("state_call")).toBeGreaterThanOrEqual(2);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.n).toBe(64);
    expect(out.neurons).toHaveLength(64);
  });

  it("a stalled endpoint is a network error (exit 69) after the retries, never partial data", async () => {
    const { devnet } = await subnet({ uids: 8 });
    for (let i = 0; i < 6; i++) {
      devnet.inject({ method: "state_call", match: "SubnetInfoRuntimeApi", action: "stall", ms: 15_000 });
    }
    const run = await runInProcess(["metagraph", "--json"], {
      env: envFor(devnet, { SN11_CHAIN_TIMEOUT: "1" }),
    });
    expect(run.code).toBe(69);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/no answer within 1 s/);
  }, 30_000);

  it("an unreachable endpoint falls over to the next one in the list", async () => {
    const { devnet } = await subnet({ uids: 8 });
    const env = envFor(devnet, { SN11_NETWORK: `ws://127.0.0.1:9,${devnet.url}` });
    const run = await runInProcess(["metagraph", "--json"], { env });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).n).toBe(8);
    expect(run.stderr).toBe(""); // @polkadot/api's "API-WS: disconnected" lines go to the debug log
  });

  it("no endpoint reachable: exit 69 with a hint", async () => {
    const run = await runInProcess(["metagraph"], {
      env: cleanEnv({ SN11_NETWORK: "ws://127.0.0.1:9", SN11_CHAIN_TIMEOUT: "1" }),
    });
    expect(run.code).toBe(69);
    expect(run.stderr).toContain("cannot reach the chain at ws://127.0.0.1:9");
    expect(run.stderr).toContain("hint:");
  });

  it("every endpoint refusing: given up as refused (not at the deadline), one JSON error line and nothing else", async () => {
    const run = await runInProcess(["metagraph", "--json"], {
      env: cleanEnv({ SN11_NETWORK: "ws://127.0.0.1:9,ws://127.0.0.1:10", SN11_CHAIN_TIMEOUT: "600" }),
    });
    expect(run.code).toBe(69);
    expect(run.stdout).toBe("");
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    const error = JSON.parse(lines[0] as string).error;
    expect(error.message).toMatch(
      /cannot reach the chain at ws:\/\/127.0.0.1:9, ws:\/\/127.0.0.1:10: .*(ECONNREFUSED|refused|failed)/i,
    );
    expect(error.message).not.toContain("no answer within");
  });

  it("with --verbose the routed console lines are in the debug log", async () => {
    const run = await runInProcess(["metagraph", "--verbose"], {
      env: cleanEnv({ SN11_NETWORK: "ws://127.0.0.1:9", SN11_CHAIN_TIMEOUT: "600" }),
    });
    expect(run.code).toBe(69);
    expect(run.stderr).toMatch(/"console":"error".*API-WS/);
  });
});

describe.skipIf(!HAS_SHARED)("decoders against real finney responses (recorded-rpc.json)", () => {
  it("decodes the recorded 1024-uid selective metagraph of netuid 1 at block 6852690", () => {
    const recorded = recordedRpc().metagraph?.state_call ?? {};
    const [, response] = Object.entries(recorded).find(([params]) =>
      params.includes("get_selective_mechagraph"),
    ) as [string, { result: string }];
    const raw = Uint8Array.from(Buffer.from(response.result.slice(2), "hex"));
    const { registry } = loadChainSpec();
    const m = decodeSelectiveMetagraph({ registry } as never, raw, 1, { number: 6852690, hash: "0x" });
    expect(m.neurons).toHaveLength(1024);
    expect(m.hyperparameters.tempo).toBe(99);
    expect(m.neurons.filter((n) => n.validatorPermit).length).toBeGreaterThan(0);
    expect(m.neurons.every((n) => n.hotkey.startsWith("5"))).toBe(true);
    expect(m.commitments).toHaveLength(2);
    const peer = m.commitments.find((c) => c.block === 5097676);
    expect(peer?.shape).toBe("Raw97");
    expect(peer?.data).toContain("peer_id");
  });
});
