import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { writeError } from "../error-output.js";
import { EXIT, UsageError } from "../errors.js";
import {
  createEngine,
  downloadModel,
  type EngineSettings,
  engineMismatch,
  engineRepoMismatch,
  ggufRun,
  isLlamaCpp,
  runEvaluation,
} from "../eval/evaluation.js";
import { localModelSource, type ModelSource, parseIdentity, pickGguf } from "../eval/model-source.js";
import type { ScoreCard } from "../eval/pipeline.js";
import { type ProgressEvent, progressPrinter } from "../eval/progress.js";
import { scoreRunFacts } from "../eval/score-run-facts.js";
import { verdictTone } from "../render/style.js";
import { fixed, outputWidth, renderTable } from "../render/table.js";
import { CHAT_TEMPLATES, findProfile } from "../scoring/profile.js";
import { defineCommand } from "./define.js";
import { engineOptions, evaluationOptions } from "./evaluation-options.js";

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
  ...engineOptions("llama-server"),
  ...evaluationOptions,
  fresh: z
    .boolean()
    .default(false)
    .describe(
      "start over instead of resuming an unfinished run (new generations; the judge's cached\nverdicts for identical prompts are still reused)",
    ),
  as: z
    .string()
    .optional()
    .describe(
      "score a local model as validators will see it once committed: its Hub identity\n(namespace/name@commit-sha) sets the seed and the samples",
    )
    .meta({ valueName: "ns/name@sha" }),
  gguf: z
    .string()
    .optional()
    .describe("the GGUF file to run when the model has several (llama.cpp engines)")
    .meta({ valueName: "file" }),
  list: z.boolean().default(false).describe("list past runs"),
  progress: z.enum(["auto", "json", "none"]).default("auto").describe("progress on stderr"),
});

export const scoreCommand = defineCommand({
  name: "score",
  uses: ["hub", "store", "profile"],
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
      const json = runs.map((r) => {
        const { win_rate: _, ...facts } = scoreRunFacts(r);
        return {
          id: r.id,
          repo: r.repo,
          profile: r.profile,
          // The validator daemon's evaluations are score runs too: which made this one.
          origin: r.origin,
          ...facts,
          // Runs of one repo differ by seed: its digest tells them apart in a table.
          seed_digest: createHash("sha256").update(r.seed).digest("hex").slice(0, 8),
        };
      });
      type Listed = (typeof json)[number];
      return {
        json,
        text: () =>
          runs.length === 0
            ? "no score runs yet"
            : renderTable<Listed>(
                [
                  { header: "id", value: (r) => String(r.id), align: "right" },
                  { header: "model", value: (r) => r.repo, shrink: 14 },
                  { header: "revision", value: (r) => r.revision.slice(0, 8) },
                  { header: "status", value: (r) => r.status, tone: (r) => verdictTone(r.status) },
                  { header: "by", value: (r) => (r.origin === "validate" ? "daemon" : "score") },
                  { header: "score", value: (r) => fixed(r.total_score, 4), align: "right" },
                  {
                    header: "n",
                    value: (r) => (r.samples === null ? "-" : String(r.samples)),
                    align: "right",
                  },
                  { header: "engine", value: (r) => r.engine ?? "-", drop: 2 },
                  { header: "dataset", value: (r) => r.dataset ?? "-", shrink: 10 },
                  { header: "seed", value: (r) => r.seed_digest, drop: 1 },
                  { header: "updated", value: (r) => r.updated_at.slice(5, 16).replace("T", " "), drop: 3 },
                ],
                json,
                { width: outputWidth(ctx.stdout) },
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
    // Engine, judge and dataset are checked before anything is downloaded or generated.
    const { preflightEvaluation } = await import("../eval/preflight.js");
    const preflight = await preflightEvaluation({
      config,
      profile,
      store,
      engine: opts,
      judge: opts,
      dataset: opts.dataset,
      cwd: ctx.cwd,
      logger: ctx.logger,
      signal: ctx.signal,
    });
    // The judge the preflight asked (it remembers whether the endpoint takes structured output).
    const { judgeClient: judge } = preflight;
    const judgeModel = preflight.judge.model;

    const onProgress = progressPrinter(opts.progress, ctx.stderr);
    const source = await resolveModel(target, opts, ctx, onProgress);
    const rows = preflight.rows;
    const mismatch = engineMismatch(source, opts);
    if (mismatch) throw new UsageError(mismatch);
    const engine = await createEngine(source, opts, {
      profile,
      userSeed: opts.seed,
      dataDir: config.dataDir,
      npmRegistry: config.npmRegistry,
      logger: ctx.logger,
      cleanup: ctx.cleanup,
      onProgress,
      engineVersion: preflight.engine.version,
    });
    const card = await runEvaluation({
      source,
      gguf: ggufRun(source, opts),
      chatTemplate: opts.chatTemplate,
      engine,
      judge,
      judgeModel,
      rows,
      settings: opts,
      profile,
      store,
      fresh: opts.fresh,
      logger: ctx.logger,
      signal: ctx.signal,
      onProgress,
    });
    if (card.status === "FAILED") {
      // A FAILED card is a result (printed on stdout) and an error all the same: say it the same way.
      writeError(ctx.stderr, ctx.globals.json, {
        kind: "engine",
        message: `the evaluation FAILED: ${card.reason ?? "unknown reason"}`,
        hint: "rerun the same command to ask the judge again for the failed verdicts (the others are cached)",
      });
    }
    return {
      json: card,
      text: () => scoreCardText(card, ctx.loaded.config.judgePrice !== undefined),
      exitCode: card.status === "COMPLETED" ? EXIT.ok : EXIT.engine,
    };
  },
});

async function resolveModel(
  target: string,
  opts: { revision: string; as?: string; gguf?: string } & Pick<EngineSettings, "engine" | "engineUrl">,
  ctx: Parameters<typeof scoreCommand.run>[1],
  onProgress: (e: ProgressEvent) => void,
): Promise<ModelSource> {
  const local = resolve(ctx.cwd, target);
  if (target.startsWith(".") || target.startsWith("/") || target.endsWith(".gguf") || existsSync(local)) {
    const source = await localModelSource(local, {
      gguf: opts.gguf,
      as: opts.as === undefined ? undefined : parseIdentity(opts.as),
    });
    if (opts.as !== undefined && !source.dir) {
      ctx.logger.warn(
        "a lone .gguf has no tokenizer_config.json: prompts get no BOS/EOS strings, unlike the validators' (score the model directory instead)",
      );
    }
    return source;
  }
  if (opts.as !== undefined)
    throw new UsageError("--as names a local model's Hub identity; a Hub repo has its own", {
      hint: `sn11 score ./model-dir --as ${target}@<commit sha>`,
    });
  const hub = await ctx.hub();
  const inspection = await hub.inspect(target, opts.revision);
  const unfit = engineRepoMismatch(target, inspection.files, opts);
  if (unfit) throw new UsageError(unfit, { hint: "--engine vllm loads safetensors (on a GPU)" });
  // Several GGUFs and no --gguf: asked before gigabytes are downloaded.
  if (isLlamaCpp(opts))
    pickGguf(
      inspection.files.map((f) => f.path),
      opts.gguf,
      "refuse",
      target,
    );
  const { source, release } = await downloadModel(target, inspection, {
    config: ctx.loaded.config,
    store: ctx.store(),
    cacheBudgetBytes: null,
    logger: ctx.logger,
    signal: ctx.signal,
    onProgress,
    gguf: opts.gguf,
    ggufOnly: isLlamaCpp(opts),
  });
  ctx.cleanup.add("model cache", release);
  return source;
}

/** The judge's cost as known: none without a price (SN11_JUDGE_PRICE), rather than a misleading $0. */
function costText(card: ScoreCard, priced: boolean): string {
  if (!priced && card.judge.calls > 0) return "cost unknown (set SN11_JUDGE_PRICE)";
  return `$${card.judge.cost_usd.toFixed(4)}`;
}

function scoreCardText(card: ScoreCard, priced: boolean): string {
  const rows = Object.entries(card.tally).map(([criterion, t]) => ({ criterion, ...t }));
  return [
    `${card.repo} @ ${card.revision} · profile ${card.profile} · ${card.status}${card.reason ? ` (${card.reason})` : ""}`,
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
    `engine ${card.engine.name} ${card.engine.version}${card.gguf ? ` running ${card.gguf}` : ""} · judge ${card.judge.model}: ${card.judge.calls} calls, ${card.judge.cached} cached, ${card.judge.tokens_in}/${card.judge.tokens_out} tokens, ${costText(card, priced)}`,
    `time ${Object.entries(card.timings)
      .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
      .join(", ")}${card.resumed ? " · resumed" : ""}`,
    // Its own line, newlines shown as escapes: the whole seed, copyable, without wrapping the rest.
    `seed ${JSON.stringify(card.seed)}`,
  ].join("\n");
}
