import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import { EXIT, UsageError } from "../errors.js";
import { validateRows } from "../eval/datasets/rows.js";
import { findGguf, localModelSource, type ModelSource, tokensOf } from "../eval/model-source.js";
import type { ScoreCard } from "../eval/pipeline.js";
import type { ProgressEvent } from "../eval/progress.js";
import { renderTable } from "../render/table.js";
import { CHAT_TEMPLATES, findProfile } from "../scoring/profile.js";
import { defineCommand } from "./define.js";

const options = z.object({
  revision: z
    .string()
    .min(1)
    .default("main")
    .describe("branch, tag or commit of a Hub repo")
    .meta({ valueName: "rev" }),
  chatTemplate: z
    .enum(CHAT_TEMPLATES)
    .optional()
    .describe("the chat template to render prompts with")
    .meta({ valueName: "name" }),
  engine: z
    .enum(["llama-server", "embedded", "vllm"])
    .default("llama-server")
    .describe("inference engine (embedded: llama.cpp in process)"),
  engineUrl: z
    .string()
    .optional()
    .describe("use an already running engine at this URL")
    .meta({ valueName: "url" }),
  engineBin: z
    .string()
    .default("llama-server")
    .describe("the engine binary to spawn")
    .meta({ valueName: "path" }),
  threads: z.coerce.number().int().min(1).max(256).default(2).describe("CPU threads for llama.cpp"),
  contextSize: z.coerce.number().int().min(256).default(8192).describe("engine context size (tokens)"),
  dataset: z
    .string()
    .min(1)
    .default("api")
    .describe("FILE (JSON/JSONL), hf:REPO or api")
    .meta({ valueName: "source" }),
  samples: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .describe("conversations to judge (default: the profile's 512)"),
  seed: z.string().default("").describe("extra seed text (the default seed is the model's identity)"),
  maxTokens: z.coerce.number().int().positive().default(1024).describe("tokens to generate per reply"),
  judgeUrl: z
    .string()
    .optional()
    .describe("judge base URL (OpenAI-compatible; or SN11_JUDGE_URL)")
    .meta({ valueName: "url" }),
  judgeModel: z
    .string()
    .optional()
    .describe("judge model (default: the profile's)")
    .meta({ valueName: "name" }),
  judgeConcurrency: z.coerce.number().int().min(1).max(256).default(32).describe("judge calls in flight"),
  judgeMaxReasoning: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .describe("bound the judge's reasoning strings (local judges)"),
  fresh: z.boolean().default(false).describe("start over instead of resuming an unfinished run"),
  list: z.boolean().default(false).describe("list past runs"),
  progress: z.enum(["auto", "json", "none"]).default("auto").describe("progress on stderr"),
});

export const scoreCommand = defineCommand({
  name: "score",
  summary: "evaluate one model locally: generate, judge, score (resumable)",
  description:
    "Runs the full evaluation of one model on this machine: seeded conversations from the dataset, rendered\n" +
    "with the chat template, a reply generated for each, the judge comparing it with the original, the score.\n" +
    "Every finished sample is committed to the store; running the same command again resumes.",
  examples: [
    "sn11 score ./tiny.gguf --chat-template chatml --dataset chats.jsonl --engine-bin llama-server --judge-url http://127.0.0.1:8080/v1",
    "sn11 score --list",
  ],
  arguments: [
    {
      name: "model",
      description: "namespace/name on the Hub, a local directory or a .gguf file",
      required: false,
    },
  ],
  options,
  async run({ args, options: opts }, ctx) {
    const store = ctx.store();
    if (opts.list) {
      const runs = store.scoreRuns.list(50);
      const json = runs.map((r) => ({
        id: r.id,
        repo: r.repo,
        revision: r.revision,
        profile: r.profile,
        status: r.status,
        updated_at: r.updatedAt,
        total_score: (r.result as ScoreCard | null)?.total_score ?? null,
      }));
      return {
        json,
        text: () =>
          runs.length === 0
            ? "no score runs yet"
            : renderTable(
                [
                  { header: "id", value: (r: (typeof json)[number]) => String(r.id), align: "right" },
                  { header: "model", value: (r) => r.repo },
                  { header: "revision", value: (r) => r.revision.slice(0, 19) },
                  { header: "status", value: (r) => r.status },
                  {
                    header: "score",
                    value: (r) => (r.total_score === null ? "-" : r.total_score.toFixed(4)),
                    align: "right",
                  },
                  { header: "updated", value: (r) => r.updated_at.slice(0, 19).replace("T", " ") },
                ],
                json,
              ),
      };
    }
    const target = args[0];
    if (!target)
      throw new UsageError("give the model to score", {
        hint: "sn11 score ./model.gguf --chat-template chatml",
      });
    if (!opts.chatTemplate)
      throw new UsageError("--chat-template is required", { hint: `one of ${CHAT_TEMPLATES.join(", ")}` });
    const profile = findProfile(ctx.loaded.config.profile);
    if (!profile) throw new Error(`unknown profile ${ctx.loaded.config.profile}`);
    const config = ctx.loaded.config;
    const judgeUrls = (opts.judgeUrl ?? config.judgeUrl ?? "").split(",").filter(Boolean);
    if (judgeUrls.length === 0) {
      throw new UsageError("no judge: pass --judge-url or set SN11_JUDGE_URL", {
        hint: "any OpenAI-compatible endpoint: OpenRouter, Azure OpenAI, a local vLLM or llama-server",
      });
    }

    const onProgress = progressPrinter(opts.progress, ctx.stderr);
    const source = await resolveModel(target, opts.revision, ctx, onProgress);

    const rows = await loadDataset(opts.dataset, ctx);
    const validated = validateRows(rows);
    if (validated.bad > 0)
      ctx.logger.warn({ bad: validated.bad, examples: validated.firstProblems }, "dataset rows skipped");

    const { LlamaServerEngine } = await import("../eval/engines/llama-server.js");
    const { EmbeddedEngine } = await import("../eval/engines/embedded.js");
    const needsGguf = opts.engine !== "vllm" && !opts.engineUrl;
    if (needsGguf && !source.gguf) {
      throw new UsageError(`${target} has no GGUF file`, {
        hint: "the llama.cpp engines load GGUF models; --engine vllm loads safetensors",
      });
    }
    if (opts.engine === "vllm" && !opts.engineUrl && !source.dir) {
      throw new UsageError("--engine vllm loads a model directory or Hub repo, not a lone GGUF file");
    }
    const { vllmServeArgs } = await import("../eval/engines/vllm.js");
    if (opts.engine === "vllm" && !opts.engineUrl) {
      const { checkFreeVram } = await import("../eval/engines/gpu.js");
      const gpu = await checkFreeVram(0.9);
      ctx.logger.debug({ gpu }, gpu ? "GPU memory checked" : "no nvidia-smi: GPU memory not checked");
    }
    const { evaluationSeed } = await import("../eval/datasets/random.js");
    const { runScore, samplingParameters } = await import("../eval/pipeline.js");
    // The server's default seed is the one the pipeline sends with every request.
    const { engineSeed } = samplingParameters(
      evaluationSeed(profile.id, source.repo, source.revision, opts.seed),
    );
    const engine =
      opts.engine === "embedded"
        ? new EmbeddedEngine({
            model: source.gguf as string,
            threads: opts.threads,
            contextSize: opts.contextSize,
            logger: ctx.logger,
          })
        : new LlamaServerEngine({
            url: opts.engineUrl,
            binary: opts.engine === "vllm" && opts.engineBin === "llama-server" ? "vllm" : opts.engineBin,
            model: (opts.engine === "vllm" ? source.dir : source.gguf) ?? undefined,
            threads: opts.threads,
            contextSize: opts.contextSize,
            // vLLM batches the profile's sequences in flight; a CPU llama-server is kept to a few slots.
            parallel:
              opts.engine === "vllm"
                ? profile.generation.maxSequencesInFlight
                : Math.min(profile.generation.maxSequencesInFlight, 4),
            pidFile: join(config.dataDir, `${opts.engine}.pid`),
            ...(opts.engine === "vllm"
              ? {
                  startTimeoutMs: 30 * 60_000,
                  launch: {
                    name: "vllm",
                    args: (port: number) =>
                      vllmServeArgs({ model: source.dir as string, port, profile, seed: engineSeed }),
                  },
                }
              : {}),
            logger: ctx.logger,
            onSpawn: (stop) => ctx.cleanup.add("engine", stop),
          });
    const { Judge } = await import("../eval/judge/judge.js");
    const [input, output] = (config.judgePrice ?? "").split(",").map(Number);
    const price = config.judgePrice ? { input: input as number, output: output as number } : null;
    const judgeModel = opts.judgeModel ?? config.judgeModel ?? profile.judge.model;
    const judge = new Judge({
      endpoints: judgeUrls.map((url) => ({
        url,
        model: judgeModel,
        apiKey: config.judgeApiKey,
        ...(price ? { pricePerMillion: price } : {}),
      })),
      logger: ctx.logger,
      concurrency: opts.judgeConcurrency,
      cache: store.judgeVerdicts,
      reasoningMaxLength: opts.judgeMaxReasoning,
    });
    await engine.start(ctx.signal);
    let card: ScoreCard;
    try {
      card = await runScore({
        repo: source.repo,
        revision: source.revision,
        chatTemplate: opts.chatTemplate,
        tokens: source.tokens,
        rows: validated.rows,
        samples: opts.samples ?? profile.judge.samples,
        userSeed: opts.seed,
        maxTokens: opts.maxTokens,
        profile,
        engine,
        judge,
        judgeModel,
        store,
        fresh: opts.fresh,
        logger: ctx.logger,
        signal: ctx.signal,
        onProgress,
      });
    } finally {
      await engine.stop();
    }
    return {
      json: card,
      text: () => scoreCardText(card),
      exitCode: card.status === "COMPLETED" ? EXIT.ok : EXIT.engine,
    };
  },
});

async function resolveModel(
  target: string,
  revision: string,
  ctx: Parameters<typeof scoreCommand.run>[1],
  onProgress: (e: ProgressEvent) => void,
): Promise<ModelSource> {
  const local = resolve(ctx.cwd, target);
  if (target.startsWith(".") || target.startsWith("/") || target.endsWith(".gguf") || existsSync(local)) {
    return localModelSource(local);
  }
  const { ModelCache } = await import("../eval/hub/cache.js");
  const { downloadSnapshot } = await import("../eval/hub/download.js");
  const hub = await ctx.hub();
  const inspection = await hub.inspect(target, revision);
  const sha = inspection.sha as string;
  const cache = new ModelCache(join(ctx.loaded.config.dataDir, "models"), ctx.store().modelCache, null);
  const dir = await downloadSnapshot(target, sha, inspection.files, {
    endpoint: ctx.loaded.config.hfEndpoint,
    token: ctx.loaded.config.hfToken,
    cache,
    logger: ctx.logger,
    signal: ctx.signal,
    onProgress,
  });
  ctx.cleanup.add("model cache", () => cache.release(target, sha));
  return { repo: target, revision: sha, gguf: findGguf(dir), dir, tokens: tokensOf(dir) };
}

async function loadDataset(source: string, ctx: Parameters<typeof scoreCommand.run>[1]): Promise<unknown[]> {
  const config = ctx.loaded.config;
  // Loaded on demand: the Hub client and the parquet reader are only needed here.
  const { fetchDippyApiRows, fetchHubDatasetRows, readLocalRows } = await import(
    "../eval/datasets/sources.js"
  );
  if (source === "api") {
    if (!config.datasetApiUrl) {
      throw new UsageError("--dataset api needs the dataset API's URL", {
        hint: "set SN11_DATASET_API_URL, or pass --dataset FILE or hf:REPO",
      });
    }
    const today = new Date().toISOString().slice(0, 10).replaceAll("-", "");
    return fetchDippyApiRows({
      url: config.datasetApiUrl,
      token: config.datasetApiToken,
      startDate: "20241201",
      endDate: today,
      limit: 2048,
      signal: ctx.signal,
    });
  }
  if (source.startsWith("hf:")) {
    return fetchHubDatasetRows({ endpoint: config.hfEndpoint, token: config.hfToken, repo: source.slice(3) });
  }
  return readLocalRows(resolve(ctx.cwd, source));
}

function progressPrinter(
  mode: "auto" | "json" | "none",
  stderr: { write(s: string): unknown; isTTY?: boolean },
) {
  let last = "";
  return (event: ProgressEvent) => {
    if (mode === "none" || (mode === "auto" && !stderr.isTTY)) return;
    if (mode === "json") {
      stderr.write(`${JSON.stringify(event)}\n`);
      return;
    }
    const line = `${event.stage}: ${event.done}/${event.total}${event.detail ? ` ${event.detail}` : ""}`;
    if (line !== last) stderr.write(`\r${line.padEnd(60)}${event.done >= event.total ? "\n" : ""}`);
    last = line;
  };
}

function scoreCardText(card: ScoreCard): string {
  const rows = Object.entries(card.tally).map(([criterion, t]) => ({ criterion, ...t }));
  return [
    `${card.repo} @ ${card.revision.slice(0, 19)} · profile ${card.profile} · ${card.status}${card.reason ? ` (${card.reason})` : ""}`,
    "",
    renderTable(
      [
        { header: "criterion", value: (r: (typeof rows)[number]) => r.criterion },
        { header: "generated", value: (r) => String(r.generated), align: "right" },
        { header: "original", value: (r) => String(r.original), align: "right" },
        { header: "tie", value: (r) => String(r.tie), align: "right" },
      ],
      rows,
    ),
    "",
    `samples ${card.samples} · valid ${card.valid} · failed ${card.failed}`,
    `win rate ${card.win_rate.toFixed(4)} · total score ${card.total_score.toFixed(4)}`,
    `engine ${card.engine.name} ${card.engine.version} · judge ${card.judge.model}: ${card.judge.calls} calls, ${card.judge.cached} cached, ${card.judge.tokens_in}/${card.judge.tokens_out} tokens, $${card.judge.cost_usd.toFixed(4)}`,
    `seed ${JSON.stringify(card.seed)} · time ${Object.entries(card.timings)
      .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
      .join(", ")}${card.resumed ? " · resumed" : ""}`,
  ].join("\n");
}
