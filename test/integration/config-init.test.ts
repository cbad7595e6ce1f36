import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanEnv, runInProcess, tempDir } from "../support/cli.js";

describe("sn11 config init and validate's options in the config file", () => {
  it("writes a 0600 file from this run's settings (no secrets) and the validate options after --", async () => {
    const env = cleanEnv({ SN11_JUDGE_API_KEY: "sk-never-in-the-file" });
    const run = await runInProcess(
      [
        "--network",
        "test",
        "--wallet.name",
        "validator",
        "config",
        "init",
        "--",
        "--engine",
        "vllm",
        "--gpus",
        "0,1",
        "--metrics-port",
        "9311",
      ],
      { env },
    );
    expect(run.code, run.stderr).toBe(0);
    const file = join(env.HOME as string, ".config/sn11/config.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain("sk-never-in-the-file");
    const doc = JSON.parse(text);
    expect(doc).toMatchObject({
      network: "test",
      walletName: "validator",
      validate: { engine: "vllm", gpus: "0,1", metricsPort: 9311 },
    });
    expect(doc["//"]).toEqual(expect.arrayContaining([expect.stringContaining("Precedence: flags")]));
    const again = await runInProcess(["config", "init"], { env });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("pass --force to replace it");
    const typo = await runInProcess(["config", "init", "--force", "--", "--engin", "vllm"], { env });
    expect(typo.code).toBe(2);

    const shown = await runInProcess(["config", "--json"], { env: { ...env, SN11_VALIDATE_GPUS: "2" } });
    const out = JSON.parse(shown.stdout);
    expect(out.sources.network).toBe(`file ${file}`);
    expect(out.validate.engine).toEqual({ value: "vllm", from: `file ${file}` });
    expect(out.validate.gpus).toEqual({ value: "2", from: "env SN11_VALIDATE_GPUS" });
    expect(out.validate.threads.from).toBe("default");
  });

  it("sn11 validate takes its options from the file; a bad one is exit 78 naming the file and the key", async () => {
    const env = cleanEnv({ SN11_DATA_DIR: tempDir(), SN11_JUDGE_URL: "http://127.0.0.1:9/v1" });
    const file = join(tempDir(), "sn11.json");
    writeFileSync(
      file,
      JSON.stringify({ validate: { dataset: "/nonexistent/chats.jsonl", engine: "embedded" } }),
    );
    const used = await runInProcess(["--config", file, "validate", "--once", "--offline"], { env });
    expect(used.code).toBe(2);
    expect(used.stderr).toContain("the dataset /nonexistent/chats.jsonl does not exist");
    writeFileSync(file, JSON.stringify({ validate: { engine: "gpt" } }));
    const bad = await runInProcess(["--config", file, "validate", "--once", "--offline"], { env });
    expect(bad.code).toBe(78);
    expect(bad.stderr).toContain(`config file ${file}: validate.engine:`);
    writeFileSync(file, JSON.stringify({ validate: { engin: "vllm" } }));
    const unknown = await runInProcess(["--config", file, "validate", "--once"], { env });
    expect(unknown.code).toBe(78);
    expect(unknown.stderr).toContain('"validate" has no option "engin"');
    // A flag still wins over the file.
    writeFileSync(file, JSON.stringify({ validate: { dataset: "/nonexistent/chats.jsonl" } }));
    const flag = await runInProcess(
      ["--config", file, "validate", "--once", "--offline", "--dataset", "/other/x.jsonl"],
      { env },
    );
    expect(flag.stderr).toContain("the dataset /other/x.jsonl does not exist");
  });
});
