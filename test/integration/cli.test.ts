import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanEnv, runBin, runInProcess, tempDir } from "../support/cli.js";
import { HAS_SHARED, noteMissingShared, REPO_ROOT, sharedFile } from "../support/shared.js";
import { buildSnapshot } from "../support/snapshots.js";

function snapshotFile(value: unknown): string {
  const file = join(tempDir(), "snapshot.json");
  writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value));
  return file;
}

describe("sn11 (in-process)", () => {
  it("--version prints the version and the scoring profile ids", async () => {
    const run = await runInProcess(["--version"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^sn11 \d+\.\d+\.\d+/);
    expect(run.stdout).toContain("dippy-2025-03 (default)");
    expect(run.stdout).toContain("dippy-2025-07");
  });

  it("--help lists the commands, global options and exit codes", async () => {
    const run = await runInProcess(["--help"]);
    expect(run.code).toBe(0);
    for (const word of [
      "weights",
      "config",
      "profiles",
      "--json",
      "--data-dir",
      "--network",
      "--profile",
      "Exit codes",
    ]) {
      expect(run.stdout).toContain(word);
    }
  });

  it("a command's --help lists the global options it reads, and only those", async () => {
    const submit = await runInProcess(["submit", "--help"]);
    expect(submit.stdout).toContain("Global Options:");
    for (const flag of [
      "--wallet.name",
      "--wallet.hotkey",
      "--wallet.path",
      "--network",
      "--json",
      "--hf-token",
    ])
      expect(submit.stdout).toContain(flag);
    const cache = await runInProcess(["cache", "--help"]);
    expect(cache.stdout).toContain("--data-dir");
    expect(cache.stdout).not.toContain("--wallet.name");
    expect(cache.stdout).not.toContain("--network");
    const validate = await runInProcess(["validate", "--help"]);
    for (const flag of ["--wallet.name", "--network", "--data-dir", "--verbose"])
      expect(validate.stdout).toContain(flag);
  });

  it("sn11 help environment lists every variable sn11 reads; the root help points there and fits 80 columns", async () => {
    const run = await runInProcess(["help", "environment"]);
    expect(run.code).toBe(0);
    for (const name of [
      "SN11_JUDGE_URL",
      "SN11_JUDGE_API_KEY",
      "OPENROUTER_API_KEY",
      "HF_ENDPOINT",
      "HF_TOKEN",
      "BT_WALLET_NAME",
      "BT_WALLET_HOTKEY",
      "BT_WALLET_PATH",
      "SN11_DATASET_API_URL",
      "SN11_DATASET_API_TOKEN",
      "SN11_CHAIN_TIMEOUT",
      "SN11_WALLET_PASSWORD",
      "SN11_CONFIG",
      "NO_COLOR",
      "SN11_VALIDATE_METRICS_PORT",
    ])
      expect(run.stdout).toMatch(new RegExp(`^  ${name} `, "m"));
    const widest = (text: string) => Math.max(...text.split("\n").map((l) => l.length));
    expect(widest(run.stdout)).toBeLessThanOrEqual(80);
    const root = await runInProcess(["--help"]);
    expect(root.stdout).toContain("sn11 help environment");
    expect(widest(root.stdout)).toBeLessThanOrEqual(80);
    expect((await runInProcess(["help", "score"])).stdout).toContain("Usage: sn11 score");
    const unknown = await runInProcess(["help", "nope"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: no help topic 'nope'\nhint: /);
  });

  it("commander's own errors follow error:/hint:, in text and as one JSON line", async () => {
    const text = await runInProcess(["wieghts"]);
    expect(text.code).toBe(2);
    expect(text.stderr).toBe(
      "error: unknown command 'wieghts'\nhint: did you mean weights? (--help for usage)\n",
    );
    const json = await runInProcess(["--json", "wieghts"]);
    expect(JSON.parse(json.stderr)).toEqual({
      error: {
        kind: "usage",
        message: "unknown command 'wieghts'",
        hint: "did you mean weights? (--help for usage)",
      },
    });
    const missing = await runInProcess(["check"]);
    expect(missing.stderr).toBe("error: missing required argument 'repo'\nhint: run with --help for usage\n");
  });

  it("no command prints help on stderr and exits 2", async () => {
    const run = await runInProcess([]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("Usage: sn11");
  });

  it("an unknown option or command exits 2", async () => {
    expect((await runInProcess(["weights", "--bogus"])).code).toBe(2);
    expect((await runInProcess(["frobnicate"])).code).toBe(2);
    expect((await runInProcess(["--profile", "dippy-1999", "profiles"])).code).toBe(2);
  });

  it("weights --snapshot --json prints exactly one JSON document and records it in the store", async () => {
    const env = cleanEnv();
    const file = snapshotFile(
      buildSnapshot([{ score: 0.61, block: 4_900_000 }, { score: 0.63, block: 4_950_000 }, {}]),
    );
    const run = await runInProcess(["weights", "--snapshot", file, "--json"], { env });
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.profile).toBe("dippy-2025-03");
    expect(out.registry).toHaveLength(3);
    expect(out.win_rate).toEqual({ "0": 0.5, "1": 1, "2": null });
    expect(out.emit.uids).toEqual([0, 1]);
    expect(out.snapshot_digest).toMatch(/^[0-9a-f]{64}$/);

    const history = await runInProcess(["weights", "--history", "--json"], { env });
    expect(history.code).toBe(0);
    const entries = JSON.parse(history.stdout);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      source: "snapshot",
      source_ref: file,
      block: 5_100_000,
      uids: 3,
      emitted: 2,
    });
  });

  it("--no-record leaves the history empty; text history says so", async () => {
    const env = cleanEnv();
    const file = snapshotFile(buildSnapshot([{ score: 0.5 }]));
    expect((await runInProcess(["weights", "--snapshot", file, "--no-record"], { env })).code).toBe(0);
    const history = await runInProcess(["weights", "--history"], { env });
    expect(history.stdout).toContain("no weight computations recorded yet");
  });

  it("text mode prints a table sorted by weight with the reasons", async () => {
    const file = snapshotFile(buildSnapshot([{ noCommitment: true }, { score: 0.4 }, { score: 0.6 }]));
    const run = await runInProcess(["weights", "--snapshot", file]);
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toMatch(/^uid\s+repo\s+block\s+score\s+win\s+weight\s+u16\s+reason$/);
    expect(lines[1]).toMatch(/^\s*2\s/);
    expect(run.stdout).toContain("2 weights to emit");
    expect(run.stdout).toContain("1 uid without a commitment not listed (--wide lists them)");
    const wide = await runInProcess(["weights", "--snapshot", file, "--wide"]);
    const wideLines = wide.stdout.split("\n");
    expect(wideLines[0]).toMatch(/^uid\s+hotkey\s+repo\s+block\s+score\s+win rate\s+weight\s+u16\s+reason$/);
    expect(wideLines[3]).toMatch(/no_commitment$/);
  });

  it("the demo replay fits 80 columns; --wide lists every uid", async () => {
    const demo = join(REPO_ROOT, "examples/demo-step.json");
    const run = await runInProcess(["weights", "--snapshot", demo, "--no-record"]);
    expect(Math.max(...run.stdout.split("\n").map((l) => [...l].length))).toBeLessThanOrEqual(80);
    expect(run.stdout).toContain("66 uids without a commitment not listed");
    const wide = await runInProcess(["weights", "--snapshot", demo, "--no-record", "--wide"]);
    const table = wide.stdout.split("\n\n")[0]?.split("\n") ?? [];
    expect(table).toHaveLength(81); // the header and every uid
  });

  it("the burn uid reads burn, not no_commitment; one weight is singular", async () => {
    const run = await runInProcess([
      "weights",
      "--snapshot",
      join(REPO_ROOT, "examples/demo-step.json"),
      "--no-record",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split("\n")[1]).toMatch(/^\s*74\s.*0\.750000\s+65535\s+burn$/);
    const one = await runInProcess(["weights", "--snapshot", snapshotFile(buildSnapshot([{ score: 0.4 }]))]);
    expect(one.stdout).toContain("\n1 weight to emit · snapshot");
  });

  it("--profile changes the rules (the 2025-07 epoch block rejects older commitments)", async () => {
    const file = snapshotFile(buildSnapshot([{ score: 0.5, block: 5_000_000 }], 6_000_000));
    const run = await runInProcess(["--profile", "dippy-2025-07", "weights", "--snapshot", file, "--json"]);
    const out = JSON.parse(run.stdout);
    expect(out.profile).toBe("dippy-2025-07");
    expect(out.registry[0].reason).toBe("before_epoch");
  });

  it.each<[string, unknown, RegExp]>([
    ["invalid JSON", "{", /is not valid JSON/],
    [
      "a wrong type deep inside",
      { ...buildSnapshot([{ score: 0.5 }]), commitments: [{ hotkey: "h", block: "x", data: "" }] },
      /\$\.commitments\[0\]\.block/,
    ],
    ["a missing field", { netuid: 11 }, /\$\.block/],
  ])("a bad snapshot (%s) exits 2 naming the problem", async (_label, content, message) => {
    const run = await runInProcess(["weights", "--snapshot", snapshotFile(content)]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toContain("    at ");
  });

  it("a missing snapshot file exits 2; --verbose adds the stack", async () => {
    const run = await runInProcess(["weights", "--snapshot", "/nonexistent/s.json"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("error: snapshot /nonexistent/s.json does not exist");
    expect(run.stderr).toContain("hint: sn11 snapshot --out FILE");
    const verbose = await runInProcess(["--verbose", "weights", "--snapshot", "/nonexistent/s.json"]);
    expect(verbose.stderr).toContain("    at ");
  });

  it("weights needs exactly one of --snapshot or --history", async () => {
    const run = await runInProcess(["weights"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("hint:");
  });

  it("config --json shows values, sources, and never a secret", async () => {
    const env = cleanEnv({ SN11_NETWORK: "test", HF_TOKEN: "hf_supersecret" });
    const run = await runInProcess(["--netuid", "12", "config", "--json"], { env });
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.config).toMatchObject({ network: "test", netuid: 12, hfToken: "[redacted]" });
    expect(out.sources).toMatchObject({
      network: "env SN11_NETWORK",
      netuid: "flag --netuid",
      profile: "default",
    });
    expect(run.stdout + run.stderr).not.toContain("hf_supersecret");
  });

  it("btcli-style wallet flags reach the configuration", async () => {
    const run = await runInProcess(["--wallet.name", "miner", "--wallet.hotkey", "hk1", "config", "--json"]);
    const out = JSON.parse(run.stdout);
    expect(out.config).toMatchObject({ walletName: "miner", walletHotkey: "hk1" });
    expect(out.sources.walletName).toBe("flag --wallet.name");
  });

  it("a malformed config file exits 78 naming the file and the key", async () => {
    const dir = tempDir();
    const file = join(dir, "config.json");
    writeFileSync(file, JSON.stringify({ netuid: "eleven" }));
    const run = await runInProcess(["--config", file, "config"]);
    expect(run.code).toBe(78);
    expect(run.stderr).toContain(file);
    expect(run.stderr).toContain('"netuid"');
  });

  it("with --json an expected error is one JSON line on stderr", async () => {
    const run = await runInProcess(["weights", "--snapshot", "/nonexistent/s.json", "--json"]);
    expect(run.stdout).toBe("");
    expect(JSON.parse(run.stderr).error.kind).toBe("usage");
  });

  it("a cancelled run exits 130 and still cleans up", async () => {
    const controller = new AbortController();
    controller.abort();
    const run = await runInProcess(["profiles"], { signal: controller.signal });
    expect(run.code).toBe(130);
  });

  it("profiles --json lists both profiles as data", async () => {
    const out = JSON.parse((await runInProcess(["profiles", "--json"])).stdout);
    expect(out.default).toBe("dippy-2025-03");
    expect(out.profiles.map((p: { id: string }) => p.id)).toEqual(["dippy-2025-03", "dippy-2025-07"]);
    expect(out.profiles[1].burn.ratio).toBe(0.99999999999);
  });

  it("replays a 4096-uid snapshot", async () => {
    const miners = Array.from({ length: 4096 }, (_, i) =>
      i % 7 === 0 ? { noCommitment: true } : { score: (i % 97) / 100, block: 4_900_000 + (i % 13) },
    );
    const run = await runInProcess([
      "weights",
      "--snapshot",
      snapshotFile(buildSnapshot(miners)),
      "--json",
      "--no-record",
    ]);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.weights).toHaveLength(4096);
    expect(out.registry[74].uid).toBe(74);
    // uid 74 is the burn uid: 75 % of the softmax mass, renormalised.
    expect(out.weights[74]).toBeGreaterThan(0.74);
    expect(Math.max(...out.emit.weights)).toBe(65535);
  });
});

describe("sn11 as a child process (npm entry point)", () => {
  it("exit codes: 0 ok, 2 usage, 78 config", async () => {
    expect((await runBin(["--version"])).code).toBe(0);
    expect((await runBin(["weights", "--snapshot", "/nonexistent.json"])).code).toBe(2);
    const env = cleanEnv({ SN11_CONFIG: "/nonexistent/config.json" });
    const config = await runBin(["config"], { env });
    expect(config.code).toBe(78);
    expect(config.stderr).toMatch(/^error: cannot read config file/);
  });

  it("stdout stays a single JSON document while debug logs go to stderr", async () => {
    const env = cleanEnv({ SN11_LOG: "debug" });
    const file = snapshotFile(buildSnapshot([{ score: 0.5 }, { score: 0.4 }]));
    const run = await runBin(["weights", "--snapshot", file, "--json"], { env });
    expect(run.code).toBe(0);
    // uid 1 wins nothing: exp(0) against exp(1/0.075) ≈ 6.2e5 rounds to 0 in u16 and is dropped.
    expect(JSON.parse(run.stdout).emit.uids).toEqual([0]);
    const logLines = run.stderr
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(logLines.some((l) => l.msg === "replayed snapshot")).toBe(true);
  });
});

noteMissingShared("the CLI replay of the shared example");
describe.skipIf(!HAS_SHARED)("sn11 weights on the shared example", () => {
  it("matches the expected output", async () => {
    const run = await runInProcess([
      "weights",
      "--snapshot",
      sharedFile("examples/snapshot-small.json"),
      "--json",
    ]);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    const expected = JSON.parse(readFileSync(sharedFile("examples/snapshot-small.expected.json"), "utf8"));
    expect(out.emit.uids).toEqual(expected.emit.uids);
    for (const [i, w] of (out.weights as number[]).entries()) {
      expect(Math.abs(w - expected.weights[i])).toBeLessThan(1e-5);
    }
  });
});

describe("bounds and bodies that are not what they should be", () => {
  it("every expected error carries a hint: one of its own, or where to look next for its kind", async () => {
    const env = cleanEnv({ SN11_DATA_DIR: tempDir() });
    const text = await runInProcess(["validate", "--dry-run", "--offline"], { env });
    expect(text.code).toBe(2);
    expect(text.stderr).toMatch(
      /^error: give --dry-run or --offline, not both\nhint: run the command with --help/,
    );
    const json = await runInProcess(["--json", "validate", "--dry-run", "--offline"], { env });
    expect(JSON.parse(json.stderr.trim()).error.hint).toContain("--help");
  });

  it("under --json a usage error from the option parser is one JSON line too", async () => {
    const run = await runInProcess(["--json", "score", "--frobnicate"], {
      env: cleanEnv({ SN11_DATA_DIR: tempDir() }),
    });
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stderr.trim())).toEqual({
      error: { kind: "usage", message: "unknown option '--frobnicate'", hint: "run with --help for usage" },
    });
  });

  it.each([
    ["--max-tokens", "1000000000000"],
    ["--samples", "1e9"],
    ["--context-size", "99999999"],
  ])("%s %s is a usage error (exit 2), not something an engine finds out", async (flag, value) => {
    const run = await runInProcess(["score", "x.gguf", "--chat-template", "chatml", flag, value], {
      env: cleanEnv({ SN11_DATA_DIR: tempDir() }),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(flag);
  });

  it("a dataset API that answers garbage: exit 69 with the URL and the first bytes, never a bug", async () => {
    const server = createServer((_req, res) =>
      res.writeHead(200, { "content-type": "text/html" }).end("<html>oops</html>"),
    );
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dataset`;
      const { fetchDippyApiRows } = await import("../../src/eval/datasets/sources.js");
      const error = await fetchDippyApiRows({ url, startDate: "1", endDate: "2", limit: 1 }).catch((e) => e);
      expect(error.exitCode).toBe(69);
      expect(error.message).toContain("answered something other than JSON");
      expect(error.message).toContain("<html>oops</html>");
    } finally {
      server.close();
    }
  });
});

describe("what a btcli or Hugging Face CLI user types", () => {
  it("--json --version is one JSON document; -y is --yes; --subtensor.* set the network; a missing flag is 'required'", async () => {
    const version = await runInProcess(["--json", "--version"]);
    expect(version.code).toBe(0);
    expect(JSON.parse(version.stdout)).toMatchObject({
      version: expect.any(String),
      default_profile: "dippy-2025-03",
    });
    const yes = await runInProcess([
      "weights",
      "--snapshot",
      join(REPO_ROOT, "examples/demo-step.json"),
      "--no-record",
      "-y",
    ]);
    expect(yes.code, yes.stderr).toBe(0);
    for (const flag of ["--subtensor.network", "--subtensor.chain_endpoint"]) {
      const run = await runInProcess([flag, "ws://127.0.0.1:9", "config", "--json"], {
        env: cleanEnv({ SN11_DATA_DIR: tempDir() }),
      });
      expect(JSON.parse(run.stdout).config.network).toBe("ws://127.0.0.1:9");
    }
    const token = await runInProcess(["--hf-token", "hf_flag_secret", "config", "--json"], {
      env: cleanEnv(),
    });
    expect(JSON.parse(token.stdout)).toMatchObject({
      config: { hfToken: "[redacted]" },
      sources: { hfToken: "flag --hf-token" },
    });
    expect(token.stdout).not.toContain("hf_flag_secret");
    const noWallet = await runInProcess(["status"], {
      env: cleanEnv({ BT_WALLET_PATH: tempDir(), SN11_DATA_DIR: tempDir() }),
    });
    expect(noWallet.code).toBe(78);
    expect(noWallet.stderr).toMatch(/error: no hotkey at .*\/default\/hotkeys\/default/);
    const missing = await runInProcess(["render", "--chat-template", "chatml"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("error: --conversation is required");
  });
});
