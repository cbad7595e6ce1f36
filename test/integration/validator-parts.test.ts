import { createServer } from "node:http";
import { describe, expect, it } from "vitest";
import { findProfile } from "../../src/scoring/profile.js";
import { snapshotRegistry } from "../../src/scoring/replay.js";
import type { Job, WantedEvaluation } from "../../src/store/eval-queue.js";
import { Store } from "../../src/store/store.js";
import { serveMetrics, ValidatorMetrics } from "../../src/validator/metrics.js";
import { fetchRemoteEvaluations } from "../../src/validator/remote-scores.js";
import type { RevealReport } from "../../src/validator/reveals.js";
import type { StepResult } from "../../src/validator/step.js";
import { tempDir } from "../support/cli.js";
import { buildSnapshot } from "../support/snapshots.js";

const P = "dippy-2025-03";
const want = (repo: string, block: number, uid = 1): WantedEvaluation => ({
  repo,
  entryHash: `${block}`,
  hotkey: `hk${uid}`,
  uid,
  commitBlock: block,
  chatTemplate: "chatml",
});

describe("the evaluation queue (SQLite)", () => {
  it("hands out jobs oldest commit block first, one at a time", () => {
    const store = Store.open(tempDir());
    const sync = store.evalQueue.sync(P, [
      want("a/late", 30, 1),
      want("a/early", 10, 2),
      want("a/mid", 20, 3),
    ]);
    expect(sync.added).toHaveLength(3);
    const order = [1, 2, 3].map(() => store.evalQueue.claim(P)?.repo);
    expect(order).toEqual(["a/early", "a/mid", "a/late"]);
    expect(store.evalQueue.claim(P)).toBeUndefined();
    expect(store.evalQueue.counts(P)).toMatchObject({ RUNNING: 3, QUEUED: 0 });
    store.close();
  });

  it("a sync keeps finished work, drops unfinished work that left the chain, and is idempotent", () => {
    const store = Store.open(tempDir());
    store.evalQueue.sync(P, [want("a/one", 10, 1), want("a/two", 20, 2)]);
    const one = store.evalQueue.claim(P);
    store.evalQueue.finish(one?.id as number, {
      status: "COMPLETED",
      totalScore: 0.5,
      revision: "r",
      reason: null,
    });
    const again = store.evalQueue.sync(P, [want("a/two", 20, 2)]);
    expect(again).toEqual({ added: [], dropped: [] });
    const changed = store.evalQueue.sync(P, [want("a/three", 25, 2)]);
    expect(changed.added.map((j) => j.repo)).toEqual(["a/three"]);
    expect(changed.dropped.map((j) => j.repo)).toEqual(["a/two"]);
    expect(store.evalQueue.list(P).map((j) => [j.repo, j.status])).toEqual([
      ["a/one", "COMPLETED"],
      ["a/three", "QUEUED"],
    ]);
    store.close();
  });

  it("an ERROR comes back after its backoff; RUNNING left by a dead process goes back to QUEUED", () => {
    const store = Store.open(tempDir());
    store.evalQueue.sync(P, [want("a/one", 10)]);
    const job = store.evalQueue.claim(P, new Date(0));
    store.evalQueue.error(job?.id as number, "judge down", new Date(60_000));
    expect(store.evalQueue.claim(P, new Date(59_999))).toBeUndefined();
    const retried = store.evalQueue.claim(P, new Date(60_000));
    expect(retried).toMatchObject({ repo: "a/one", attempts: 2, lastError: "judge down" });
    expect(store.evalQueue.recoverInterrupted()).toBe(1);
    expect(store.evalQueue.get(retried?.id as number)?.status).toBe("QUEUED");
    store.close();
  });

  it("finds an earlier entry with the same weights, and a hotkey's previous commitment", () => {
    const store = Store.open(tempDir());
    store.evalQueue.sync(P, [want("a/orig", 10, 1), want("a/copy", 20, 2)]);
    const [orig, copy] = store.evalQueue.list(P) as [Job, Job];
    store.evalQueue.setModelHash(orig.id, "m1");
    store.evalQueue.setModelHash(copy.id, "m1");
    expect(store.evalQueue.withModelHash(P, "m1").map((j) => j.repo)).toEqual(["a/orig", "a/copy"]);
    expect(store.evalQueue.withModelHash(P, "m2")).toEqual([]);
    store.commitmentsSeen.record([
      { hotkey: "h", repo: "a/one", entryHash: "1", block: 100 },
      { hotkey: "h", repo: "a/two", entryHash: "2", block: 200 },
      { hotkey: "h", repo: "a/two", entryHash: "2", block: 200 },
      { hotkey: "other", repo: "a/x", entryHash: "3", block: 150 },
    ]);
    expect(store.commitmentsSeen.previous("h", 300)?.repo).toBe("a/two");
    expect(store.commitmentsSeen.previous("h", 200)?.repo).toBe("a/one");
    expect(store.commitmentsSeen.previous("h", 100)).toBeUndefined();
    store.close();
  });

  it("interrupted steps are marked as such on the next start", () => {
    const store = Store.open(tempDir());
    const id = store.validatorSteps.begin({ profile: P, netuid: 11, mode: "live" });
    expect(store.validatorSteps.markInterrupted()).toBe(1);
    expect(store.validatorSteps.get(id)?.outcome).toBe("interrupted");
    store.close();
  });
});

describe("metrics and health endpoint", () => {
  it("serves Prometheus text and a health document", async () => {
    const metrics = new ValidatorMetrics(
      async () => ({
        QUEUED: 2,
        RUNNING: 1,
        COMPLETED: 5,
        FAILED: 0,
        ERROR: 1,
      }),
      () => 2,
    );
    const step: StepResult = {
      step: 3,
      outcome: "sent",
      reason: null,
      block: 1000,
      snapshotDigest: "d",
      replay: null,
      txHash: "0xabc",
      txBlock: 1001,
      rateLimitFreesAt: 1100,
      chainError: false,
      commit: null,
      reveals: [],
      agreement: { uid: 0, chain: 0.75, computed: 0.5 },
      seconds: 0.4,
    };
    metrics.step(step);
    metrics.step({
      ...step,
      step: 4,
      outcome: "skipped",
      chainError: true,
      block: null,
      txBlock: null,
      agreement: null,
    });
    const settled = (status: "revealed" | "reveal_failed" | "committed", revealBlock: number | null) =>
      ({ commit: {}, update: { status, revealBlock, checkedBlock: 1200 } }) as unknown as RevealReport;
    metrics.reveals([settled("revealed", 1071), settled("reveal_failed", null), settled("committed", null)]);
    let last: StepResult = step;
    const { server, url } = await serveMetrics(
      metrics,
      async () => ({ lastStep: last, queue: { QUEUED: 2, RUNNING: 1, COMPLETED: 5, FAILED: 0, ERROR: 1 } }),
      { port: 0, host: "127.0.0.1" },
    );
    try {
      const text = await (await fetch(`${url}/metrics`)).text();
      expect(text).toContain('sn11_steps_total{outcome="sent"} 1');
      expect(text).toContain('sn11_steps_total{outcome="skipped"} 1');
      expect(text).toContain("sn11_last_weights_block 1071");
      expect(text).toContain('sn11_weight_reveals_total{result="revealed"} 1');
      expect(text).toContain('sn11_weight_reveals_total{result="reveal_failed"} 1');
      expect(text).toContain("sn11_weight_commits_pending 2");
      expect(text).toContain("sn11_blocks_until_rate_limit_frees 100");
      expect(text).toContain('sn11_queue_jobs{state="QUEUED"} 2');
      expect(text).toContain("sn11_chain_errors_total 1");
      // The last step that could tell it (a skipped step cannot).
      expect(text).toContain('sn11_consensus_agreement{weights="chain"} 0.75');
      expect(text).toContain('sn11_consensus_agreement{weights="computed"} 0.5');
      const ok = await fetch(`${url}/healthz`);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ status: "ok", last_step: { step: 3, tx_hash: "0xabc" } });
      last = { ...step, outcome: "skipped", reason: "chain unreachable" };
      const degraded = await fetch(`${url}/healthz`);
      expect(degraded.status).toBe(503);
      expect((await fetch(`${url}/nope`)).status).toBe(404);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe("--score-source remote against a server in the reference API's layout", () => {
  const profile = findProfile(P)!;
  const registry = snapshotRegistry(
    buildSnapshot([{ repo: "ns/good" }, { repo: "ns/missing" }, { data: "garbage" }]),
    profile,
  );

  async function withApi(
    handler: (query: URLSearchParams) => [number, unknown],
    run: (url: string) => Promise<void>,
  ) {
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      if (url.pathname !== "/model_submission_details") return res.writeHead(404).end();
      const [status, body] = handler(url.searchParams);
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const address = server.address() as { port: number };
    try {
      await run(`http://127.0.0.1:${address.port}`);
    } finally {
      await new Promise((r) => server.close(r));
    }
  }

  it("asks for each recorded entry with the reference's query; 4xx and null are FAILED", async () => {
    const seen: string[] = [];
    await withApi(
      (q) => {
        seen.push(`${q.get("repo_namespace")}/${q.get("repo_name")}:${q.get("chat_template_type")}`);
        return q.get("repo_name") === "good"
          ? [200, { status: "COMPLETED", score: { judge_score: 0.42 } }]
          : [400, { detail: "Hash does not match the model details" }];
      },
      async (url) => {
        const evaluations = await fetchRemoteEvaluations(url, registry, { timeoutMs: 5000 });
        expect(evaluations.map((e) => [e.repo, e.status, e.total_score])).toEqual([
          ["ns/good", "COMPLETED", 0.42],
          ["ns/missing", "FAILED", 0],
        ]);
      },
    );
    expect(seen).toEqual(["ns/good:chatml", "ns/missing:chatml"]);
  });

  it("a 5xx or an unreachable API fails the whole read (the step then sets nothing)", async () => {
    await withApi(
      () => [503, null],
      async (url) => {
        await expect(fetchRemoteEvaluations(url, registry, { timeoutMs: 5000 })).rejects.toThrow(/HTTP 503/);
      },
    );
    await expect(fetchRemoteEvaluations("http://127.0.0.1:9", registry, { timeoutMs: 2000 })).rejects.toThrow(
      /unreachable/,
    );
  });
});
