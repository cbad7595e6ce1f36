import { createServer, type Server } from "node:http";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { JOB_STATUSES, type JobStatus } from "../store/eval-queue.js";
import type { RevealReport } from "./reveals.js";
import type { StepResult } from "./step.js";
import type { JobReport } from "./worker.js";

export interface HealthState {
  readonly lastStep: StepResult | null;
  readonly queue: Record<JobStatus, number>;
}

/** The validator's Prometheus metrics (prom-client), one registry per daemon. */
export class ValidatorMetrics {
  readonly registry = new Registry();
  private readonly stepDuration = new Histogram({
    name: "sn11_step_duration_seconds",
    help: "Wall time of one validator step",
    labelNames: ["outcome"],
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });
  private readonly steps = new Counter({
    name: "sn11_steps_total",
    help: "Validator steps by outcome",
    labelNames: ["outcome"],
    registers: [this.registry],
  });
  private readonly lastWeightsBlock = new Gauge({
    name: "sn11_last_weights_block",
    help: "Block in which this validator's weights were last included",
    registers: [this.registry],
  });
  private readonly rateLimitBlocks = new Gauge({
    name: "sn11_blocks_until_rate_limit_frees",
    help: "Blocks until set_weights is allowed again (0 when allowed at the last step)",
    registers: [this.registry],
  });
  private readonly agreement = new Gauge({
    name: "sn11_consensus_agreement",
    help:
      "Share of this validator's weight that survives Yuma's clip at the last step (its validator trust): " +
      "weights=chain for the row on chain, weights=computed for the row the step computed",
    labelNames: ["weights"],
    registers: [this.registry],
  });
  private readonly evaluations = new Counter({
    name: "sn11_evaluations_total",
    help: "Evaluations by outcome",
    labelNames: ["outcome"],
    registers: [this.registry],
  });
  private readonly evaluationDuration = new Histogram({
    name: "sn11_evaluation_duration_seconds",
    help: "Wall time of one evaluation",
    labelNames: ["outcome"],
    buckets: [10, 60, 300, 900, 1800, 3600, 7200],
    registers: [this.registry],
  });
  private readonly judgeCalls = new Counter({
    name: "sn11_judge_calls_total",
    help: "Judge calls paid for (cached verdicts not counted)",
    registers: [this.registry],
  });
  private readonly judgeCost = new Counter({
    name: "sn11_judge_cost_usd_total",
    help: "Judge cost in USD from the price table",
    registers: [this.registry],
  });
  private readonly chainErrors = new Counter({
    name: "sn11_chain_errors_total",
    help: "Chain reads or writes that failed",
    registers: [this.registry],
  });

  private readonly revealResults = new Counter({
    name: "sn11_weight_reveals_total",
    help: "Timelocked commits whose reveal was settled, by result (revealed, reveal_failed)",
    labelNames: ["result"],
    registers: [this.registry],
  });

  constructor(queueCounts: () => Promise<Record<JobStatus, number>>, pendingCommits: () => number = () => 0) {
    new Gauge({
      name: "sn11_weight_commits_pending",
      help: "Timelocked weight commits sent and not yet revealed",
      registers: [this.registry],
      collect() {
        this.set(pendingCommits());
      },
    });
    new Gauge({
      name: "sn11_queue_jobs",
      help: "Evaluation queue by state",
      labelNames: ["state"],
      registers: [this.registry],
      async collect() {
        const counts = await queueCounts();
        for (const state of JOB_STATUSES) this.set({ state }, counts[state]);
      },
    });
  }

  step(result: StepResult): void {
    this.steps.inc({ outcome: result.outcome });
    this.stepDuration.observe({ outcome: result.outcome }, result.seconds);
    if (result.chainError) this.chainErrors.inc();
    if (result.outcome === "sent" && result.txBlock !== null) this.lastWeightsBlock.set(result.txBlock);
    this.reveals(result.reveals);
    if (result.agreement) {
      this.agreement.set({ weights: "chain" }, result.agreement.chain);
      if (result.agreement.computed === null) this.agreement.remove({ weights: "computed" });
      else this.agreement.set({ weights: "computed" }, result.agreement.computed);
    }
    if (result.block !== null) {
      this.rateLimitBlocks.set(
        result.rateLimitFreesAt === null ? 0 : Math.max(0, result.rateLimitFreesAt - result.block),
      );
    }
  }

  /** Settled reveals count once: a settled commit leaves the pending set and is not checked again. */
  reveals(reports: readonly RevealReport[]): void {
    for (const r of reports) {
      if (r.update.status !== "committed") this.revealResults.inc({ result: r.update.status });
      if (r.update.status === "revealed" && r.update.revealBlock)
        this.lastWeightsBlock.set(r.update.revealBlock);
    }
  }

  chainError(): void {
    this.chainErrors.inc();
  }

  evaluation(report: JobReport): void {
    this.evaluations.inc({ outcome: report.outcome });
    this.evaluationDuration.observe({ outcome: report.outcome }, report.seconds);
    if (report.card) {
      this.judgeCalls.inc(report.card.judge.calls);
      this.judgeCost.inc(report.card.judge.cost_usd);
    }
  }
}

/**
 * `/metrics` (Prometheus text) and `/healthz` (JSON; 503 when the last step could not read the chain or
 * its scores). Bound to loopback by default: nothing is sent anywhere, scrapers come to it.
 */
export async function serveMetrics(
  metrics: ValidatorMetrics,
  health: () => Promise<HealthState>,
  options: { port: number; host: string },
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/metrics") {
      metrics.registry
        .metrics()
        .then((text) => {
          res.writeHead(200, { "content-type": metrics.registry.contentType });
          res.end(text);
        })
        .catch((error: Error) => {
          res.writeHead(500).end(error.message);
        });
      return;
    }
    if (path === "/healthz") {
      health().then(
        (state) => {
          const last = state.lastStep;
          const ok = last?.outcome !== "skipped";
          res.writeHead(ok ? 200 : 503, { "content-type": "application/json" });
          res.end(
            JSON.stringify({
              status: ok ? "ok" : "degraded",
              last_step: last
                ? {
                    step: last.step,
                    outcome: last.outcome,
                    reason: last.reason,
                    block: last.block,
                    tx_hash: last.txHash,
                  }
                : null,
              queue: state.queue,
            }),
          );
        },
        // The queue's store unreachable: the daemon cannot tell its state, so it is not healthy.
        (error: Error) => {
          res.writeHead(503, { "content-type": "application/json" });
          res.end(JSON.stringify({ status: "degraded", error: error.message }));
        },
      );
      return;
    }
    res.writeHead(404).end("not found: try /metrics or /healthz\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  return { server, url: `http://${options.host}:${port}` };
}
