import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runChild, tempDir } from "../support/cli.js";
import { HAS_SHARED, REPO_ROOT, sharedFile } from "../support/shared.js";

/**
 * Smoke test of the single executable. It needs `npm run build` first, so it runs only when
 * SN11_TEST_BINARY names the binary (.ci/run does this); otherwise it is skipped with a message.
 */
const binary = process.env.SN11_TEST_BINARY ? resolve(REPO_ROOT, process.env.SN11_TEST_BINARY) : "";
const enabled = binary !== "" && existsSync(binary) && HAS_SHARED;
if (!enabled) {
  process.stderr.write(
    `skipping the single-binary smoke test: ${binary === "" ? "SN11_TEST_BINARY is not set (run npm run build first)" : HAS_SHARED ? `${binary} does not exist` : "../shared is missing"}\n`,
  );
}

/** Nothing of the developer's machine: an empty HOME, an empty working dir, no NODE_PATH. */
function bareEnv(home: string): Record<string, string> {
  return { PATH: "/usr/bin:/bin", HOME: home, LANG: "C.UTF-8" };
}

describe.skipIf(!enabled)("dist/sn11 from an empty directory", () => {
  const home = tempDir("sn11-sea-home-");
  const cwd = tempDir("sn11-sea-cwd-");

  it("prints its version with the scoring profiles", async () => {
    const run = await runChild(binary, ["--version"], { env: bareEnv(home), cwd });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("dippy-2025-03 (default)");
    expect(run.stdout).toMatch(/node 24\./);
  });

  it("replays the shared example, using the embedded SQLite addon", async () => {
    const run = await runChild(
      binary,
      ["weights", "--snapshot", sharedFile("examples/snapshot-small.json"), "--json"],
      {
        env: bareEnv(home),
        cwd,
      },
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    const expected = JSON.parse(readFileSync(sharedFile("examples/snapshot-small.expected.json"), "utf8"));
    expect(out.emit.uids).toEqual(expected.emit.uids);
    for (const [i, w] of (out.emit.weights as number[]).entries()) {
      expect(Math.abs(w - expected.emit.weights[i])).toBeLessThanOrEqual(1);
    }
    expect(existsSync(join(home, ".sn11", "sn11.db"))).toBe(true);
    const history = await runChild(binary, ["weights", "--history", "--json"], { env: bareEnv(home), cwd });
    expect(JSON.parse(history.stdout)).toHaveLength(1);
  });

  it("exits 2 on a bad snapshot", async () => {
    const file = join(cwd, "bad.json");
    writeFileSync(file, JSON.stringify({ netuid: 11 }));
    const run = await runChild(binary, ["weights", "--snapshot", file], { env: bareEnv(home), cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("$.block");
  });

  it("scores a tiny GGUF with the embedded engine (node-llama-cpp from the payload)", async () => {
    const { startLocalJudge, tinyModelPath } = await import("../support/engines/llama.js");
    const judge = await startLocalJudge();
    try {
      const model = join(cwd, "tiny.gguf");
      writeFileSync(model, readFileSync(tinyModelPath()));
      const rows = Array.from({ length: 10 }, (_, i) =>
        JSON.stringify({
          system_prompt: `card ${i}`,
          messages: [
            { role: "user", content: `hi ${i}` },
            { role: "assistant", content: `yo ${i}` },
          ],
        }),
      );
      writeFileSync(join(cwd, "chats.jsonl"), rows.join("\n"));
      const judgeUrl = judge.url;
      const run = await runChild(
        binary,
        [
          "score",
          "./tiny.gguf",
          "--engine",
          "embedded",
          "--chat-template",
          "chatml",
          "--dataset",
          "chats.jsonl",
          "--samples",
          "3",
          "--max-tokens",
          "16",
          "--context-size",
          "1024",
          "--threads",
          "1",
          "--judge-url",
          judgeUrl,
          "--judge-max-reasoning",
          "8",
          "--json",
        ],
        { env: bareEnv(home), cwd },
      );
      expect(run.code, run.stderr).toBe(0);
      const card = JSON.parse(run.stdout);
      expect(card).toMatchObject({ status: "COMPLETED", samples: 3, valid: 3, engine: { name: "embedded" } });
    } finally {
      await judge.stop();
    }
  }, 180_000);

  it("validates once: evaluates a committed model with the embedded engine and prints the weights", async () => {
    const { startValidatorNet, quickEvaluation } = await import("../support/validator-net.js");
    const net = await startValidatorNet();
    try {
      net.addModel("val/model-a", 3);
      net.commit(net.miners.bob, "val/model-a", 5_000_001);
      net.devnet.produceBlock();
      const env = {
        ...bareEnv(home),
        ...Object.fromEntries(Object.entries(net.env).filter(([k]) => /^(SN11_|HF_|BT_)/.test(k))),
      };
      const run = await runChild(
        binary,
        ["validate", "--once", "--dry-run", "--metrics-port", "0", "--json", ...quickEvaluation(net)],
        { env, cwd },
      );
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain("/metrics");
      const out = JSON.parse(run.stdout);
      expect(out.evaluations.map((e: { outcome: string }) => e.outcome)).toEqual(["COMPLETED"]);
      // The tiny judge's verdicts can differ under load (llama-server batches concurrent requests): a
      // score of 0 is a win rate of −∞, no weight, and the step rightly sends nothing.
      const scored = (out.evaluations[0].total_score as number) > 0;
      expect(out.steps[0], JSON.stringify(out.steps[0])).toMatchObject(
        scored
          ? { outcome: "dry_run" }
          : { outcome: "not_sent", reason: expect.stringContaining("no uid has weight") },
      );
    } finally {
      await net.stop();
    }
  }, 180_000);

  it("fetches llama.cpp's Vulkan build from the registry on first use (--llama-gpu vulkan)", async () => {
    const { LLAMA_GPU_PACKAGES } = await import("../../src/eval/engines/llama-binaries.js");
    const { LocalNpmRegistry, tarballFromNpmCache } = await import("../support/npm-registry.js");
    const vulkan = LLAMA_GPU_PACKAGES.vulkan[0] as (typeof LLAMA_GPU_PACKAGES.vulkan)[number];
    const tarball = tarballFromNpmCache(vulkan);
    if (!tarball) {
      process.stderr.write(`skipping: ${vulkan.name} is not in ~/.npm's cache\n`);
      return;
    }
    const registry = await LocalNpmRegistry.start();
    registry.publish(vulkan, tarball);
    // A judge that answers every call with one fixed verdict: the preflight needs one that answers.
    const judge = createServer((req, res) => {
      req.resume();
      const verdict = {
        realism_win: "tie",
        entertainment_win: "tie",
        coherency_win: "tie",
        realism_win_reasoning: "",
        entertainment_win_reasoning: "",
        coherency_win_reasoning: "",
      };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ choices: [{ message: { content: JSON.stringify(verdict) } }] }));
    });
    await new Promise<void>((r) => judge.listen(0, "127.0.0.1", r));
    try {
      const model = join(cwd, "tiny-gpu.gguf");
      writeFileSync(model, readFileSync((await import("../support/engines/llama.js")).tinyModelPath()));
      const chat = {
        system_prompt: "card",
        messages: [
          { role: "user", content: "hi" },
          { role: "assistant", content: "yo" },
        ],
      };
      writeFileSync(join(cwd, "gpu-chats.jsonl"), `${JSON.stringify(chat)}\n`);
      const args = [
        "score",
        "./tiny-gpu.gguf",
        "--engine",
        "embedded",
        "--llama-gpu",
        "vulkan",
        "--progress",
        "json",
      ];
      const common = [
        "--chat-template",
        "chatml",
        "--dataset",
        "gpu-chats.jsonl",
        "--samples",
        "1",
        "--max-tokens",
        "4",
      ];
      const env = {
        ...bareEnv(home),
        SN11_NPM_REGISTRY: registry.url,
        SN11_JUDGE_URL: `http://127.0.0.1:${(judge.address() as AddressInfo).port}/v1`,
      };
      const first = await runChild(binary, [...args, ...common], { env, cwd });
      const runtimeRoot = join(home, ".cache", "sn11", "runtime");
      const [dir] = (await import("node:fs")).readdirSync(runtimeRoot).filter((d) => !d.startsWith("."));
      const installed = join(
        runtimeRoot,
        dir as string,
        "node_modules",
        "@node-llama-cpp",
        "linux-x64-vulkan",
      );
      expect(existsSync(join(installed, "package.json")), first.stderr).toBe(true);
      expect(registry.requests).toHaveLength(1);
      expect(first.stderr).toMatch(/"stage":"gpu-build","done":(\d+),"total":\1/);
      // Without a Vulkan driver (this machine) the engine says so; with one, it scores.
      if (first.code !== 0) {
        expect(first.code).toBe(70);
        expect(first.stderr).toContain("llama.cpp's vulkan build does not run on this machine");
      }
      await runChild(binary, [...args, ...common], { env, cwd });
      expect(registry.requests).toHaveLength(1);
    } finally {
      await registry.stop();
      judge.close();
    }
  }, 180_000);

  it("re-extracts a runtime whose marker is damaged", async () => {
    const runtimeRoot = join(home, ".cache", "sn11", "runtime");
    const [dir] = (await import("node:fs")).readdirSync(runtimeRoot).filter((d) => !d.startsWith("."));
    writeFileSync(join(runtimeRoot, dir as string, ".complete"), "garbage");
    const run = await runChild(binary, ["--version"], { env: bareEnv(home), cwd });
    expect(run.code).toBe(0);
    expect(readFileSync(join(runtimeRoot, dir as string, ".complete"), "utf8")).toMatch(/^[0-9a-f]{64}$/);
  });
});
