import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanEnv, runBin, tempDir } from "../support/cli.js";

// As a child process: the unit's ExecStart is this sn11 (node and bin/sn11.mjs), as a user runs it.
function env() {
  const home = tempDir("sn11-home-");
  return { home, env: cleanEnv({ HOME: home, SN11_DATA_DIR: join(home, "data") }) };
}

const VALIDATE = ["--engine", "vllm", "--gpus", "0,1", "--dataset", "api", "--metrics-port", "9311"];

/** systemd-analyze's own check of a unit file, where it can run (it needs no running systemd). */
function verify(unit: string): string | null {
  try {
    return execFileSync("systemd-analyze", ["verify", unit], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (error) {
    const text = String((error as { stderr?: string }).stderr ?? "");
    if ((error as NodeJS.ErrnoException).code === "ENOENT" || /Failed to initialize manager/.test(text))
      return null;
    return text;
  }
}

describe("sn11 service install / uninstall (a user unit in a temporary HOME)", () => {
  it("writes the unit and a 0600 environment file, prints the systemctl lines; systemd accepts the unit", async () => {
    const { home, env: e } = env();
    const run = await runBin(["service", "install", "--user", "--", ...VALIDATE], { env: e });
    expect(run.code, run.stderr).toBe(0);
    const unit = join(home, ".config/systemd/user/sn11-validator.service");
    const secrets = join(home, ".config/sn11/sn11-validator.env");
    expect(run.stdout).toContain(`wrote ${unit}`);
    expect(run.stdout).toContain("systemctl --user enable --now sn11-validator");
    expect(run.stdout).toContain("journalctl --user -u sn11-validator -f");
    const text = readFileSync(unit, "utf8");
    expect(text).toMatch(
      new RegExp(
        `^ExecStart=${process.execPath} \\S+/bin/sn11\\.mjs --data-dir ${home}/data --network finney --netuid 11 --profile dippy-2025-03 --wallet\\.name default --wallet\\.hotkey default --wallet\\.path ${home}/\\.bittensor/wallets validate --engine vllm --gpus 0,1 --dataset api --metrics-port 9311$`,
        "m",
      ),
    );
    expect(statSync(unit).mode & 0o777).toBe(0o644);
    expect(statSync(secrets).mode & 0o777).toBe(0o600);
    expect(existsSync(join(home, "data"))).toBe(true);
    const verdict = verify(unit);
    if (verdict === null)
      process.stderr.write("systemd-analyze is not available here: the unit is checked by its text only\n");
    else expect(verdict).toBe("");
  });

  it("an existing unit needs --force; the secrets are kept and made 0600; uninstall removes the unit only", async () => {
    const { home, env: e } = env();
    expect((await runBin(["service", "install", "--user", "--", ...VALIDATE], { env: e })).code).toBe(0);
    const secrets = join(home, ".config/sn11/sn11-validator.env");
    writeFileSync(secrets, "SN11_JUDGE_API_KEY=sk-keep-me\n");
    chmodSync(secrets, 0o644);
    const again = await runBin(["service", "install", "--user", "--", ...VALIDATE], { env: e });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("pass --force to replace it");
    const forced = await runBin(["service", "install", "--user", "--force", "--", "--engine", "vllm"], {
      env: e,
    });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain("(kept, mode 0600)");
    expect(readFileSync(secrets, "utf8")).toBe("SN11_JUDGE_API_KEY=sk-keep-me\n");
    expect(statSync(secrets).mode & 0o777).toBe(0o600);
    const removed = await runBin(["service", "uninstall", "--user"], { env: e });
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain("systemctl --user disable --now sn11-validator");
    expect(existsSync(join(home, ".config/systemd/user/sn11-validator.service"))).toBe(false);
    expect(existsSync(secrets)).toBe(true);
    expect((await runBin(["service", "uninstall", "--user"], { env: e })).code).toBe(2);
  });

  it("refuses validate options validate would refuse, and --once; --print writes nothing", async () => {
    const { home, env: e } = env();
    const typo = await runBin(["service", "install", "--user", "--", "--engin", "vllm"], { env: e });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("the validate options after --: unknown option '--engin'");
    const value = await runBin(["service", "install", "--user", "--", "--engine", "gpt"], { env: e });
    expect(value.code).toBe(2);
    const once = await runBin(["service", "install", "--user", "--", "--once"], { env: e });
    expect(once.code).toBe(2);
    expect(once.stderr).toContain("a service runs the daemon: drop --once");
    const printed = await runBin(
      ["service", "install", "--print", "--run-as", "validator", "--", "--engine", "vllm"],
      { env: e },
    );
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toContain("User=validator");
    expect(printed.stdout).toContain("WantedBy=multi-user.target");
    expect(existsSync(join(home, ".config"))).toBe(false);
  });

  it("--worker: a unit that runs sn11 worker with worker options, checked as sn11 worker checks them", async () => {
    const { env: e } = env();
    const printed = await runBin(
      ["service", "install", "--worker", "--user", "--print", "--", "--engine", "vllm", "--gpus", "0:1"],
      { env: e },
    );
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toMatch(/^ExecStart=.* worker --engine vllm --gpus 0:1$/m);
    expect(printed.stdout).toContain(
      "Description=sn11 evaluation worker for Bittensor subnet 11 (sn11-worker)",
    );
    const validateOnly = await runBin(
      ["service", "install", "--worker", "--user", "--print", "--", "--dry-run"],
      { env: e },
    );
    expect(validateOnly.code).toBe(2);
    expect(validateOnly.stderr).toContain("the worker options after --: unknown option '--dry-run'");
    const batch = await runBin(["service", "install", "--worker", "--user", "--", "--until-empty"], {
      env: e,
    });
    expect(batch.code).toBe(2);
  });
});
