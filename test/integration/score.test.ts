import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluationSeed } from "../../src/eval/datasets/random.js";
import { isProcessAlive } from "../../src/process-alive.js";
import { Store } from "../../src/store/store.js";
import { cleanEnv, newestRunSamples, runInProcess, tempDir } from "../support/cli.js";
import { judgeStandIn } from "../support/engines/judge-standin.js";
import {
  HAS_LLAMA_SERVER,
  LLAMA_SERVER,
  pipeDeafLlamaServer,
  startLocalJudge,
  tinyModelPath,
} from "../support/engines/llama.js";
import { scoreArgs, TAVERN_ROWS, writeDataset } from "../support/score-args.js";
import { noteMissingShared, REPO_ROOT } from "../support/shared.js";

noteMissingShared("the sn11 score tests");

const ROWS = TAVERN_ROWS;

describe.skipIf(!HAS_LLAMA_SERVER)(
  "sn11 score end to end (real llama-server for the model and the judge)",
  () => {
    let judge: Awaited<ReturnType<typeof startLocalJudge>> | null = null;
    let judgeUrl = "";
    const model = HAS_LLAMA_SERVER ? tinyModelPath({ seed: 3 }) : "";
    const dataset = writeDataset(ROWS);

    beforeAll(async () => {
      judge = await startLocalJudge();
      judgeUrl = judge.url;
    }, 60_000);
    afterAll(async () => {
      await judge?.stop();
    });

    const argv = (extra: string[] = []) =>
      scoreArgs({ model, dataset, judgeUrl, samples: 6, maxTokens: 16 }, extra);

    it("keeps no more judge calls in flight than --judge-concurrency", async () => {
      let inFlight = 0;
      let most = 0;
      const target = new URL(judgeUrl);
      const proxy = createServer((req, res) => {
        inFlight++;
        most = Math.max(most, inFlight);
        const forward = httpRequest(
          {
            host: target.hostname,
            port: target.port,
            path: req.url,
            method: req.method,
            headers: req.headers,
          },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
            answer.on("end", () => inFlight--);
          },
        );
        req.pipe(forward);
      });
      await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
      try {
        const viaProxy = `http://127.0.0.1:${(proxy.address() as { port: number }).port}/v1`;
        const run = await runInProcess(
          scoreArgs({ model, dataset, judgeUrl: viaProxy, samples: 6, maxTokens: 16 }, [
            "--judge-concurrency",
            "2",
          ]),
          { env: cleanEnv({ SN11_DATA_DIR: tempDir() }) },
        );
        expect(run.code, run.stderr).toBe(0);
        expect(most).toBeGreaterThan(0);
        expect(most).toBeLessThanOrEqual(2);
      } finally {
        await new Promise((r) => proxy.close(r));
      }
    }, 120_000);

    it("a judge that goes down mid-run: exit 69, interrupted, the run stays open and the next run keeps the generations", async () => {
      const env = cleanEnv({ SN11_DATA_DIR: tempDir() });
      // Answers the preflight's one call through the real judge, then is down (503) for every verdict.
      const flaky = await judgeStandIn(judgeUrl, (served) => (served === 0 ? "forward" : 503));
      try {
        const down = await runInProcess(
          scoreArgs({ model, dataset, judgeUrl: flaky.url, samples: 6, maxTokens: 16 }),
          { env },
        );
        expect(down.code, down.stderr).toBe(69);
        expect(down.stdout).toBe("");
        expect(down.stderr).toContain("interrupted: judge unreachable — rerun to resume (6 replies kept)");
      } finally {
        await flaky.stop();
      }
      const list = await runInProcess(["score", "--list", "--json"], { env });
      expect(JSON.parse(list.stdout).map((r: { status: string }) => r.status)).toEqual(["RUNNING"]);
      const up = await runInProcess(argv(), { env });
      expect(up.code, up.stderr).toBe(0);
      const card = JSON.parse(up.stdout);
      // Nothing was counted against the error budget for the outage.
      expect(card).toMatchObject({ status: "COMPLETED", valid: 6, failed: 0, resumed: true });
    }, 120_000);

    it("a judge that keeps failing one prompt (HTTP 503) while it answers the others: a failed verdict, not an outage", async () => {
      const env = cleanEnv({ SN11_DATA_DIR: tempDir() });
      let unlucky: string | null = null;
      let verdictCall: { max_tokens?: number; response_format?: { json_schema: { schema: object } } } | null =
        null;
      const picky = await judgeStandIn(judgeUrl, (_served, body) => {
        const card = /tavern keeper \d+/.exec(body)?.[0] ?? null;
        if (card === null) return "forward";
        verdictCall ??= JSON.parse(body);
        unlucky ??= card;
        return card === unlucky ? 503 : "forward";
      });
      try {
        const run = await runInProcess(
          // Ten samples: one failed call is within the 10 % budget of the run's samples (of 6 it is not).
          scoreArgs({ model, dataset, judgeUrl: picky.url, samples: 10, maxTokens: 16 }),
          { env },
        );
        expect(run.code, run.stderr).toBe(0);
        expect(JSON.parse(run.stdout)).toMatchObject({ status: "COMPLETED", valid: 9, failed: 1 });
        // The verdict calls as the reference makes them: no max_tokens, the verdicts before the reasonings.
        expect(verdictCall).not.toBeNull();
        expect(verdictCall).not.toHaveProperty("max_tokens");
        const schema = (
          verdictCall as unknown as { response_format: { json_schema: { schema: { properties: object } } } }
        ).response_format.json_schema.schema;
        expect(Object.keys(schema.properties).slice(0, 3)).toEqual([
          "realism_win",
          "entertainment_win",
          "coherency_win",
        ]);
      } finally {
        await picky.stop();
      }
    }, 120_000);

    it("a prompt over the 8192-token limit is rejected at sampling; one the engine's context cannot take is a failed sample, not a failed run", async () => {
      const env = cleanEnv({ SN11_DATA_DIR: tempDir() });
      const row = (card: string, i: number) => ({
        system_prompt: card,
        messages: (ROWS[i] as (typeof ROWS)[number]).messages,
      });
      // The tiny model's vocabulary is mostly bytes: about one token per character of this text.
      const noise = (n: number) => Array.from({ length: n }, (_, i) => "qzxv"[i % 4]).join("");
      const rows = [
        ...Array.from({ length: 9 }, (_, i) => row(`You are tavern keeper ${i}.`, i)),
        row(noise(9000), 9), // over the profile's 8192 tokens: the reference rejects it at sampling
        row(noise(3000), 10), // within 8192, beyond this engine's 2048-token context
      ];
      const mixed = join(tempDir(), "mixed.jsonl");
      writeFileSync(mixed, `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`);
      const run = await runInProcess(
        scoreArgs({ model, dataset: mixed, judgeUrl, samples: 11, maxTokens: 16 }, ["--verbose"]),
        { env },
      );
      expect(run.code, run.stderr).toBe(0);
      const card = JSON.parse(run.stdout);
      // One failed sample of ten: within the 10 % budget.
      expect(card).toMatchObject({ status: "COMPLETED", samples: 10, valid: 9, failed: 1 });
      expect(run.stderr).toContain("prompts over the token limit replaced");
      expect(run.stderr).toContain("generation refused: a failed sample");
      expect(run.stderr).toContain("asked for 11 samples; the dataset gives 10: the run uses 10");
    }, 120_000);

    it("an engine killed mid-generation is restarted and the requests in flight are sent again: COMPLETED, every sample kept", async () => {
      const dataDir = tempDir();
      const env = cleanEnv({ SN11_DATA_DIR: dataDir });
      const pidFile = join(dataDir, "llama-server.pid");
      let killed = 0;
      const generated = () => {
        const store = Store.open(dataDir);
        try {
          const [run] = store.scoreRuns.list(1);
          return run ? store.scoreRuns.samples(run.id).filter((r) => r.generation !== null).length : 0;
        } finally {
          store.close();
        }
      };
      const killer = setInterval(() => {
        if (killed > 0 || !existsSync(pidFile) || generated() < 2) return;
        const pid = Number(readFileSync(pidFile, "utf8").split(" ")[0]);
        try {
          process.kill(-pid, "SIGKILL");
          killed++;
        } catch {
          // not up yet
        }
      }, 50);
      try {
        const run = await runInProcess(
          scoreArgs({ model, dataset, judgeUrl, samples: 12, maxTokens: 48 }, ["--verbose"]),
          { env },
        );
        expect(killed).toBe(1);
        expect(run.code, run.stderr).toBe(0);
        expect(run.stderr).toContain("died; restarting it once");
        expect(JSON.parse(run.stdout)).toMatchObject({
          status: "COMPLETED",
          samples: 12,
          valid: 12,
          failed: 0,
        });
      } finally {
        clearInterval(killer);
      }
    }, 120_000);

    it("secrets stay contained: a judge that echoes the key gets it redacted in the store and the logs; the engine never sees it", async () => {
      const dataDir = tempDir();
      const secret = "sk-or-v1-0123456789abcdef";
      const echo = await judgeStandIn(judgeUrl, (_served, body, headers) =>
        /tavern keeper/.test(body)
          ? { status: 400, body: JSON.stringify({ error: "bad request", echo: headers.authorization }) }
          : "forward",
      );
      const pidFile = join(dataDir, "llama-server.pid");
      let engineEnv = "";
      const watcher = setInterval(() => {
        if (engineEnv || !existsSync(pidFile)) return;
        try {
          engineEnv = readFileSync(`/proc/${readFileSync(pidFile, "utf8").split(" ")[0]}/environ`, "utf8");
        } catch {
          // not up yet
        }
      }, 20);
      // A spawned engine inherits the process environment: the key is there, as in a real shell.
      const saved = { judge: process.env.SN11_JUDGE_API_KEY, openrouter: process.env.OPENROUTER_API_KEY };
      process.env.SN11_JUDGE_API_KEY = secret;
      process.env.OPENROUTER_API_KEY = secret;
      try {
        const run = await runInProcess(
          scoreArgs({ model, dataset, judgeUrl: echo.url, samples: 4, maxTokens: 8 }, ["--verbose"]),
          { env: cleanEnv({ SN11_DATA_DIR: dataDir, SN11_JUDGE_API_KEY: secret }) },
        );
        expect(run.code).toBe(70); // every verdict refused: FAILED
        expect(run.stderr).toMatch(/"error":\{"kind":"engine","message":"the evaluation FAILED: /);
        expect(run.stderr).toContain("[redacted]");
        expect(run.stderr + run.stdout).not.toContain(secret);
        expect(engineEnv).toContain("PATH=");
        expect(engineEnv).not.toContain(secret);
        expect(engineEnv).not.toMatch(/SN11_JUDGE_API_KEY|OPENROUTER_API_KEY/);
        for (const file of readdirSync(dataDir).filter((f) => f.startsWith("sn11.db"))) {
          expect(readFileSync(join(dataDir, file)).includes(secret), file).toBe(false);
        }
      } finally {
        clearInterval(watcher);
        await echo.stop();
        if (saved.judge === undefined) delete process.env.SN11_JUDGE_API_KEY;
        else process.env.SN11_JUDGE_API_KEY = saved.judge;
        if (saved.openrouter === undefined) delete process.env.OPENROUTER_API_KEY;
        else process.env.OPENROUTER_API_KEY = saved.openrouter;
      }
    }, 120_000);

    it("--deterministic: fresh runs give the same generations and the same card, and the card says so", async () => {
      const runOnce = async () => {
        const dataDir = tempDir();
        const run = await runInProcess(
          scoreArgs({ model, dataset, judgeUrl, samples: 8, maxTokens: 24 }, ["--deterministic"]),
          { env: cleanEnv({ SN11_DATA_DIR: dataDir }) },
        );
        expect(run.code, run.stderr).toBe(0);
        const store = Store.open(dataDir);
        try {
          const card = JSON.parse(run.stdout);
          return {
            card: { ...card, timings: null, run_id: null },
            generations: store.scoreRuns.samples(card.run_id).map((s) => s.generation),
          };
        } finally {
          store.close();
        }
      };
      const runs = [await runOnce(), await runOnce(), await runOnce()];
      expect(runs[0]?.card.engine.deterministic).toBe(true);
      for (const r of runs.slice(1)) {
        expect(r.generations).toEqual(runs[0]?.generations);
        expect(r.card).toEqual(runs[0]?.card);
      }
    }, 180_000);

    it("preflight: an unreachable judge is exit 69 and a refused key exit 78 naming the variable, before any generation", async () => {
      const env = cleanEnv({ SN11_DATA_DIR: tempDir() });
      const dead = await runInProcess(
        scoreArgs({ model, dataset, judgeUrl: "http://127.0.0.1:9/v1", samples: 6, maxTokens: 16 }),
        { env },
      );
      expect(dead.code).toBe(69);
      expect(dead.stderr).toContain("the judge at http://127.0.0.1:9/v1 is unreachable");
      // A judge that takes connections and never answers: --judge-timeout bounds each call.
      const silent = createServer(() => {});
      await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
      const t0 = Date.now();
      const hung = await runInProcess(
        scoreArgs(
          {
            model,
            dataset,
            judgeUrl: `http://127.0.0.1:${(silent.address() as { port: number }).port}/v1`,
            samples: 6,
            maxTokens: 16,
          },
          ["--judge-timeout", "1"],
        ),
        { env },
      );
      silent.closeAllConnections();
      silent.close();
      expect(hung.code).toBe(69);
      expect(Date.now() - t0).toBeLessThan(20_000);
      const locked = await judgeStandIn(judgeUrl, () => 401);
      try {
        const refused = await runInProcess(
          scoreArgs({ model, dataset, judgeUrl: locked.url, samples: 6, maxTokens: 16 }),
          { env },
        );
        expect(refused.code).toBe(78);
        expect(refused.stderr).toContain("the judge refused the key (HTTP 401");
        expect(refused.stderr).toContain("SN11_JUDGE_API_KEY");
        expect(locked.served()).toBe(1);
      } finally {
        await locked.stop();
      }
      // Nothing was generated: no run was even opened.
      const list = await runInProcess(["score", "--list", "--json"], { env });
      expect(JSON.parse(list.stdout)).toEqual([]);
    }, 60_000);

    it("prints the score card; the same command again reuses the cached verdicts and gives the same score", async () => {
      const env = cleanEnv({ SN11_DATA_DIR: tempDir(), SN11_JUDGE_PRICE: "2.5,10" });
      const run = await runInProcess(argv(), { env });
      expect(run.code, run.stderr).toBe(0);
      const card = JSON.parse(run.stdout);
      expect(Object.keys(card).slice(0, 17)).toEqual([
        "repo",
        "revision",
        "profile",
        "status",
        "reason",
        "seed",
        "samples",
        "valid",
        "failed",
        "skipped",
        "tally",
        "win_rate",
        "total_score",
        "engine",
        "generation",
        "judge",
        "timings",
      ]);
      // Every generation request carried the profile's sampling, explicitly; llama-server gets the
      // template's stop strings (it ignores stop ids).
      expect(card.generation).toMatchObject({
        max_tokens: 16,
        prompt_token_limit: 8192,
        top_p: 1,
        top_k: -1,
        min_p: 0,
        repetition_penalty: 1,
        presence_penalty: 0,
        frequency_penalty: 0,
        stop_token_ids: [],
      });
      expect(card.generation.temperature).toBeGreaterThanOrEqual(0);
      expect(card.generation.temperature).toBeLessThan(0.2);
      expect(card).toMatchObject({
        status: "COMPLETED",
        samples: 6,
        valid: 6,
        failed: 0,
        engine: { name: "llama-server" },
      });
      expect(card.revision).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(card.total_score).toBe(card.win_rate);
      const wins = Object.values(card.tally as Record<string, { generated: number }>).reduce(
        (s, t) => s + t.generated,
        0,
      );
      expect(card.win_rate).toBeCloseTo(wins / 18, 12);
      expect(card.judge.calls).toBe(6);
      expect(card.judge.cost_usd).toBeCloseTo(
        (card.judge.tokens_in * 2.5 + card.judge.tokens_out * 10) / 1e6,
        10,
      );
      expect(card.judge.cost_usd).toBeGreaterThan(0);

      const again = JSON.parse((await runInProcess([...argv(), "--fresh"], { env })).stdout);
      expect(again.judge.cached).toBe(6);
      expect(again.total_score).toBe(card.total_score);
      expect(again.tally).toEqual(card.tally);
      const list = JSON.parse((await runInProcess(["score", "--list", "--json"], { env })).stdout);
      expect(list).toHaveLength(2);
    }, 180_000);

    it("an interrupted run resumes from the last committed sample: no sample is generated twice", async () => {
      const dataDir = tempDir();
      const env = cleanEnv({ SN11_DATA_DIR: dataDir });
      const controller = new AbortController();
      // Abort once the first generations are committed.
      const stopper = setInterval(() => {
        const store = Store.open(dataDir);
        const runs = store.scoreRuns.list(1);
        const done = runs[0]
          ? store.scoreRuns.samples(runs[0].id).filter((s) => s.generation !== null).length
          : 0;
        store.close();
        if (done >= 2) controller.abort();
      }, 20);
      const first = await runInProcess(argv(["--max-tokens", "64"]), { env, signal: controller.signal });
      clearInterval(stopper);
      const store = Store.open(dataDir);
      const [run] = store.scoreRuns.list(1);
      const before = store.scoreRuns.samples(run?.id as number);
      store.close();
      if (first.code === 0) {
        // The machine was too fast to interrupt; the resume property is then trivially kept.
        expect(run?.status).toBe("COMPLETED");
        return;
      }
      expect(first.code).toBe(130);
      expect(run?.status).toBe("RUNNING");
      const resumed = await runInProcess(argv(["--max-tokens", "64"]), { env });
      expect(resumed.code, resumed.stderr).toBe(0);
      const card = JSON.parse(resumed.stdout);
      expect(card.resumed).toBe(true);
      expect(card.run_id).toBe(run?.id);
      const after = Store.open(dataDir);
      const samples = after.scoreRuns.samples(card.run_id);
      after.close();
      expect(samples).toHaveLength(6);
      for (const s of before.filter((b) => b.generation !== null)) {
        expect(samples.find((x) => x.idx === s.idx)?.generation).toBe(s.generation);
      }
      // A fresh uninterrupted run of the same inputs ends with the same score.
      const fresh = JSON.parse(
        (
          await runInProcess([...argv(["--max-tokens", "64"]), "--fresh"], {
            env: cleanEnv({ SN11_DATA_DIR: tempDir() }),
          })
        ).stdout,
      );
      expect(fresh.tally).toEqual(card.tally);
      expect(fresh.total_score).toBe(card.total_score);
    }, 240_000);

    it("the embedded engine (node-llama-cpp in process) scores the same model", async () => {
      const env = cleanEnv({ SN11_DATA_DIR: tempDir() });
      const run = await runInProcess(argv(["--engine", "embedded"]), { env });
      expect(run.code, run.stderr).toBe(0);
      const card = JSON.parse(run.stdout);
      expect(card).toMatchObject({ status: "COMPLETED", valid: 6, engine: { name: "embedded" } });
      expect(card.engine.version).toMatch(/^llama\.cpp /);
    }, 180_000);

    it("--engine vllm drives any OpenAI-compatible server at --engine-url (here a llama-server, no GPU)", async () => {
      const server = await startLocalJudge({ contextLength: 2048 });
      try {
        const env = cleanEnv({ SN11_DATA_DIR: tempDir() });
        const run = await runInProcess(argv(["--engine", "vllm", "--engine-url", server.base]), { env });
        expect(run.code, run.stderr).toBe(0);
        expect(JSON.parse(run.stdout)).toMatchObject({
          status: "COMPLETED",
          valid: 6,
          engine: { name: "vllm" },
        });
        const lone = await runInProcess(argv(["--engine", "vllm"]), { env });
        expect(lone.code).toBe(2);
        expect(lone.stderr).toContain("not a lone GGUF file");
      } finally {
        await server.stop();
      }
    }, 180_000);

    it("a local model directory scored as validators will see it: --as gives the seed, --gguf picks one of several GGUFs, the card names it", async () => {
      const env = cleanEnv({ SN11_DATA_DIR: tempDir() });
      const dir = tempDir("sn11-local-model-");
      copyFileSync(model, join(dir, "a-q8.gguf"));
      mkdirSync(join(dir, "alt"));
      copyFileSync(model, join(dir, "alt", "b-q4.gguf"));
      writeFileSync(
        join(dir, "tokenizer_config.json"),
        JSON.stringify({ bos_token: "<s>", eos_token: "</s>" }),
      );
      const sha = "0123456789abcdef0123456789abcdef01234567";
      const run = (extra: string[]) =>
        runInProcess(scoreArgs({ model: dir, dataset, judgeUrl, samples: 4, maxTokens: 8 }, extra), { env });

      const many = await run([]);
      expect(many.code).toBe(2);
      expect(many.stderr).toContain("has 2 GGUF files: a-q8.gguf, alt/b-q4.gguf");
      expect(many.stderr).toContain("--gguf FILE");
      const missing = await run(["--gguf", "c.gguf"]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain("--gguf c.gguf: no such GGUF file");
      const branch = await run(["--gguf", "b-q4.gguf", "--as", "alice/rp-mix@main"]);
      expect(branch.code).toBe(2);
      expect(branch.stderr).toContain("expected namespace/name@<40-hex commit sha>");

      const scored = await run(["--gguf", "b-q4.gguf", "--as", `alice/rp-mix@${sha}`]);
      expect(scored.code, scored.stderr).toBe(0);
      const card = JSON.parse(scored.stdout);
      // The identity validators will score it under: the same seed, so the same samples.
      expect(card).toMatchObject({
        repo: "alice/rp-mix",
        revision: sha,
        gguf: "alt/b-q4.gguf",
        seed: evaluationSeed("dippy-2025-03", "alice/rp-mix", sha),
        status: "COMPLETED",
      });
      const text = await runInProcess(["score", "--list"], { env });
      expect(text.stdout).toContain("alice/rp-mix");
    }, 120_000);

    it("without a judge or a template it says what is missing (exit 2)", async () => {
      const env = cleanEnv({ SN11_DATA_DIR: tempDir() });
      const noJudge = await runInProcess(
        ["score", model, "--chat-template", "chatml", "--dataset", dataset],
        { env },
      );
      expect(noJudge.code).toBe(2);
      expect(noJudge.stderr).toContain("no judge");
      const noTemplate = await runInProcess(["score", model], { env });
      expect(noTemplate.code).toBe(2);
      expect(noTemplate.stderr).toContain("--chat-template is required");
    });
  },
);

describe.skipIf(!HAS_LLAMA_SERVER)("sn11 score as a child process: kill -9 and signals", () => {
  let judge: Awaited<ReturnType<typeof startLocalJudge>> | null = null;
  beforeAll(async () => {
    judge = await startLocalJudge();
  }, 60_000);
  afterAll(async () => {
    await judge?.stop();
  });

  it("resumes after kill -9 at several points, leaves no engine behind, and scores like an uninterrupted run", async () => {
    const judgeUrl = judge?.url as string;
    const model = tinyModelPath({ seed: 5 });
    const dataset = writeDataset(ROWS);
    const args = (extra: string[] = []) =>
      scoreArgs({ model, dataset, judgeUrl, samples: 8, maxTokens: 48 }, [
        "--judge-concurrency",
        "1",
        ...extra,
      ]);
    const dataDir = tempDir();
    const env = cleanEnv({ SN11_DATA_DIR: dataDir });
    const committed = () => {
      const rows = newestRunSamples(dataDir);
      return {
        generations: rows.filter((r) => r.generation !== null).length,
        verdicts: rows.filter((r) => r.verdict !== null).length,
        rows: rows.length,
      };
    };
    // Kill once during generation and once during judging.
    let kills = 0;
    for (const point of [
      (c: ReturnType<typeof committed>) => c.generations >= 2,
      (c: ReturnType<typeof committed>) => c.verdicts >= 2,
    ]) {
      const child = spawn(process.execPath, [join(REPO_ROOT, "bin", "sn11.mjs"), ...args()], {
        env,
        stdio: "ignore",
      });
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      let killed = false;
      while (!killed) {
        await new Promise((r) => setTimeout(r, 25));
        const state = committed();
        if (point(state)) {
          child.kill("SIGKILL");
          killed = true;
          kills++;
        }
        if (child.exitCode !== null) break;
      }
      await exited;
    }
    expect(kills).toBeGreaterThan(0);
    const pidFile = join(dataDir, "llama-server.pid");
    const leftover = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").split(" ")[0]) : 0;
    const resumed = await runInProcess(args(), { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    const card = JSON.parse(resumed.stdout);
    if (leftover) expect(isProcessAlive(leftover)).toBe(false);
    expect(committed().rows).toBe(8);
    const fresh = JSON.parse(
      (await runInProcess(args(), { env: cleanEnv({ SN11_DATA_DIR: tempDir() }) })).stdout,
    );
    expect(card.tally).toEqual(fresh.tally);
    expect(card.total_score).toBe(fresh.total_score);
  }, 300_000);

  /** sn11 from the npm entry point as a child: its stderr so far, and its exit code once it ends. */
  const spawnSn11 = (args: string[], dataDir: string) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, "bin", "sn11.mjs"), ...args], {
      env: cleanEnv({ SN11_DATA_DIR: dataDir }),
      stdio: ["ignore", "ignore", "pipe"],
    });
    let text = "";
    child.stderr.on("data", (d) => {
      text += d;
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    return { child, stderr: () => text, exited };
  };
  const until = async (done: () => boolean, ms = 60_000) => {
    const deadline = Date.now() + ms;
    while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  };

  it("Ctrl-C mid-run says what was kept and how to resume, on its own line (exit 130)", async () => {
    const dataDir = tempDir();
    const dataset = join(tempDir(), "chats.jsonl");
    writeFileSync(dataset, `${ROWS.map((r) => JSON.stringify(r)).join("\n")}\n`);
    const args = scoreArgs({
      model: tinyModelPath({ seed: 11 }),
      dataset,
      judgeUrl: judge?.url as string,
      samples: 12,
      maxTokens: 64,
    }).filter((a) => a !== "--json");
    const { child, stderr, exited } = spawnSn11([...args, "--progress", "auto"], dataDir);
    const generations = () => newestRunSamples(dataDir).filter((r) => r.generation !== null).length;
    await until(() => generations() >= 1 || child.exitCode !== null);
    child.kill("SIGINT");
    expect(await exited, stderr()).toBe(130);
    expect(stderr()).toMatch(
      /(^|\n)error: cancelled: \d+ of 12 replies and \d+ verdicts kept — rerun the same command to resume/,
    );
  }, 120_000);

  it.each([
    ["SIGINT twice (the second exits at once)", ["SIGINT", "SIGINT"] as NodeJS.Signals[], 130],
    ["SIGHUP (a closed terminal), as SIGTERM", ["SIGHUP"] as NodeJS.Signals[], null],
    ["SIGTERM", ["SIGTERM"] as NodeJS.Signals[], null],
  ])(
    "%s: the spawned llama-server's process group is gone when sn11 has exited",
    async (_name, signals, code) => {
      const model = tinyModelPath({ seed: 7 });
      const dataset = join(tempDir(), "chats.jsonl");
      writeFileSync(dataset, `${ROWS.map((r) => JSON.stringify(r)).join("\n")}\n`);
      const dataDir = tempDir();
      const args = scoreArgs({
        model,
        dataset,
        judgeUrl: judge?.url as string,
        samples: 30,
        maxTokens: 64,
      }).map((a) => (a === LLAMA_SERVER ? pipeDeafLlamaServer() : a));
      const { child, stderr, exited } = spawnSn11(args, dataDir);
      const pidFile = join(dataDir, "llama-server.pid");
      await until(() => existsSync(pidFile) || child.exitCode !== null);
      expect(existsSync(pidFile), stderr()).toBe(true);
      const engine = Number(readFileSync(pidFile, "utf8").split(" ")[0]);
      expect(isProcessAlive(engine)).toBe(true);
      for (const signal of signals) child.kill(signal);
      const exitCode = await exited;
      if (code !== null) expect(exitCode, stderr()).toBe(code);
      else expect(exitCode, stderr()).not.toBe(1);
      const gone = Date.now() + 5_000;
      while (isProcessAlive(engine) && Date.now() < gone) await new Promise((r) => setTimeout(r, 20));
      expect(isProcessAlive(engine)).toBe(false);
    },
    120_000,
  );
});
