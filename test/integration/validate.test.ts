import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { mnemonicGenerate } from "@polkadot/util-crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inStore, newestRunSamples, runInProcess, spawnSn11, tempDir } from "../support/cli.js";
import { HAS_LLAMA_SERVER, pipeDeafLlamaServer } from "../support/engines/llama.js";
import { REPO_ROOT } from "../support/shared.js";
import { quickEvaluation, startValidatorNet, type ValidatorNet } from "../support/validator-net.js";
import { writeWallet } from "../support/wallet.js";

async function until(condition: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!HAS_LLAMA_SERVER)("sn11 validate end to end (devnet, local hub, embedded engine)", () => {
  let net: ValidatorNet;
  beforeAll(async () => {
    net = await startValidatorNet();
    net.addModel("val/model-a", 3);
    net.addModel("val/model-c", 11);
    net.commit(net.miners.bob, "val/model-a", 5_000_001);
    net.commit(net.miners.charlie, "val/model-a", 5_000_002); // same repo later: duplicate
    net.commit(net.miners.dave, "val/model-b", 5_000_003, true); // hash does not match its hotkey
    net.commit(net.miners.eve, "val/model-c", 5_000_004);
    net.devnet.produceBlock();
  }, 120_000);
  afterAll(async () => {
    await net?.stop();
  });

  it("--once --dry-run evaluates the valid models and prints the weights without sending them", async () => {
    const run = await runInProcess(["validate", "--once", "--dry-run", "--json", ...quickEvaluation(net)], {
      env: { ...net.env, SN11_LOG: "info" },
    });
    expect(run.code, run.stderr).toBe(0);
    const progress = run.stderr
      .split("\n")
      .filter((line) => line.includes('"evaluation progress"'))
      .map((line) => JSON.parse(line) as { stage: string; done: number; total: number });
    for (const stage of ["download", "generate", "judge"]) {
      expect(progress.some((p) => p.stage === stage && p.done === p.total)).toBe(true);
    }
    const out = JSON.parse(run.stdout);
    expect(out.evaluations.map((e: { repo: string; outcome: string }) => [e.repo, e.outcome])).toEqual([
      ["val/model-a", "COMPLETED"],
      ["val/model-c", "COMPLETED"],
    ]);
    expect(out.steps).toHaveLength(1);
    expect(out.steps[0].outcome).toBe("dry_run");
    const reasons = Object.fromEntries(
      out.weights.registry.map((r: { uid: number; reason: string | null }) => [r.uid, r.reason]),
    );
    // The duplicate is never evaluated, so (as in the reference) its first reason is that it has no score.
    expect(reasons).toMatchObject({
      0: "no_commitment",
      1: null,
      2: "not_scored",
      3: "hash_mismatch",
      8: null,
    });
    expect(out.weights.emit.uids.length).toBeGreaterThan(0);
    expect(net.devnet.subnetState(11).weights.size).toBe(0);
    // What the dashboard reads of a daemon: its state row (stopped now), no progress rows left behind.
    inStore(net.dataDir, (store) => {
      expect(store.validatorState.get()).toMatchObject({
        pid: process.pid,
        netuid: 11,
        stoppedAt: expect.any(String),
      });
      expect(store.jobProgress.all()).toEqual([]);
    });
    const dash = await runInProcess(["dashboard", "--offline", "--json"], { env: net.env });
    expect(dash.code, dash.stderr).toBe(0);
    const seen = JSON.parse(dash.stdout);
    expect(seen).toMatchObject({ view: "validator", daemon: { state: "stopped" } });
    expect(seen.boardSource).toMatch(/^step #\d+$/);
    expect(seen.steps[0].outcome).toBe("dry_run");
    expect(seen.board.find((b: { uid: number }) => b.uid === 1)).toMatchObject({
      repo: "val/model-a",
      state: "scored",
    });
    const board = await runInProcess(["leaderboard", "--offline", "--json"], { env: net.env });
    expect(board.code, board.stderr).toBe(0);
    expect(JSON.parse(board.stdout).rows.find((r: { uid: number }) => r.uid === 2)).toMatchObject({
      state: "duplicate",
      registry: { duplicate_of: { uid: 1, match: "repo" } },
    });

    const text = await runInProcess(["validate", "--once", "--dry-run", ...quickEvaluation(net)], {
      env: net.env,
    });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain("weights to emit");
    expect(text.stdout).toMatch(/step \d+: dry_run at block \d+ — computed, not sent \(--dry-run\)/);
  }, 300_000);

  it("--once sets weights that equal the replay of the recorded step, and the devnet holds them", async () => {
    const run = await runInProcess(["validate", "--once", "--json", ...quickEvaluation(net)], {
      env: net.env,
    });
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.evaluations).toEqual([]); // already scored by the dry run
    const [step] = out.steps;
    expect(step.outcome).toBe("sent");
    expect(step.tx_hash).toMatch(/^0x[0-9a-f]{64}$/);

    const file = join(tempDir(), "step.json");
    const snap = await runInProcess(["snapshot", "--step", String(step.step), "--out", file], {
      env: net.env,
    });
    expect(snap.code, snap.stderr).toBe(0);
    const replay = JSON.parse(
      (await runInProcess(["weights", "--snapshot", file, "--json", "--no-record"], { env: net.env })).stdout,
    );
    expect(replay.emit).toEqual(out.weights.emit);
    expect(replay.snapshot_digest).toBe(step.snapshot_digest);
    const onChain = net.devnet.subnetState(11).weights.get(0);
    expect(onChain).toEqual(replay.emit.uids.map((uid: number, i: number) => [uid, replay.emit.weights[i]]));

    const history = JSON.parse(
      (await runInProcess(["weights", "--history", "--json"], { env: net.env })).stdout,
    );
    expect(history[0]).toMatchObject({
      source: "step",
      step: { id: step.step, outcome: "sent", tx_hash: step.tx_hash },
    });
  }, 300_000);
});

describe.skipIf(!HAS_LLAMA_SERVER)("the owner's precheck rules, applied locally", () => {
  let net: ValidatorNet;
  beforeAll(async () => {
    net = await startValidatorNet();
    net.addModel("val/model-a", 3);
    net.addModel("val/model-e", 5);
    net.commit(net.miners.bob, "val/model-a", 5_000_001);
    net.commit(net.miners.eve, "val/model-e", 5_000_002);
    net.devnet.produceBlock();
  }, 120_000);
  afterAll(async () => {
    await net?.stop();
  });

  it("a hotkey's next submission inside the rate limit FAILS; a copy of earlier weights is COMPLETED with 0", async () => {
    const first = await runInProcess(["validate", "--once", "--offline", ...quickEvaluation(net)], {
      env: net.env,
    });
    expect(first.code, first.stderr).toBe(0);
    net.devnet.produceBlocks(100);
    net.addModel("val/model-b", 9);
    net.copyModel("val/model-a", "val/copy-of-a");
    net.commit(net.miners.eve, "val/model-b", 5_000_050); // 48 blocks after Eve's model-e
    net.commit(net.miners.dave, "val/copy-of-a", 5_000_060); // Bob's weights under another name
    net.devnet.produceBlock();
    const run = await runInProcess(["validate", "--once", "--offline", "--json", ...quickEvaluation(net)], {
      env: net.env,
    });
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    const byRepo = Object.fromEntries(
      out.evaluations.map((e: { repo: string; outcome: string; reason: string }) => [
        e.repo,
        [e.outcome, e.reason],
      ]),
    );
    expect(byRepo["val/model-b"]?.[0]).toBe("FAILED");
    expect(byRepo["val/model-b"]?.[1]).toContain(
      "48 blocks after this hotkey's previous submission (val/model-e)",
    );
    expect(byRepo["val/copy-of-a"]?.[0]).toBe("COMPLETED");
    expect(byRepo["val/copy-of-a"]?.[1]).toContain("as val/model-a, committed earlier at block 5000001");
    const registry = out.weights.registry as { uid: number; status: string; total_score: number }[];
    expect(registry[3]).toMatchObject({ status: "COMPLETED", total_score: 0 });
    expect(registry[8]).toMatchObject({ status: "FAILED", total_score: 0 });
    expect(out.weights.win_rate["3"]).toBeNull();
  }, 300_000);
});

describe.skipIf(!HAS_LLAMA_SERVER)("sn11 validate under failures", () => {
  let net: ValidatorNet;
  beforeAll(async () => {
    net = await startValidatorNet({ weightsRateLimit: 0 });
    net.addModel("val/model-a", 3);
    net.addModel("val/model-c", 11);
    net.commit(net.miners.bob, "val/model-a", 5_000_001);
    net.devnet.produceBlock();
  }, 120_000);
  afterAll(async () => {
    await net?.stop();
  });

  it("kill -9 mid-evaluation, then a restart resumes it without duplicate rows", async () => {
    const dataDir = tempDir("sn11-killed-");
    const env = { ...net.env, SN11_DATA_DIR: dataDir };
    const args = ["validate", "--once", "--offline", ...quickEvaluation(net, 8)];
    const samplesDone = () => newestRunSamples(dataDir).filter((r) => r.generation !== null).length;
    const { child, output, exited } = spawnSn11(args, env);
    await until(() => {
      if (child.exitCode !== null)
        throw new Error(`the daemon exited (${child.exitCode}) early:\n${output.stderr}`);
      return samplesDone() >= 2;
    }, "two committed generations");
    child.kill("SIGKILL");
    await exited;
    const before = inStore(dataDir, (s) => s.evalQueue.list("dippy-2025-03"));
    expect(before.map((j) => j.status)).toEqual(["RUNNING"]);

    const resumed = await runInProcess([...args, "--json"], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    const out = JSON.parse(resumed.stdout);
    expect(out.evaluations.map((e: { outcome: string }) => e.outcome)).toEqual(["COMPLETED"]);
    expect(out.steps[0].outcome).toBe("offline");
    inStore(dataDir, (s) => {
      const runs = s.scoreRuns.list(10);
      expect(runs).toHaveLength(1);
      expect(s.scoreRuns.samples(runs[0]?.id as number)).toHaveLength(8);
      expect(s.evalQueue.list("dippy-2025-03").map((j) => [j.status, j.attempts])).toEqual([
        ["COMPLETED", 2],
      ]);
      expect(s.evaluations.forProfile("dippy-2025-03")).toHaveLength(1);
    });
  }, 300_000);

  /** An engine binary that answers --version and then, asked to serve, prints `stderr` and exits `code`. */
  function brokenEngine(code: number, stderr: string): string {
    const bin = join(tempDir(), "llama-server");
    writeFileSync(
      bin,
      `#!/bin/sh\nif [ "$1" = --version ]; then echo "version: 1 (0badc0de)" >&2; exit 0; fi\necho "${stderr}" >&2\nexit ${code}\n`,
      { mode: 0o755 },
    );
    return bin;
  }
  const withEngine = (bin: string) => [
    "validate",
    "--once",
    "--offline",
    "--json",
    ...quickEvaluation(net),
    "--engine",
    "llama-server",
    "--engine-bin",
    bin,
  ];

  it("a live validator whose hotkey is not registered is refused at start (exit 78), before any evaluation", async () => {
    const stranger = writeWallet({ secretPhrase: mnemonicGenerate() });
    const dataDir = tempDir("sn11-stranger-");
    const run = await runInProcess(["validate", "--once", ...quickEvaluation(net)], {
      env: {
        ...net.env,
        SN11_DATA_DIR: dataDir,
        BT_WALLET_PATH: stranger.path,
        BT_WALLET_NAME: stranger.name,
        BT_WALLET_HOTKEY: stranger.hotkey,
      },
    });
    expect(run.code).toBe(78);
    expect(run.stderr).toMatch(/the hotkey 5\w+ is not registered on netuid 11/);
    expect(run.stderr).toContain("btcli subnet register");
    expect(inStore(dataDir, (s) => s.evalQueue.list("dippy-2025-03"))).toEqual([]);
  }, 60_000);

  it("a missing engine binary is found at start: exit 70 with a hint, before any evaluation", async () => {
    const dataDir = tempDir("sn11-engine-missing-");
    const run = await runInProcess(withEngine(join(tempDir(), "no-such-llama-server")), {
      env: { ...net.env, SN11_DATA_DIR: dataDir },
    });
    expect(run.code).toBe(70);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("no-such-llama-server was not found");
    expect(run.stderr).toContain("--engine embedded");
    expect(inStore(dataDir, (s) => s.evalQueue.list("dippy-2025-03"))).toEqual([]);
  }, 60_000);

  it("an engine that dies while it starts is an ERROR retried later, with its last stderr, never a score for the miner", async () => {
    const dataDir = tempDir("sn11-engine-down-");
    const env = { ...net.env, SN11_DATA_DIR: dataDir };
    const run = await runInProcess(withEngine(brokenEngine(1, "CUDA error: out of memory")), { env });
    expect(run.code, run.stderr).toBe(70); // --once: an evaluation ended in ERROR
    const out = JSON.parse(run.stdout);
    expect(out.banner.engine).toEqual({ name: "llama-server", version: "1 (0badc0de)" });
    expect(out.evaluations.map((e: { outcome: string }) => e.outcome)).toEqual(["ERROR"]);
    expect(out.evaluations[0].reason).toContain("CUDA error: out of memory");
    expect(out.weights.registry[1]).toMatchObject({ reason: "not_scored", status: "QUEUED" });
    inStore(dataDir, (s) => {
      const [job] = s.evalQueue.list("dippy-2025-03");
      expect(job?.status).toBe("ERROR");
      expect(Date.parse(job?.nextAttemptAt as string)).toBeGreaterThan(Date.now());
      expect(s.evaluations.forProfile("dippy-2025-03")).toEqual([]);
    });
  }, 120_000);

  it("an engine that refuses its arguments stops the daemon with exit 70 and its stderr, not retried for ever", async () => {
    const dataDir = tempDir("sn11-engine-args-");
    const env = { ...net.env, SN11_DATA_DIR: dataDir };
    const bin = brokenEngine(2, "vllm: error: unrecognized arguments: --disable-log-requests");
    const args = withEngine(bin).filter((a) => a !== "--once");
    const run = await runInProcess(["validate", "--every", "3600", ...args.slice(1)], { env });
    expect(run.code).toBe(70);
    expect(run.stderr).toContain("unrecognized arguments: --disable-log-requests");
    expect(JSON.parse(run.stdout.trim().split("\n")[0] as string)).toMatchObject({ event: "start" });
  }, 120_000);

  it("SIGTERM finishes the samples in flight, puts the evaluation back in the queue and exits 0", async () => {
    const dataDir = tempDir("sn11-sigterm-");
    const env = { ...net.env, SN11_DATA_DIR: dataDir };
    const child = spawn(
      process.execPath,
      [join(REPO_ROOT, "bin", "sn11.mjs"), "validate", "--offline", ...quickEvaluation(net, 64)],
      { env, stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const generations = () =>
      inStore(dataDir, (s) => {
        const [run] = s.scoreRuns.list(1);
        return run ? s.scoreRuns.samples(run.id).filter((r) => r.generation !== null).length : 0;
      });
    await until(() => child.exitCode !== null || generations() >= 1, "a committed generation");
    child.kill("SIGTERM");
    expect(await exited, stderr).toBe(0);
    const [job] = inStore(dataDir, (s) => s.evalQueue.list("dippy-2025-03"));
    expect(job?.status).toBe("QUEUED");
    expect(job?.attempts).toBe(0);
    expect(generations()).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it("the daemon says what it does as it happens: a banner, then each evaluation and step line before it exits", async () => {
    const dataDir = tempDir("sn11-lines-");
    const env = { ...net.env, SN11_DATA_DIR: dataDir };
    const { child, output, exited } = spawnSn11(
      ["validate", "--offline", "--every", "2", "--immediate", ...quickEvaluation(net, 4)],
      env,
    );
    await until(
      () => child.exitCode !== null || output.stdout.includes("sn11 validate · offline"),
      "the banner",
    );
    expect(output.stdout).toMatch(/chain: block \d+ · no hotkey \(offline\)/);
    expect(output.stdout).toContain("engine: embedded node-llama-cpp");
    expect(output.stdout).toContain("next step: now");
    await until(
      () =>
        child.exitCode !== null ||
        (/evaluated val\/model-a \(uid 1\): COMPLETED/.test(output.stdout) &&
          /step \d+: offline/.test(output.stdout)),
      "an evaluation line and a step line while it runs",
      90_000,
    );
    expect(child.exitCode, output.stderr).toBeNull();
    child.kill("SIGTERM");
    expect(await exited, output.stderr).toBe(0);
    expect(output.stdout.trim().split("\n").at(-1)).toBe(
      "stopped by SIGTERM; evaluations resume from their last sample",
    );
    // Nothing but the banner, result lines and the stop: logs and progress are on stderr.
    for (const line of output.stdout.trim().split("\n")) {
      expect(line).toMatch(/^(sn11 validate| {2}|evaluated |step \d+|stopped by)/);
    }
  }, 120_000);

  it("a second SIGTERM while the daemon drains: exit 130 at once, and the spawned engine's process group goes with it", async () => {
    const dataDir = tempDir("sn11-twice-");
    const env = { ...net.env, SN11_DATA_DIR: dataDir };
    const args = quickEvaluation(net, 64).map((a) => (a === "embedded" ? "llama-server" : a));
    const child = spawn(
      process.execPath,
      [
        join(REPO_ROOT, "bin", "sn11.mjs"),
        "validate",
        "--offline",
        "--engine-bin",
        pipeDeafLlamaServer(),
        ...args,
      ],
      { env, stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const pidFile = join(dataDir, "llama-server.pid");
    await until(() => child.exitCode !== null || existsSync(pidFile), "the spawned llama-server");
    const engine = Number(readFileSync(pidFile, "utf8").split(" ")[0]);
    const alive = () => {
      try {
        process.kill(engine, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(alive()).toBe(true);
    child.kill("SIGTERM"); // drain: the samples in flight finish first
    await new Promise((r) => setTimeout(r, 200)); // two pending SIGTERMs would arrive as one
    child.kill("SIGTERM"); // enough: stop now
    expect(await exited, stderr).toBe(130);
    await until(() => !alive(), "the engine's process group to be gone", 5_000);
  }, 120_000);

  it("the daemon queues a commitment made during an evaluation, survives the chain going down, stops on SIGTERM", async () => {
    const dataDir = tempDir("sn11-daemon-");
    const env = { ...net.env, SN11_DATA_DIR: dataDir, SN11_CHAIN_TIMEOUT: "2" };
    const stop = new AbortController();
    const daemon = runInProcess(
      [
        "validate",
        "--every",
        "2",
        "--sync-every",
        "1",
        "--metrics-port",
        "0",
        "--json",
        ...quickEvaluation(net, 12),
      ],
      { env, stop: stop.signal },
    );
    const jobs = () => inStore(dataDir, (s) => s.evalQueue.list("dippy-2025-03"));
    await until(
      () => jobs().some((j) => j.repo === "val/model-a" && j.status === "RUNNING"),
      "model-a running",
    );
    net.commit(net.miners.eve, "val/model-c", net.devnet.blockNumber);
    net.devnet.produceBlock();
    await until(() => jobs().some((j) => j.repo === "val/model-c"), "model-c queued");
    const queuedWhileRunning = jobs();
    expect(queuedWhileRunning.find((j) => j.repo === "val/model-a")?.status).toBe("RUNNING");

    const steps = () => inStore(dataDir, (s) => s.validatorSteps.list(100));
    await until(() => steps().some((s) => s.outcome === "sent"), "a step that sent weights", 240_000);
    await net.devnet.stopServer();
    const downSince = steps()[0]?.id ?? 0;
    await until(
      () => steps().some((s) => s.id > downSince && s.outcome === "skipped"),
      "a step while the chain is down",
    );
    await net.devnet.restart();
    const upSince = steps()[0]?.id ?? 0;
    await until(() => steps().some((s) => s.id > upSince && s.outcome === "sent"), "weights after recovery");
    stop.abort(new Error("SIGTERM"));
    const run = await daemon;
    expect(run.code, run.stderr).toBe(0);
    // One JSON object per line, as each thing happens: the banner, steps and evaluations, the stop.
    const events = run.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(events[0]).toMatchObject({ event: "start", mode: "live", uid: 0, permit: true });
    expect(events[0].block).toBeGreaterThan(0);
    expect(events.at(-1)).toMatchObject({ event: "stopped", stopped_by: "SIGTERM" });
    expect(run.stderr).toMatch(/metrics: http:\/\/127\.0\.0\.1:\d+\/metrics · health: .*\/healthz/);
    const skipped = events.find((e) => e.event === "step" && e.outcome === "skipped");
    expect(skipped.reason).toMatch(/chain unreachable/);
    const evaluated = events.filter((e) => e.event === "evaluation").map((e) => e.repo);
    expect(evaluated).toContain("val/model-a");
    expect(events.at(-1).steps).toBe(events.filter((e) => e.event === "step").length);
    expect(inStore(dataDir, (s) => s.evalQueue.list("dippy-2025-03").map((j) => j.repo))).toEqual([
      "val/model-a",
      "val/model-c",
    ]);
  }, 400_000);
});

describe("sn11 validate refuses bad set-ups", () => {
  it("without a judge for local evaluation (exit 2)", async () => {
    const run = await runInProcess(["validate", "--once", "--offline"], {
      env: { HOME: tempDir(), SN11_DATA_DIR: tempDir() },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("local evaluation needs a judge");
  });

  it("a dataset that cannot be read, before anything is evaluated (exit 2)", async () => {
    const env = { HOME: tempDir(), SN11_DATA_DIR: tempDir(), SN11_JUDGE_URL: "http://127.0.0.1:9/v1" };
    const api = await runInProcess(["validate", "--once", "--offline"], { env });
    expect(api.code).toBe(2);
    expect(api.stderr).toContain("--dataset api needs the dataset API's URL");
    const file = await runInProcess(["validate", "--once", "--offline", "--dataset", "nope.jsonl"], { env });
    expect(file.code).toBe(2);
    expect(file.stderr).toContain("the dataset nope.jsonl does not exist");
  });

  it("several GPU groups with the embedded engine, and a llama.cpp engine on finney's netuid 11 (exit 2)", async () => {
    const env = { HOME: tempDir(), SN11_DATA_DIR: tempDir(), SN11_DATASET_API_URL: "http://127.0.0.1:9" };
    const base = ["validate", "--once", "--offline", "--judge-url", "http://127.0.0.1:9/v1"];
    const groups = await runInProcess([...base, "--engine", "embedded", "--gpus", "0:1"], { env });
    expect(groups.code).toBe(2);
    expect(groups.stderr).toContain("one evaluation per GPU group needs a spawned engine");
    const twice = await runInProcess([...base, "--gpus", "0,1:1"], { env });
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain("GPU 1 is given twice");
    for (const engine of ["embedded", "llama-server"]) {
      const gguf = await runInProcess(
        [...base, "--engine", engine, "--network", "finney", "--netuid", "11"],
        { env },
      );
      expect(gguf.code).toBe(2);
      expect(gguf.stderr).toContain(`--engine ${engine} loads GGUF files`);
      expect(gguf.stderr).toContain("hint: validate with --engine vllm");
    }
  });

  it("a second validator on the same data dir (exit 78)", async () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, "validate.lock"), `${process.ppid}\n`);
    const run = await runInProcess(
      [
        "validate",
        "--once",
        "--offline",
        "--judge-url",
        "http://127.0.0.1:9/v1",
        "--network",
        "ws://127.0.0.1:9",
      ],
      { env: { HOME: tempDir(), SN11_DATA_DIR: dataDir, SN11_DATASET_API_URL: "http://127.0.0.1:9" } },
    );
    expect(run.code).toBe(78);
    expect(run.stderr).toContain(`another sn11 validate (pid ${process.ppid})`);
  });
});
