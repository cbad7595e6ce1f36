import { z } from "zod";
import { readHotkeyAddress } from "../chain/wallet-files.js";
import { writeError } from "../error-output.js";
import { CancelledError, ConfigError, EXIT, UsageError } from "../errors.js";
import { replayText } from "../render/replay.js";
import { findProfile } from "../scoring/profile.js";
import { replayToJson } from "../scoring/replay.js";
import {
  type Banner,
  bannerLines,
  evaluationJson,
  evaluationLine,
  stepJson,
  stepLines,
} from "../validator/report.js";
import { VALIDATOR_SETTINGS } from "../validator/settings.js";
import type { StepResult } from "../validator/step.js";
import type { JobReport } from "../validator/worker.js";
import { defineCommand } from "./define.js";
import { scoreUrlOption } from "./evaluation-options.js";
import { checkWorkerOptions, evaluationWorkers, gpuGroupsOf, workerOptions } from "./evaluation-workers.js";

const options = z.object({
  once: z.boolean().default(false).describe("evaluate what is due, run one step, exit"),
  dryRun: z.boolean().default(false).describe("do everything except send weights; print what would be sent"),
  commitReveal: z
    .enum(["timelock", "hash"])
    .default("timelock")
    .describe(
      "on a commit-reveal subnet: drand-timelocked commits the chain reveals (as the SDK), or hash commits\n" +
        "that sn11 reveals in the reveal epoch (for runtimes that refuse timelocked commits; keep it running)",
    ),
  offline: z.boolean().default(false).describe("never write to the chain (no wallet needed)"),
  immediate: z.boolean().default(false).describe("step now, then keep the schedule"),
  scoreSource: z
    .enum(["local", "remote"])
    .default("local")
    .describe("local: evaluate here; remote: mirror the reference's score API"),
  scoreUrl: scoreUrlOption("the score API for --score-source remote"),
  ...workerOptions("vllm"),
  evaluate: z
    .boolean()
    .default(true)
    .describe("evaluate nothing here: sn11 worker boxes do, on the --store this daemon shares with them"),
  every: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .describe("step every N seconds instead of the profile's UTC windows (test networks)")
    .meta({ valueName: "seconds" }),
  syncEvery: z.coerce
    .number()
    .int()
    .min(1)
    .default(VALIDATOR_SETTINGS.syncEveryMs / 1000)
    .describe("read the chain for new commitments every N seconds between steps")
    .meta({ valueName: "seconds" }),
  metricsPort: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .optional()
    .describe("serve Prometheus /metrics and /healthz on this port (0: any free port)")
    .meta({ valueName: "port" }),
  metricsHost: z.string().default("127.0.0.1").describe("address the metrics server binds"),
  consensusWarnBelow: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(0.8)
    .describe(
      "warn when a step's weights would keep less than this share after Yuma's clip (sn11 consensus explains)",
    )
    .meta({ valueName: "share" }),
});

/**
 * `--once` says how its one pass went: 69 when the step could not read the chain (or the remote scores), 70
 * when an evaluation ended in ERROR (this validator's engine, judge or Hub), 0 when the step completed.
 * A step the chain refused (the rate limit, say) completed: its reason is in the output.
 */
export function onceExitCode(
  step: Pick<StepResult, "outcome" | "chainError"> | null,
  evaluations: readonly Pick<JobReport, "outcome">[],
): number {
  if (step?.outcome === "skipped" || step?.chainError) return EXIT.network;
  if (evaluations.some((e) => e.outcome === "ERROR")) return EXIT.engine;
  return EXIT.ok;
}

export const validateCommand = defineCommand({
  name: "validate",
  uses: ["chain", "wallet", "store", "shared", "hub", "profile"],
  configurable: true,
  description:
    "The validator daemon. Each step (once per 20-minute UTC window, as the reference) reads the metagraph and\n" +
    "commitments at one finalized block, applies the registry rules, takes every model's score from the local\n" +
    "store and sets the weights the reference would. Between steps, queued models are evaluated on this machine\n" +
    "(one at a time per GPU); a restart after a crash continues the queue and the running evaluation.\n" +
    "On a commit-reveal subnet the weights go out as a drand-timelocked commit that the chain reveals one\n" +
    "reveal period later; sn11 checks that it did (sn11 weights --history, the reveal column).\n" +
    "Every step is recorded: sn11 weights --history, sn11 snapshot --step N.\n" +
    "Before any work it checks the engine (binary and --version, GPU memory for vLLM), the judge (one cheap\n" +
    "call), the dataset and, live, that the hotkey is registered; then it prints a banner, and one line per\n" +
    "step and per evaluation as it happens (--json: one JSON object per line).\n" +
    "Exit codes with --once: 0 the step completed (sent, committed, dry run, or refused by the chain with\n" +
    "the reason shown); 69 the step could not read the chain or the remote scores; 70 an evaluation ended\n" +
    "in ERROR (engine, judge or Hub of this validator); 130 Ctrl-C. At start, with or without --once:\n" +
    "69 the judge (or, live, the chain) is unreachable; 70 the engine is missing or refuses its arguments\n" +
    "(also later, for the daemon: it stops instead of failing every model); 78 the judge refused the key,\n" +
    "or the hotkey is not registered.",
  examples: [
    "sn11 validate --wallet.name validator --judge-url https://openrouter.ai/api/v1 --gpus 0,1:2,3",
    "sn11 validate --once --dry-run --engine embedded --dataset chats.jsonl",
    "sn11 validate --score-source remote --offline --metrics-port 9311",
  ],
  options,
  gracefulStop: true,
  async run({ options: opts }, ctx) {
    const profile = findProfile(ctx.loaded.config.profile);
    if (!profile) throw new Error(`unknown profile ${ctx.loaded.config.profile}`);
    if (opts.dryRun && opts.offline) throw new UsageError("give --dry-run or --offline, not both");
    const config = ctx.loaded.config;
    const mode = opts.dryRun ? "dry-run" : opts.offline ? "offline" : "live";
    const local = opts.scoreSource === "local";
    if (!opts.evaluate && !config.store) {
      throw new UsageError(
        "--no-evaluate leaves the evaluations to sn11 worker: they need a --store to share",
        {
          hint: "give --store postgres://… (or SN11_STORE) here and to every sn11 worker",
        },
      );
    }
    const evaluating = local && opts.evaluate;
    const { gpuGroups } = evaluating
      ? await checkWorkerOptions(opts, ctx)
      : { gpuGroups: gpuGroupsOf(opts.gpus) };
    const [{ acquireDataDirLock }, { runValidator }, schedule] = await Promise.all([
      import("../validator/lock.js"),
      import("../validator/daemon.js"),
      import("../validator/schedule.js"),
    ]);
    // The lock first: a second validator on this data dir is refused before it touches the store.
    ctx.cleanup.add("validator lock", acquireDataDirLock(config.dataDir));
    const store = ctx.store();
    const shared = await ctx.shared();
    // Fail at start, not after an hour of evaluation: a live validator must be able to sign.
    const signer = mode === "live" ? await ctx.hotkey() : null;
    if (signer) ctx.logger.info({ hotkey: signer.address }, "validator hotkey loaded");

    // Everything an evaluation needs is checked before the first one starts (exit 69, 70 or 78).
    const { preflightSummary } = await import("../eval/preflight.js");
    const evaluation = evaluating ? await evaluationWorkers(opts, ctx, { profile, shared, gpuGroups }) : null;
    const preflight = evaluation?.preflight ?? null;
    const onProgress = evaluation?.onProgress;
    const workers = evaluation?.workers ?? [];
    const seat = await validatorSeat(ctx, config.netuid, signer?.address ?? null);

    let metrics: import("../validator/metrics.js").ValidatorMetrics | null = null;
    let lastStep: import("../validator/step.js").StepResult | null = null;
    if (opts.metricsPort !== undefined) {
      const { ValidatorMetrics, serveMetrics } = await import("../validator/metrics.js");
      const m = new ValidatorMetrics(
        () => shared.queueCounts(profile.id),
        () => store.weightCommits.counts().committed,
      );
      metrics = m;
      const { server, url } = await serveMetrics(
        m,
        async () => ({ lastStep, queue: await shared.queueCounts(profile.id) }),
        { port: opts.metricsPort, host: opts.metricsHost },
      );
      ctx.cleanup.add("metrics server", () => new Promise<void>((r) => server.close(() => r())));
      ctx.logger.info({ url }, "metrics and health endpoint listening");
      ctx.stderr.write(`metrics: ${url}/metrics · health: ${url}/healthz\n`);
    }

    const stepSchedule = opts.every ? schedule.everySeconds(opts.every) : schedule.profileSchedule(profile);
    const banner: Banner = {
      mode,
      profile: profile.id,
      network: config.network,
      netuid: config.netuid,
      ...seat,
      score_source: !local
        ? `remote (${opts.scoreUrl})`
        : shared.kind === "postgres"
          ? `shared store ${shared.location} (${evaluating ? "workers here and on sn11 worker boxes" : "sn11 worker boxes evaluate"})`
          : "local evaluation",
      checks: preflight ? preflightSummary(preflight) : [],
      engine: preflight ? { name: preflight.engine.engine, version: preflight.engine.version } : null,
      gpu_groups: gpuGroups,
      next_step_at:
        opts.immediate || opts.once
          ? "now"
          : new Date(schedule.nextStepAt(Date.now(), stepSchedule, null)).toISOString(),
    };
    // The daemon says what it does as it does it: text lines, or one JSON object per line.
    const streaming = !opts.once;
    const emit = (event: string, json: object, lines: readonly string[]) => {
      // A result line does not land in the middle of the progress line (both on one terminal).
      if (onProgress && ctx.stderr.isTTY && opts.progress === "auto") ctx.stderr.write("\r\x1b[K");
      if (ctx.globals.json) ctx.stdout.write(`${JSON.stringify({ event, ...json })}\n`);
      else ctx.stdout.write(`${lines.join("\n")}\n`);
    };
    if (streaming || !ctx.globals.json) emit("start", banner, bannerLines(banner));
    if (streaming && ctx.stderr.isTTY) {
      ctx.stderr.write(`watch it from another terminal: sn11 dashboard --data-dir ${config.dataDir}\n`);
    }
    const steps: ReturnType<typeof stepJson>[] = [];
    const evaluations: ReturnType<typeof evaluationJson>[] = [];

    const run = await runValidator({
      store,
      shared,
      profile,
      netuid: config.netuid,
      network: String(config.network),
      mode,
      scoreSource: local ? { kind: "local" } : { kind: "remote", url: opts.scoreUrl },
      schedule: stepSchedule,
      once: opts.once,
      immediate: opts.immediate,
      syncEveryMs: opts.syncEvery * 1000,
      chain: ctx.chain,
      commitReveal: opts.commitReveal,
      consensus: {
        hotkey:
          signer?.address ??
          readHotkeyAddress({
            name: config.walletName,
            hotkey: config.walletHotkey,
            path: config.walletPath,
          }),
        warnBelow: opts.consensusWarnBelow,
      },
      signer: async () => signer ?? ctx.hotkey(),
      workers,
      metrics,
      logger: ctx.logger,
      drain: ctx.stop,
      onStep: (result) => {
        lastStep = result;
        const json = stepJson(result);
        if (opts.once) steps.push(json);
        if (streaming || !ctx.globals.json) emit("step", json, stepLines(json));
      },
      onEvaluation: (report) => {
        const json = evaluationJson(report);
        if (opts.once) evaluations.push(json);
        if (streaming || !ctx.globals.json) emit("evaluation", json, [evaluationLine(json)]);
      },
    });

    const last = lastStep as import("../validator/step.js").StepResult | null;
    const stoppedBy = ctx.stop.aborted ? String((ctx.stop.reason as Error)?.message ?? "signal") : null;
    // Ctrl-C is a cancellation (130); SIGTERM is the service manager's normal stop (0).
    const exitCode =
      stoppedBy === "SIGINT" ? EXIT.cancelled : opts.once ? onceExitCode(last ?? null, evaluations) : EXIT.ok;
    const stoppedLine = stoppedBy ? `stopped by ${stoppedBy}; evaluations resume from their last sample` : "";
    if (opts.once && exitCode !== EXIT.ok && exitCode !== EXIT.cancelled) {
      // The result is printed; the exit code's reason is said as every error is, on stderr.
      const failure =
        exitCode === EXIT.network
          ? {
              kind: "network",
              message: `step ${last?.step ?? "?"} could not read the chain${last?.reason ? `: ${last.reason}` : ""}`,
              hint: "nothing was sent; the next step (or this command again) retries",
            }
          : {
              kind: "engine",
              message: `an evaluation ended in ERROR: ${evaluations.find((e) => e.outcome === "ERROR")?.reason ?? "see above"}`,
              hint: "this validator's engine, judge or Hub: the model is retried later, never scored 0",
            };
      writeError(ctx.stderr, ctx.globals.json, failure);
    }
    if (streaming) {
      return {
        json: {
          event: "stopped",
          stopped_by: stoppedBy,
          steps: run.stepCount,
          evaluations: run.evaluationCount,
        },
        jsonLine: true,
        text: () => stoppedLine || `stopped after ${run.stepCount} steps`,
        exitCode,
      };
    }
    const json = {
      mode,
      profile: profile.id,
      banner,
      stopped_by: stoppedBy,
      steps,
      evaluations,
      ...(last?.replay ? { weights: replayToJson(last.replay) } : {}),
    };
    const text = () => {
      const lines: string[] = [];
      if (last?.replay) lines.push("", replayText(last.replay, last.snapshotDigest as string));
      if (stoppedLine) lines.push(stoppedLine);
      if (steps.length === 0) lines.push("no step ran");
      return lines.join("\n");
    };
    return { json, text, exitCode };
  },
});

/**
 * Where this validator sits on the chain at start: the head, its uid and permit. A live validator whose
 * hotkey is not registered cannot set weights (exit 78); one without a permit is told so in the banner.
 * An unreachable chain does not stop a daemon (it retries every sync); a live start needs it.
 */
async function validatorSeat(
  ctx: Parameters<typeof validateCommand.run>[1],
  netuid: number,
  hotkey: string | null,
): Promise<Pick<Banner, "block" | "chain_error" | "hotkey" | "uid" | "permit">> {
  try {
    const chain = await ctx.chain();
    const metagraph = await chain.metagraph(netuid);
    const neuron = hotkey ? metagraph.neurons.find((n) => n.hotkey === hotkey) : undefined;
    if (hotkey && !neuron) {
      throw new ConfigError(`the hotkey ${hotkey} is not registered on netuid ${netuid}`, {
        hint: "register it (btcli subnet register), or check --wallet.name, --wallet.hotkey and --netuid",
      });
    }
    return {
      block: metagraph.block.number,
      chain_error: null,
      hotkey,
      uid: neuron?.uid ?? null,
      permit: neuron ? neuron.validatorPermit : null,
    };
  } catch (error) {
    if (error instanceof ConfigError || error instanceof CancelledError || hotkey) throw error;
    const reason = (error as Error).message;
    ctx.logger.warn({ error: reason }, "the chain could not be read at start; the daemon retries");
    return { block: null, chain_error: reason, hotkey, uid: null, permit: null };
  }
}
