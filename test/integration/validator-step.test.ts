import { afterEach, describe, expect, it } from "vitest";
import { SubtensorClient } from "../../src/chain/client.js";
import { onceExitCode } from "../../src/commands/validate.js";
import { createLogger } from "../../src/log.js";
import { entryHash } from "../../src/scoring/model-id.js";
import { findProfile } from "../../src/scoring/profile.js";
import { openPostgresStore } from "../../src/store/shared/postgres.js";
import { Store } from "../../src/store/store.js";
import { runStep } from "../../src/validator/step.js";
import { tempDir } from "../support/cli.js";
import type { Devnet } from "../support/devnet/devnet.js";
import { startSubnet } from "../support/devnet/fixture.js";
import type { Hyperparameters } from "../support/devnet/state.js";
import { postgresBinDir, startPostgres } from "../support/postgres.js";
import { commitScoredModel, liveStepDeps } from "../support/scored-models.js";

const logger = createLogger({ write: () => true }, "silent");
const profile = findProfile("dippy-2025-03")!;
const open: { devnet: Devnet; client: SubtensorClient; store: Store }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    o.store.close();
    await o.client.close();
    await o.devnet.stop();
  }
});

/** A subnet where three miners committed and two are scored in the validator's store. */
async function scoredStep(hyper: Partial<Hyperparameters> = {}) {
  const { devnet, keys } = await startSubnet({ firstBlockNumber: 5_000_000, hyper });
  const store = Store.open(tempDir());
  keys.miners.forEach((miner, i) => {
    const model = { namespace: "miner", name: `m${i}`, hotkey: miner.address, block: 4_990_000 + i };
    commitScoredModel(devnet, store, profile, { ...model, score: i < 2 ? 0.4 + i / 10 : null });
  });
  devnet.produceBlock();
  const client = await SubtensorClient.connect({ endpoints: [devnet.url], logger, callTimeoutMs: 3000 });
  open.push({ devnet, client, store });
  const deps = liveStepDeps({ client, store, profile, signer: keys.validator, logger });
  return { devnet, store, deps };
}

describe("a live validator step against the devnet", () => {
  it("sends the replayed weights; a step inside the rate limit names the block it frees", async () => {
    const { devnet, store, deps } = await scoredStep({ weightsRateLimit: 50 });
    const first = await runStep(deps);
    expect(first).toMatchObject({ outcome: "sent", reason: null, chainError: false });
    expect(devnet.subnetState(11).weights.get(0)).toEqual(
      first.replay?.emit.uids.map((uid, i) => [uid, first.replay?.emit.weights[i]]),
    );
    // The unscored miner is queued for evaluation by the same step.
    expect(store.evalQueue.list(profile.id).map((j) => [j.repo, j.status])).toEqual([["miner/m2", "QUEUED"]]);

    const second = await runStep(deps);
    expect(second.outcome).toBe("not_sent");
    expect(second.reason).toContain("SettingWeightsTooFast");
    expect(second.rateLimitFreesAt).toBe((first.txBlock as number) + 50);
    expect(store.validatorSteps.list(5).map((s) => s.outcome)).toEqual(["not_sent", "sent"]);
  });

  it("a connection dropped after the weights were included: found in the chain state, not sent twice", async () => {
    const { devnet, deps } = await scoredStep({ weightsRateLimit: 0 });
    devnet.inject({ method: "author_submitAndWatchExtrinsic", action: "drop-after-include" });
    const result = await runStep(deps);
    expect(result.outcome).toBe("sent");
    expect(result.reason).toContain("landed although the connection dropped");
    const setWeights = devnet.includedExtrinsics().length;
    expect(setWeights).toBe(1);
  }, 30_000);

  it("each step records its agreement with consensus and warns below the threshold, naming the uids", async () => {
    const { devnet, store, deps } = await scoredStep({ weightsRateLimit: 50 });
    // A validator with twice the stake weights uid 1 and the miner this validator has not scored (uid 3).
    devnet.registerNeuron(11, {
      hotkey: `0x${"fe".repeat(32)}`,
      validatorPermit: true,
      alphaStake: 3_000_000_000_000n,
    });
    devnet.produceBlock();
    devnet.putWeights(11, 8, [
      [1, 65535],
      [3, 65535],
    ]);
    devnet.produceBlock();
    const lines: string[] = [];
    const watched = {
      ...deps,
      logger: createLogger({ write: (s) => lines.push(s) > 0 }, "warn"),
      consensus: { hotkey: (await deps.signer()).address, warnBelow: 0.99 },
    };
    const first = await runStep(watched);
    expect(first.outcome).toBe("sent");
    // No row on chain yet. Computed: uid 8 holds 2/3 of the stake, so consensus is its 0.5 on uid 1 and 0
    // on uid 2; of the computed row only its (smaller) weight on uid 1 survives.
    const emitted = first.replay?.emit as { uids: number[]; weights: number[] };
    const onUid1 =
      (emitted.weights[emitted.uids.indexOf(1)] as number) / emitted.weights.reduce((a, b) => a + b);
    expect(first.agreement).toEqual({ uid: 0, chain: 0, computed: expect.closeTo(onUid1, 4) });
    expect(first.agreement?.computed).toBeLessThan(0.5);
    const warning = lines.map((l) => JSON.parse(l)).find((l) => l.threshold === 0.99);
    expect(warning.msg).toContain("with consensus (below 0.99)");
    expect(warning.uids.map((u: { uid: number }) => u.uid).sort()).toEqual([1, 2, 3]);
    expect(warning.uids.find((u: { uid: number }) => u.uid === 3).why).toBe(
      "not evaluated here yet (#1 in the queue)",
    );
    expect(store.validatorSteps.get(first.step)?.agreement).toEqual({
      chain: 0,
      computed: first.agreement?.computed,
    });
    // The row sent is on chain at the next step: its agreement there is exactly what the first computed.
    const second = await runStep(watched);
    expect(second.agreement?.chain).toBe(first.agreement?.computed);
    const [newest] = store.weightComputations.list(1);
    expect(newest?.step?.agreement).toEqual({
      chain: first.agreement?.computed,
      computed: second.agreement?.computed,
    });
  });

  it("the chain down: the step is skipped with the reason and counted as a chain error", async () => {
    const { devnet, store, deps } = await scoredStep();
    await devnet.stopServer();
    const result = await runStep(deps);
    expect(result).toMatchObject({ outcome: "skipped", chainError: true, replay: null });
    expect(result.reason).toMatch(/^chain unreachable: /);
    expect(store.validatorSteps.get(result.step)?.outcome).toBe("skipped");
    await devnet.restart();
  }, 60_000);
});

describe.skipIf(postgresBinDir() === null)("a step over a shared PostgreSQL store", () => {
  it("the database down: the step is skipped with the reason and nothing is sent", async () => {
    // The database first: its start must not hold up the devnet's answers to a connected client.
    const postgres = await startPostgres();
    const shared = await openPostgresStore(await postgres.database(), { logger });
    const { devnet, deps } = await scoredStep();
    try {
      await postgres.stop();
      const result = await runStep({ ...deps, shared });
      expect(result).toMatchObject({ outcome: "skipped", chainError: false, replay: null, txHash: null });
      expect(result.reason).toMatch(
        /^the shared store is unreachable: cannot reach the shared store postgres:/,
      );
      expect(devnet.subnetState(11).weights.size).toBe(0);
    } finally {
      await shared.close();
      await postgres.stop();
    }
  }, 60_000);
});

describe("sn11 validate --once exit codes", () => {
  it.each([
    ["a completed step", { outcome: "sent", chainError: false }, [], 0],
    ["a step the chain refused (rate limit)", { outcome: "not_sent", chainError: false }, [], 0],
    ["a dry run", { outcome: "dry_run", chainError: false }, [], 0],
    ["the chain unreadable", { outcome: "skipped", chainError: true }, [], 69],
    ["the remote scores unreadable", { outcome: "skipped", chainError: false }, [], 69],
    ["the chain gone while sending", { outcome: "not_sent", chainError: true }, [], 69],
    ["an evaluation in ERROR", { outcome: "dry_run", chainError: false }, [{ outcome: "ERROR" }], 70],
    ["a FAILED model (the miner's)", { outcome: "sent", chainError: false }, [{ outcome: "FAILED" }], 0],
  ] as const)("%s → %i", (_name, step, evaluations, code) => {
    expect(onceExitCode(step, evaluations)).toBe(code);
  });

  it("the chain unreachable: exit 69 with the step's reason in the output", async () => {
    const { runInProcess, cleanEnv } = await import("../support/cli.js");
    const run = await runInProcess(
      [
        "validate",
        "--once",
        "--offline",
        "--json",
        "--score-source",
        "remote",
        "--score-url",
        "http://127.0.0.1:9",
      ],
      { env: cleanEnv({ SN11_NETWORK: "ws://127.0.0.1:9", SN11_DATA_DIR: tempDir() }) },
    );
    expect(run.code, run.stderr).toBe(69);
    expect(JSON.parse(run.stdout).steps[0]).toMatchObject({ outcome: "skipped" });
    // The exit code's reason is said as every error is: one JSON error line on stderr.
    const error = JSON.parse(run.stderr.trim().split("\n").at(-1) as string).error;
    expect(error.kind).toBe("network");
    expect(error.message).toMatch(/^step \d+ could not read the chain: chain unreachable/);
  });
});

describe("sn11 validate --score-source remote", () => {
  it("mirrors the score API's answers into the step (no local evaluation, no judge needed)", async () => {
    const { createServer } = await import("node:http");
    const { runInProcess, cleanEnv } = await import("../support/cli.js");
    const { devnet, keys } = await startSubnet({ firstBlockNumber: 5_000_000 });
    const bob = keys.miners[0]!;
    const hash = entryHash("miner", "remote", "chatml", bob.address);
    devnet.putCommitment(11, bob.address, `miner:remote:chatml:${bob.address}:${hash}:d1`, 4_990_000);
    devnet.produceBlock();
    const asked: string[] = [];
    const api = createServer((req, res) => {
      asked.push(req.url ?? "");
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: "COMPLETED", score: { judge_score: 0.7 } }));
    });
    await new Promise<void>((r) => api.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(api.address() as { port: number }).port}`;
      const run = await runInProcess(
        ["validate", "--once", "--dry-run", "--score-source", "remote", "--score-url", url, "--json"],
        { env: cleanEnv({ SN11_NETWORK: devnet.url, SN11_DATA_DIR: tempDir() }) },
      );
      expect(run.code, run.stderr).toBe(0);
      const out = JSON.parse(run.stdout);
      expect(out.evaluations).toEqual([]);
      expect(out.weights.registry[1]).toMatchObject({ valid: true, status: "COMPLETED", total_score: 0.7 });
      expect(out.weights.emit).toEqual({ uids: [1], weights: [65535] });
      expect(asked).toHaveLength(1);
      expect(asked[0]).toContain("repo_namespace=miner&repo_name=remote&chat_template_type=chatml");
    } finally {
      await new Promise((r) => api.close(r));
      await devnet.stop();
    }
  });
});
