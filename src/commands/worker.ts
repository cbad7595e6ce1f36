import { z } from "zod";
import { EXIT, NetworkError, UsageError } from "../errors.js";
import { findProfile } from "../scoring/profile.js";
import { sleep } from "../sleep.js";
import { isDrained } from "../store/eval-queue.js";
import { evaluationJson, evaluationLine } from "../validator/report.js";
import { defineCommand } from "./define.js";
import { checkWorkerOptions, evaluationWorkers, workerOptions } from "./evaluation-workers.js";

const options = z.object({
  ...workerOptions("vllm"),
  untilEmpty: z
    .boolean()
    .default(false)
    .describe(
      "exit once no job is queued or running (a batch of work) instead of waiting for more; jobs waiting\n" +
        "out an infrastructure failure's backoff (ERROR) are left to the next worker",
    ),
});

/** Between two looks at an empty queue: soon enough for new work, and never longer than half a lease. */
const IDLE_POLL_MS = 5_000;

export const workerCommand = defineCommand({
  name: "worker",
  uses: ["store", "shared", "hub", "profile"],
  configurable: true,
  gracefulStop: true,
  description:
    "Evaluates queued models on this box for a validator whose queue is in PostgreSQL (--store, SN11_STORE):\n" +
    "one `sn11 validate --store …` reads the chain, queues every submission and sets the weights; any number\n" +
    "of `sn11 worker` boxes claim jobs (FOR UPDATE SKIP LOCKED: never the same one twice) and write the\n" +
    "results there. Each claim is a lease the worker renews every third of --lease-seconds; a worker that\n" +
    "dies stops renewing, and its job goes to the next worker that asks. Samples are committed in this box's\n" +
    "own store (--data-dir), so a job that comes back to this box resumes where it stopped.\n" +
    "One line per evaluation on stdout (--json: one JSON object per line); Ctrl-C finishes the samples in\n" +
    "flight and puts the job back. Exit codes: 0 stopped or drained; 69 the store or the judge is\n" +
    "unreachable at start; 70 the engine is missing or refuses its arguments; 78 bad login or schema.",
  examples: [
    "SN11_STORE=postgres://sn11:…@db.internal/sn11 sn11 worker --gpus 0,1:2,3 --judge-url https://openrouter.ai/api/v1",
    "sn11 worker --store postgres://sn11@127.0.0.1/sn11 --engine embedded --dataset chats.jsonl --until-empty",
  ],
  options,
  async run({ options: opts }, ctx) {
    const profile = findProfile(ctx.loaded.config.profile);
    if (!profile) throw new Error(`unknown profile ${ctx.loaded.config.profile}`);
    if (!ctx.loaded.config.store) {
      throw new UsageError("sn11 worker evaluates for a validator on another box: give it their --store", {
        hint: "--store postgres://… (or SN11_STORE), the same as the validator's; on one box, sn11 validate evaluates itself",
      });
    }
    const { gpuGroups } = await checkWorkerOptions(opts, ctx);
    const { acquireDataDirLock } = await import("../validator/lock.js");
    // One worker process per data dir: its GPU groups share the model cache and the score runs.
    ctx.cleanup.add(
      "worker lock",
      acquireDataDirLock(ctx.loaded.config.dataDir, "worker.lock", "sn11 worker"),
    );
    const shared = await ctx.shared();
    const { workers } = await evaluationWorkers(opts, ctx, { profile, shared, gpuGroups });
    const pollMs = Math.min(IDLE_POLL_MS, (opts.leaseSeconds * 1000) / 2);
    ctx.logger.info(
      { store: shared.location, workers: workers.map((w) => w.lease.owner), profile: profile.id },
      "worker started",
    );
    ctx.stderr.write(
      `sn11 worker: ${workers.length} evaluation worker${workers.length === 1 ? "" : "s"} on ${shared.location} · profile ${profile.id}\n`,
    );
    const counts: Record<string, number> = {};
    const drained = async () => {
      try {
        return isDrained(await shared.queueCounts(profile.id));
      } catch (error) {
        // A database restart is waited out, as a failed claim is.
        if (error instanceof NetworkError) return false;
        throw error;
      }
    };
    const loop = async (worker: (typeof workers)[number]) => {
      while (!ctx.stop.aborted) {
        const report = await worker.runNext();
        if (report) {
          counts[report.outcome] = (counts[report.outcome] ?? 0) + 1;
          const json = evaluationJson(report);
          ctx.stdout.write(
            ctx.globals.json
              ? `${JSON.stringify({ event: "evaluation", ...json })}\n`
              : `${evaluationLine(json)}\n`,
          );
          continue;
        }
        if (opts.untilEmpty && (await drained())) return;
        await sleep(pollMs, ctx.stop).catch(() => {});
      }
    };
    await Promise.all(workers.map(loop));
    const evaluations = Object.values(counts).reduce((a, b) => a + b, 0);
    const stoppedBy = ctx.stop.aborted ? String((ctx.stop.reason as Error)?.message ?? "signal") : null;
    return {
      json: { event: "stopped", stopped_by: stoppedBy, evaluations, outcomes: counts },
      jsonLine: true,
      // Ctrl-C is a cancellation (130); SIGTERM is the service manager's normal stop (0).
      exitCode: stoppedBy === "SIGINT" ? EXIT.cancelled : EXIT.ok,
      text: () =>
        `sn11 worker: ${stoppedBy ? `stopped by ${stoppedBy}` : "the queue is empty"} after ${evaluations} evaluation${evaluations === 1 ? "" : "s"}`,
    };
  },
});
