import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EngineError } from "../../src/errors.js";
import { LlamaServerEngine } from "../../src/eval/engines/llama-server.js";
import { Judge } from "../../src/eval/judge/judge.js";
import { judgeMessages } from "../../src/eval/judge/prompt.js";
import { createLogger } from "../../src/log.js";
import { isProcessAlive } from "../../src/process-alive.js";
import { tallyVerdicts } from "../../src/scoring/judge-score.js";
import { Store } from "../../src/store/store.js";
import { tempDir } from "../support/cli.js";
import { HAS_LLAMA_SERVER, LLAMA_SERVER, tinyModelPath } from "../support/engines/llama.js";
import { noteMissingShared } from "../support/shared.js";

noteMissingShared("the llama-server engine and judge tests");
const logger = createLogger({ write: () => true }, "silent");

const prompt = (text: string) => ({
  prompt: `user: ${text}\nassistant:`,
  maxTokens: 12,
  temperature: 0,
  seed: 1,
});

describe.skipIf(!HAS_LLAMA_SERVER)(
  "llama-server engine (real llama.cpp, tiny GGUF written by the test)",
  () => {
    const model = HAS_LLAMA_SERVER ? tinyModelPath() : "";
    const engine = () =>
      new LlamaServerEngine({
        binary: LLAMA_SERVER,
        model,
        threads: 1,
        contextSize: 512,
        parallel: 2,
        logger,
      });

    it("starts, answers its health probe, generates a batch deterministically, and stops its process group", async () => {
      const e = engine();
      await e.start();
      expect(await e.health()).toBe(true);
      expect(await e.version()).not.toBe("");
      const results = await e.generate([prompt("hello"), prompt("a room please"), prompt("hello")]);
      expect(results).toHaveLength(3);
      for (const r of results) {
        expect(r.completionTokens).toBeGreaterThan(0);
        expect(r.promptTokens).toBeGreaterThan(0);
      }
      expect(results[2]?.text).toBe(results[0]?.text);
      const pid = e.pid;
      await e.stop();
      expect(isProcessAlive(pid as number)).toBe(false);
      expect(await e.health()).toBe(false);
    });

    it("a server killed mid-run is restarted once; a second death is an engine error", async () => {
      const e = engine();
      await e.start();
      const first = e.pid as number;
      process.kill(-first, "SIGKILL");
      await new Promise((r) => setTimeout(r, 200));
      const results = await e.generate([prompt("again")]);
      expect(results).toHaveLength(1);
      const second = e.pid as number;
      expect(second).not.toBe(first);
      process.kill(-second, "SIGKILL");
      await new Promise((r) => setTimeout(r, 200));
      await expect(e.generate([prompt("once more")])).rejects.toBeInstanceOf(EngineError);
      await e.stop();
    });

    it("a missing model fails fast with the server's own words", async () => {
      const e = new LlamaServerEngine({
        binary: LLAMA_SERVER,
        model: "/nonexistent.gguf",
        threads: 1,
        logger,
        startTimeoutMs: 20_000,
      });
      await expect(e.start()).rejects.toThrow(/llama-server exited/);
    });
  },
);

describe.skipIf(!HAS_LLAMA_SERVER)(
  "the judge against llama-server with a JSON-schema response format",
  () => {
    const judgeEngine = HAS_LLAMA_SERVER
      ? new LlamaServerEngine({
          binary: LLAMA_SERVER,
          model: tinyModelPath({ contextLength: 8192 }),
          threads: 2,
          contextSize: 8192,
          parallel: 2,
          logger,
        })
      : null;
    let judgeUrl = "";
    /** A proxy in front of the real judge that answers the planned faults first, then forwards. */
    const faults: ("500" | "garbage")[] = [];
    let proxy: ReturnType<typeof createServer>;
    let proxyUrl = "";

    beforeAll(async () => {
      await judgeEngine?.start();
      judgeUrl = `http://127.0.0.1:${new URL((judgeEngine as unknown as { baseUrl: string }).baseUrl).port}`;
      proxy = createServer((req, res) => {
        const fault = faults.shift();
        if (fault === "500") {
          res.writeHead(500).end("overloaded");
          req.resume();
          return;
        }
        if (fault === "garbage") {
          req.resume();
          res
            .writeHead(200, { "Content-Type": "application/json" })
            .end(
              JSON.stringify({ choices: [{ message: { content: "I think the generated one is nicer." } }] }),
            );
          return;
        }
        const upstream = httpRequest(
          `${judgeUrl}${req.url}`,
          { method: req.method, headers: req.headers },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
        );
        req.pipe(upstream);
      });
      await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
      proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/v1`;
    }, 60_000);

    afterAll(async () => {
      await judgeEngine?.stop();
      proxy?.close();
    });

    const prompts = Array.from({ length: 4 }, (_, i) =>
      judgeMessages(`Card ${i}`, `Role: assistant\nContent: hi ${i}`, `Role: assistant\nContent: hello ${i}`),
    );

    it("returns a valid verdict for every comparison, and serves repeats from the cache", async () => {
      const store = Store.open(tempDir());
      const judge = new Judge({
        endpoints: [{ url: `${judgeUrl}/v1`, model: "tiny" }],
        logger,
        maxTokens: 1024,
        reasoningMaxLength: 8,
        cache: store.judgeVerdicts,
      });
      const first = await judge.judgeAll(prompts);
      expect(first.map((o) => o.error)).toEqual([null, null, null, null]);
      expect(first.every((o) => o.verdict && !o.cached && o.tokensIn > 0)).toBe(true);
      const again = await judge.judgeAll(prompts);
      expect(again.every((o) => o.cached)).toBe(true);
      expect(again.map((o) => o.verdict)).toEqual(first.map((o) => o.verdict));
      const score = tallyVerdicts(
        first.map((o) => o.verdict),
        0.1,
      );
      expect(score.valid).toBe(4);
      store.close();
    }, 120_000);

    it("retries 500s and unparseable answers, then counts a call that never succeeds as failed", async () => {
      const judge = new Judge({
        endpoints: [{ url: proxyUrl, model: "tiny" }],
        logger,
        maxTokens: 1024,
        reasoningMaxLength: 8,
        backoffMs: 10,
        attempts: 3,
      });
      faults.push("500", "garbage");
      const recovered = await judge.judge(prompts[0] ?? []);
      expect(recovered.verdict).not.toBeNull();
      faults.push("500", "garbage", "500");
      const failed = await judge.judge(prompts[1] ?? []);
      expect(failed.verdict).toBeNull();
      expect(failed.error).toContain("HTTP 500");
      // One failure in a run of two is over a 10 % budget.
      const score = tallyVerdicts([recovered.verdict, failed.verdict], 0.1);
      expect([score.valid, score.failed, score.overErrorBudget]).toEqual([1, 1, true]);
    }, 120_000);

    it("falls back to the next endpoint when the first is unreachable", async () => {
      const judge = new Judge({
        endpoints: [
          { url: "http://127.0.0.1:9/v1", model: "down" },
          { url: `${judgeUrl}/v1`, model: "tiny" },
        ],
        logger,
        maxTokens: 1024,
        reasoningMaxLength: 8,
        backoffMs: 10,
        attempts: 2,
      });
      const outcome = await judge.judge(prompts[2] ?? []);
      expect(outcome.verdict).not.toBeNull();
    }, 120_000);
  },
);
