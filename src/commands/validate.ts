import { z } from "zod";
import { commitToJson } from "../chain/commit-weights.js";
import { EXIT, UsageError } from "../errors.js";
import { replayText } from "../render/replay.js";
import { findProfile } from "../scoring/profile.js";
import { replayToJson } from "../scoring/replay.js";
import { VALIDATOR_SETTINGS } from "../validator/settings.js";
import type { StepResult } from "../validator/step.js";
import type { JobReport } from "../validator/worker.js";
import { defineCommand } from "./define.js";
import { engineOptions, evaluationOptions } from "./evaluation-options.js";

const REFERENCE_SCORE_API = "https://dippy-bittensor-subnet.com";

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
  scoreUrl: z
    .string()
    .regex(/^https?:\/\/\S+$/, "expected an http(s):// URL")
    .default(REFERENCE_SCORE_API)
    .describe("the score API for --score-source remote")
    .meta({ valueName: "url" }),
  gpus: z
    .string()
    .regex(/^\d+(,\d+)*$/, "expected GPU indices like 0 or 0,1")
    .optional()
    .describe("GPUs to evaluate on, one evaluation per GPU (CUDA_VISIBLE_DEVICES of each engine)")
    .meta({ valueName: "list" }),
  ...engineOptions("vllm"),
  ...evaluationOptions,
  cacheBudget: z.coerce
    .number()
    .positive()
    .optional()
    .describe("GiB of downloaded models to keep (least recently used go first)")
    .meta({ valueName: "GiB" }),
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

function commitLine(commit: ReturnType<typeof commitToJson>): string {
  if (commit.mode === "hash") return `commit: hash ${commit.hash}; sn11 reveals it in the reveal epoch`;
  return (
    `commit: ${commit.ciphertext_bytes} bytes, drand round ${commit.reveal_round}` +
    (commit.reveal_epoch !== undefined
      ? `, revealed by the chain in epoch ${commit.reveal_epoch} (blocks ${commit.first_reveal_block}–${commit.last_reveal_block})`
      : "")
  );
}

export const validateCommand = defineCommand({
  name: "validate",
  summary: "run the validator: evaluate every submission locally, set weights each window",
  description:
    "The validator daemon. Each step (once per 20-minute UTC window, as the reference) reads the metagraph and\n" +
    "commitments at one finalized block, applies the registry rules, takes every model's score from the local\n" +
    "store and sets the weights the reference would. Between steps, queued models are evaluated on this machine\n" +
    "(one at a time per GPU); a restart after a crash continues the queue and the running evaluation.\n" +
    "On a commit-reveal subnet the weights go out as a drand-timelocked commit that the chain reveals one\n" +
    "reveal period later; sn11 checks that it did (sn11 weights --history, the reveal column).\n" +
    "Every step is recorded: sn11 weights --history, sn11 snapshot --step N.\n" +
    "Exit codes with --once: 0 the step completed (sent, committed, dry run, or refused by the chain with\n" +
    "the reason shown); 69 the step could not read the chain or the remote scores; 70 an evaluation ended\n" +
    "in ERROR (engine, judge or Hub of this validator); 130 Ctrl-C.",
  examples: [
    "sn11 validate --wallet.name validator --judge-url https://openrouter.ai/api/v1 --gpus 0,1",
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
    if (local && !(opts.judgeUrl ?? config.judgeUrl)) {
      throw new UsageError("local evaluation needs a judge: pass --judge-url or set SN11_JUDGE_URL", {
        hint: "or mirror the owner's scores with --score-source remote",
      });
    }
    if (local) {
      const { checkDatasetSource } = await import("../eval/evaluation.js");
      checkDatasetSource(opts.dataset, { config, cwd: ctx.cwd });
    }
    const [{ acquireDataDirLock }, { runValidator }, { EvaluationWorker }, schedule] = await Promise.all([
      import("../validator/lock.js"),
      import("../validator/daemon.js"),
      import("../validator/worker.js"),
      import("../validator/schedule.js"),
    ]);
    const store = ctx.store();
    ctx.cleanup.add("validator lock", acquireDataDirLock(config.dataDir));
    // Fail at start, not after an hour of evaluation: a live validator must be able to sign.
    const signer = mode === "live" ? await ctx.hotkey() : null;
    if (signer) ctx.logger.info({ hotkey: signer.address }, "validator hotkey loaded");

    const gpus = opts.gpus ? opts.gpus.split(",") : [undefined];
    if (gpus.length > 1 && opts.engine === "embedded") {
      throw new UsageError(
        "one evaluation per GPU needs a spawned engine: the embedded one shares this process",
        {
          hint: "use --engine vllm or llama-server with --gpus, or one GPU with --engine embedded",
        },
      );
    }
    const workers = local
      ? gpus.map(
          (gpu) =>
            new EvaluationWorker(
              {
                store,
                profile,
                config,
                cwd: ctx.cwd,
                hub: ctx.hub,
                engine: opts,
                judge: opts,
                evaluation: opts,
                dataset: opts.dataset,
                cacheBudgetBytes: opts.cacheBudget === undefined ? null : opts.cacheBudget * 1024 ** 3,
                logger: ctx.logger,
                cleanup: ctx.cleanup,
                signal: ctx.signal,
                drain: ctx.stop,
              },
              gpu,
            ),
        )
      : [];

    let metrics: import("../validator/metrics.js").ValidatorMetrics | null = null;
    let lastStep: import("../validator/step.js").StepResult | null = null;
    if (opts.metricsPort !== undefined) {
      const { ValidatorMetrics, serveMetrics } = await import("../validator/metrics.js");
      const m = new ValidatorMetrics(
        () => store.evalQueue.counts(profile.id),
        () => store.weightCommits.counts().committed,
      );
      metrics = m;
      const { server, url } = await serveMetrics(
        m,
        () => ({ lastStep, queue: store.evalQueue.counts(profile.id) }),
        { port: opts.metricsPort, host: opts.metricsHost },
      );
      ctx.cleanup.add("metrics server", () => new Promise<void>((r) => server.close(() => r())));
      ctx.logger.info({ url }, "metrics and health endpoint listening");
      ctx.stderr.write(`metrics: ${url}/metrics · health: ${url}/healthz\n`);
    }

    const run = await runValidator({
      store,
      profile,
      netuid: config.netuid,
      mode,
      scoreSource: local ? { kind: "local" } : { kind: "remote", url: opts.scoreUrl },
      schedule: opts.every ? schedule.everySeconds(opts.every) : schedule.profileSchedule(profile),
      once: opts.once,
      immediate: opts.immediate,
      syncEveryMs: opts.syncEvery * 1000,
      chain: ctx.chain,
      commitReveal: opts.commitReveal,
      signer: async () => signer ?? ctx.hotkey(),
      workers,
      metrics,
      logger: ctx.logger,
      drain: ctx.stop,
      onStep: (result) => {
        lastStep = result;
      },
    });

    const stepsJson = run.steps.map((s) => ({
      step: s.step,
      outcome: s.outcome,
      reason: s.reason,
      block: s.block,
      snapshot_digest: s.snapshotDigest,
      tx_hash: s.txHash,
      tx_block: s.txBlock,
      ...(s.commit ? { commit: commitToJson(s.commit) } : {}),
      reveals: s.reveals.map((r) => ({
        commit_tx: r.commit.txHash,
        reveal_round: r.commit.revealRound,
        status: r.update.status,
        reveal_block: r.update.revealBlock ?? null,
        reason: r.update.reason ?? null,
        self_check: r.update.selfCheck ?? null,
      })),
      seconds: Math.round(s.seconds * 1000) / 1000,
    }));
    const evaluationsJson = run.evaluations.map((e) => ({
      repo: e.job.repo,
      hash: e.job.entryHash,
      uid: e.job.uid,
      outcome: e.outcome,
      total_score: e.card?.total_score ?? null,
      reason: e.reason,
      seconds: Math.round(e.seconds * 1000) / 1000,
    }));
    const last = run.steps.at(-1);
    const stoppedBy = ctx.stop.aborted ? String((ctx.stop.reason as Error)?.message ?? "signal") : null;
    const json = {
      mode,
      profile: profile.id,
      stopped_by: stoppedBy,
      steps: stepsJson,
      evaluations: evaluationsJson,
      ...(opts.once && last?.replay ? { weights: replayToJson(last.replay) } : {}),
    };
    const text = () => {
      const lines: string[] = [];
      if (opts.once && last?.replay) lines.push(replayText(last.replay, last.snapshotDigest as string), "");
      for (const e of evaluationsJson) {
        lines.push(
          `evaluated ${e.repo} (uid ${e.uid}): ${e.outcome}${e.total_score === null ? "" : ` score ${e.total_score.toFixed(4)}`}${e.reason ? ` — ${e.reason}` : ""}`,
        );
      }
      for (const s of stepsJson) {
        for (const r of s.reveals) {
          lines.push(
            `commit ${r.commit_tx.slice(0, 18)}… (round ${r.reveal_round}): ${r.status}${r.reveal_block ? ` in block ${r.reveal_block}` : ""}${r.reason ? ` — ${r.reason}` : ""}`,
          );
        }
        const call = !s.commit
          ? "set_weights"
          : s.commit.mode === "hash"
            ? "commit_weights"
            : "commit_timelocked_weights";
        lines.push(
          `step ${s.step}: ${s.outcome}${s.block === null ? "" : ` at block ${s.block}`}${s.tx_hash ? ` · ${call} ${s.tx_hash} in block ${s.tx_block}` : ""}${s.reason ? ` — ${s.reason}` : ""}`,
        );
        if (s.commit) lines.push(`  ${commitLine(s.commit)}`);
      }
      if (stoppedBy) lines.push(`stopped by ${stoppedBy}; evaluations resume from their last sample`);
      return lines.join("\n") || "no step ran";
    };
    // Ctrl-C is a cancellation (130); SIGTERM is the service manager's normal stop (0).
    const exitCode =
      stoppedBy === "SIGINT"
        ? EXIT.cancelled
        : opts.once
          ? onceExitCode(run.steps.at(-1) ?? null, run.evaluations)
          : EXIT.ok;
    return { json, text, exitCode };
  },
});
