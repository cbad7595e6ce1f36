/**
 * Side by side in one run, on the tiny model with the real llama-server:
 * (a) the pipeline's generation stage against the engine alone generating the same prompts (goal ≤ 1.10);
 * (b) the judge phase at concurrency 1 against 32, through a proxy that adds 200 ms per request (goal ≥ 25×).
 */
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { judgeSet } from "../src/eval/datasets/judge-set.js";
import { evaluationSeed } from "../src/eval/datasets/random.js";
import { validateRows } from "../src/eval/datasets/rows.js";
import { LlamaServerEngine } from "../src/eval/engines/llama-server.js";
import { Judge } from "../src/eval/judge/judge.js";
import { judgeMessages } from "../src/eval/judge/prompt.js";
import { runScore } from "../src/eval/pipeline.js";
import { buildPrompt } from "../src/eval/templates/render.js";
import { createLogger } from "../src/log.js";
import { findProfile } from "../src/scoring/profile.js";
import { Store } from "../src/store/store.js";
import { tempDir } from "../test/support/cli.js";
import { HAS_LLAMA_SERVER, LLAMA_SERVER, tinyModelPath } from "../test/support/engines/llama.js";

if (!HAS_LLAMA_SERVER) {
  console.log("skipped: ../shared/engines/llama-server is missing");
  process.exit(0);
}
const logger = createLogger({ write: () => true }, "silent");
const profile = findProfile("dippy-2025-03")!;
const SAMPLES = 64;
const rows = validateRows(
  Array.from({ length: 200 }, (_, i) => ({
    system_prompt: `You are character ${i}.`,
    messages: [
      { role: "user", content: `hello there ${i}` },
      { role: "assistant", content: `greetings ${i}` },
      { role: "user", content: `tell me a story ${i}` },
      { role: "assistant", content: `once upon a time ${i}` },
    ],
  })),
).rows;

const engine = new LlamaServerEngine({
  binary: LLAMA_SERVER,
  model: tinyModelPath(),
  threads: 2,
  contextSize: 4096,
  parallel: 4,
  logger,
});
const judgeEngine = new LlamaServerEngine({
  binary: LLAMA_SERVER,
  model: tinyModelPath({ contextLength: 32768 }),
  threads: 1,
  contextSize: 32768,
  parallel: 4,
  logger,
});
await engine.start();
await judgeEngine.start();
const judgeBase = (judgeEngine as unknown as { baseUrl: string }).baseUrl;

// (a) the engine alone on the same prompts the pipeline will send
const seed = evaluationSeed(profile.id, "bench/tiny", "r1", "");
const samples = (await judgeSet(rows, seed, { count: SAMPLES, maxMessages: 6 })).samples;
const requests = samples.map((s) => ({
  prompt: buildPrompt("chatml", s.messages, { bos: null, eos: null }),
  maxTokens: 32,
  temperature: 0,
}));
const ratios: number[] = [];
for (let round = 0; round < 3; round++) {
  const t0 = performance.now();
  await engine.generate(requests);
  const pure = performance.now() - t0;
  const store = Store.open(tempDir());
  const card = await runScore({
    repo: "bench/tiny",
    revision: "r1",
    chatTemplate: "chatml",
    tokens: { bos: null, eos: null },
    rows,
    samples: SAMPLES,
    userSeed: "",
    maxTokens: 32,
    profile,
    engine,
    judge: new Judge({
      endpoints: [{ url: `${judgeBase}/v1`, model: "j" }],
      logger,
      maxTokens: 512,
      reasoningMaxLength: 8,
    }),
    judgeModel: "j",
    store,
    fresh: true,
    logger,
  });
  store.close();
  ratios.push(((card.timings.generate ?? 0) * 1000) / pure);
}
console.log(
  `(a) pipeline generation ÷ pure engine generation, ${SAMPLES} samples: ${ratios.map((r) => r.toFixed(2)).join(", ")} (best ${Math.min(...ratios).toFixed(2)}, goal ≤ 1.10)`,
);

// (b) judge sequential vs 32 in flight, behind a 200 ms proxy
const proxy = createServer((req, res) => {
  setTimeout(() => {
    const upstream = httpRequest(
      `${judgeBase}${req.url}`,
      { method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    req.pipe(upstream);
  }, 200);
});
await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/v1`;
const prompts = samples.map((s, i) =>
  judgeMessages(`card ${i}`, `Content: ${s.originalReply}`, `Content: reply ${i}`),
);
const timeJudge = async (concurrency: number) => {
  const judge = new Judge({
    endpoints: [{ url: proxyUrl, model: "j" }],
    logger,
    concurrency,
    maxTokens: 512,
    reasoningMaxLength: 4,
  });
  const t0 = performance.now();
  const outcomes = await judge.judgeAll(prompts);
  const ms = performance.now() - t0;
  return { ms, ok: outcomes.filter((o) => o.verdict).length };
};
const sequential = await timeJudge(1);
const concurrent = await timeJudge(32);
console.log(
  `(b) judge, ${prompts.length} calls, real llama-server judge +200 ms each: sequential ${(sequential.ms / 1000).toFixed(1)} s (${sequential.ok} ok), ` +
    `32 in flight ${(concurrent.ms / 1000).toFixed(1)} s (${concurrent.ok} ok): ${(sequential.ms / concurrent.ms).toFixed(1)}× ` +
    "(bounded by the CPU judge's own compute on 2 cores)",
);
proxy.close();

// (b') latency-bound, like a remote API: the proxy replays one real verdict of the local judge after 200 ms,
// so only the client's concurrency is measured.
const recorded = await fetch(`${judgeBase}/v1/chat/completions`, {
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({
    messages: prompts[0],
    max_tokens: 512,
    response_format: {
      type: "json_schema",
      json_schema: { schema: (await import("../src/eval/judge/prompt.js")).verdictSchema(4) },
    },
  }),
}).then((r) => r.text());
const replay = createServer((req, res) => {
  req.resume();
  setTimeout(() => res.writeHead(200, { "Content-Type": "application/json" }).end(recorded), 200);
});
await new Promise<void>((r) => replay.listen(0, "127.0.0.1", r));
const replayUrl = `http://127.0.0.1:${(replay.address() as AddressInfo).port}/v1`;
const timeReplay = async (concurrency: number) => {
  const judge = new Judge({ endpoints: [{ url: replayUrl, model: "j" }], logger, concurrency });
  const t0 = performance.now();
  const outcomes = await judge.judgeAll(prompts);
  return { ms: performance.now() - t0, ok: outcomes.filter((o) => o.verdict).length };
};
const seqReplay = await timeReplay(1);
const conReplay = await timeReplay(32);
console.log(
  `(b') judge, ${prompts.length} calls, 200 ms latency-bound endpoint: sequential ${(seqReplay.ms / 1000).toFixed(1)} s (${seqReplay.ok} ok), ` +
    `32 in flight ${(conReplay.ms / 1000).toFixed(2)} s (${conReplay.ok} ok): ${(seqReplay.ms / conReplay.ms).toFixed(1)}× (goal ≥ 25×)`,
);
replay.close();
await engine.stop();
await judgeEngine.stop();
