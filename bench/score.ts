/**
 * Side by side in one run, on the tiny model with the real llama-server:
 * (a) the pipeline's generation stage against the engine alone sending identical requests, paired and
 *     alternating, min/median/max of the ratio (goal: median ≤ 1.10);
 * (b) the judge phase at concurrency 1 against 32, through a proxy that adds 200 ms per request to the
 *     real CPU judge (informative: bounded by that judge's compute);
 * (b') the same against a latency-bound endpoint, 512 calls (goal ≥ 25×).
 */
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { judgeSet } from "../src/eval/datasets/judge-set.js";
import { evaluationSeed } from "../src/eval/datasets/random.js";
import { validateRows } from "../src/eval/datasets/rows.js";
import { LlamaServerEngine } from "../src/eval/engines/llama-server.js";
import { Judge } from "../src/eval/judge/judge.js";
import { judgeMessages, verdictSchema } from "../src/eval/judge/prompt.js";
import { runScore, samplingParameters } from "../src/eval/pipeline.js";
import { buildPrompt, stopTokens } from "../src/eval/templates/render.js";
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

/** One real verdict of the local judge, as its HTTP body: what the replaying judges below answer with. */
const recordVerdict = (messages: readonly { role: string; content: string }[]) =>
  fetch(`${judgeBase}/v1/chat/completions`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      messages,
      max_tokens: 512,
      response_format: {
        type: "json_schema",
        json_schema: { schema: verdictSchema(4) },
      },
    }),
  }).then((r) => r.text());

// A judge that answers at once with one real verdict of the local judge: (a) times generation only.
const quickVerdict = await recordVerdict([{ role: "user", content: "verdict" }]);
const instant = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { "Content-Type": "application/json" }).end(quickVerdict);
});
await new Promise<void>((r) => instant.listen(0, "127.0.0.1", r));
const instantUrl = `http://127.0.0.1:${(instant.address() as AddressInfo).port}/v1`;

// (a) the pipeline's generation stage against the engine alone sending the very requests the pipeline
// sends: the same prompts, temperature, seed, stop strings, sampling and max_tokens (clamped as the
// pipeline clamps it), paired and alternating which runs first.
const MAX_TOKENS = 32;
const PAIRS = 12;
const seed = evaluationSeed(profile.id, "bench/tiny", "r1", "");
const samples = (await judgeSet(rows, seed, { count: SAMPLES, maxMessages: 6 })).samples;
const { temperature, engineSeed } = samplingParameters(seed, profile);
const stop = stopTokens("chatml");
const requests = await Promise.all(
  samples.map(async (s) => {
    const prompt = buildPrompt("chatml", s.messages, { bos: null, eos: null });
    const promptTokens = await engine.countTokens(prompt);
    const room = promptTokens === null ? MAX_TOKENS : engine.contextTokens - promptTokens;
    return {
      prompt,
      maxTokens: Math.min(MAX_TOKENS, room),
      temperature,
      seed: engineSeed,
      stop: engine.takesStopTokenIds ? [] : [...stop.strings],
      stopTokenIds: engine.takesStopTokenIds ? [...stop.ids] : [],
      sampling: profile.generation.sampling,
    };
  }),
);
const pure = async () => {
  const t0 = performance.now();
  await engine.generate(requests);
  return performance.now() - t0;
};
const throughPipeline = async () => {
  const store = Store.open(tempDir());
  try {
    const card = await runScore({
      repo: "bench/tiny",
      revision: "r1",
      chatTemplate: "chatml",
      tokens: { bos: null, eos: null },
      rows,
      samples: SAMPLES,
      userSeed: "",
      maxTokens: MAX_TOKENS,
      profile,
      engine,
      judge: new Judge({ endpoints: [{ url: instantUrl, model: "j" }], logger }),
      judgeModel: "j",
      store,
      fresh: true,
      logger,
    });
    return (card.timings.generate ?? 0) * 1000;
  } finally {
    store.close();
  }
};
const ratios: number[] = [];
for (let pair = 0; pair < PAIRS; pair++) {
  if (pair % 2 === 0) {
    const p = await pure();
    ratios.push((await throughPipeline()) / p);
  } else {
    const piped = await throughPipeline();
    ratios.push(piped / (await pure()));
  }
}
const sorted = [...ratios].sort((x, y) => x - y);
const median = sorted[Math.floor(sorted.length / 2)] as number;
console.log(
  `(a) pipeline generation ÷ the engine alone, the same ${SAMPLES} requests, ${PAIRS} pairs alternating: ` +
    `min ${(sorted[0] as number).toFixed(2)} · median ${median.toFixed(2)} (goal ≤ 1.10: ${median <= 1.1 ? "ok" : "OVER"}) · max ${(sorted.at(-1) as number).toFixed(2)}`,
);
instant.close();

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
const recorded = await recordVerdict(prompts[0] as (typeof prompts)[number]);
const replay = createServer((req, res) => {
  req.resume();
  setTimeout(() => res.writeHead(200, { "Content-Type": "application/json" }).end(recorded), 200);
});
await new Promise<void>((r) => replay.listen(0, "127.0.0.1", r));
const replayUrl = `http://127.0.0.1:${(replay.address() as AddressInfo).port}/v1`;
// The figure the goal is defined on: a full evaluation's 512 judge calls.
const prompts512 = Array.from(
  { length: 512 },
  (_, i) => prompts[i % prompts.length] as (typeof prompts)[number],
);
const timeReplay = async (concurrency: number) => {
  const judge = new Judge({ endpoints: [{ url: replayUrl, model: "j" }], logger, concurrency });
  const t0 = performance.now();
  const outcomes = await judge.judgeAll(prompts512);
  const failed = outcomes.find((o) => !o.verdict);
  if (failed) throw new Error(`the replayed verdict did not parse: ${failed.error}`);
  return { ms: performance.now() - t0, ok: outcomes.length };
};
const seqReplay = await timeReplay(1);
console.log(`(b') sequential: ${(seqReplay.ms / 1000).toFixed(1)} s for ${prompts512.length} calls`);
const conReplay = await timeReplay(32);
console.log(
  `(b') judge, ${prompts512.length} calls, 200 ms latency-bound endpoint: sequential ${(seqReplay.ms / 1000).toFixed(1)} s (${seqReplay.ok} ok), ` +
    `32 in flight ${(conReplay.ms / 1000).toFixed(2)} s (${conReplay.ok} ok): ${(seqReplay.ms / conReplay.ms).toFixed(1)}× (goal ≥ 25×)`,
);
replay.close();
await engine.stop();
await judgeEngine.stop();
