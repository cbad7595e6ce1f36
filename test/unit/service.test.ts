import { describe, expect, it } from "vitest";
import {
  environmentTemplate,
  quoteExecArg,
  systemctlLines,
  systemdUnit,
  type UnitSpec,
} from "../../src/service/unit.js";

describe("sn11 service: the systemd unit", () => {
  it.each([
    ["--gpus", "--gpus"],
    ["0,1:2,3", "0,1:2,3"],
    ["/opt/sn11/bin/sn11", "/opt/sn11/bin/sn11"],
    ["https://openrouter.ai/api/v1", "https://openrouter.ai/api/v1"],
    ["a b", '"a b"'],
    ["50%", "50%%"],
    ["$HOME", '"$$HOME"'],
    ['say "hi"', '"say \\"hi\\""'],
    ["back\\slash", '"back\\\\slash"'],
  ])("ExecStart quotes %j as %s", (arg, quoted) => {
    expect(quoteExecArg(arg)).toBe(quoted);
  });

  const spec: UnitSpec = {
    name: "sn11-validator",
    scope: "system",
    program: ["/usr/local/bin/sn11"],
    globals: ["--data-dir", "/var/lib/sn11", "--network", "finney"],
    validateArgs: ["--engine", "vllm", "--gpus", "0,1", "--judge-url", "https://openrouter.ai/api/v1"],
    dataDir: "/var/lib/sn11",
    environmentFile: "/etc/sn11/sn11-validator.env",
    runAs: "validator",
    version: "0.1.0",
  };

  it("a system unit: the command, the account, restarts except on usage and config errors, a long graceful stop", () => {
    const unit = systemdUnit(spec);
    expect(unit).toContain(
      "ExecStart=/usr/local/bin/sn11 --data-dir /var/lib/sn11 --network finney validate --engine vllm --gpus 0,1 --judge-url https://openrouter.ai/api/v1\n",
    );
    for (const line of [
      "User=validator",
      "Restart=on-failure",
      "RestartPreventExitStatus=2 78",
      "KillMode=mixed",
      "KillSignal=SIGTERM",
      "TimeoutStopSec=600",
      "EnvironmentFile=-/etc/sn11/sn11-validator.env",
      "WorkingDirectory=/var/lib/sn11",
      "StandardOutput=journal",
      "WantedBy=multi-user.target",
    ]) {
      expect(unit.split("\n")).toContain(line);
    }
    expect(unit).not.toMatch(/sk-|hf_/);
  });

  it("a user unit has no User= and starts with the user's session", () => {
    const unit = systemdUnit({ ...spec, scope: "user" });
    expect(unit).not.toContain("User=");
    expect(unit.split("\n")).toContain("WantedBy=default.target");
  });

  it("a worker unit runs sn11 worker with the same restart and stop rules", () => {
    const unit = systemdUnit({
      ...spec,
      name: "sn11-worker",
      command: "worker",
      validateArgs: ["--gpus", "0:1"],
    });
    expect(unit).toContain(
      "ExecStart=/usr/local/bin/sn11 --data-dir /var/lib/sn11 --network finney worker --gpus 0:1\n",
    );
    expect(unit.split("\n")).toEqual(
      expect.arrayContaining(["RestartPreventExitStatus=2 78", "TimeoutStopSec=600"]),
    );
  });

  it("the environment file names the secrets, all commented out", () => {
    const text = environmentTemplate("sn11-validator");
    expect(text).toContain("# SN11_JUDGE_API_KEY=");
    expect(text).toContain("# SN11_STORE=");
    expect(text.split("\n").every((l) => l === "" || l.startsWith("#"))).toBe(true);
  });

  it("systemctl lines for each scope", () => {
    expect(systemctlLines("v", "user").start).toEqual([
      "systemctl --user daemon-reload",
      "systemctl --user enable --now v",
      "journalctl --user -u v -f",
      "loginctl enable-linger $USER    # keep it running after you log out",
    ]);
    expect(systemctlLines("v", "system").stop).toEqual([
      "sudo systemctl disable --now v",
      "sudo systemctl daemon-reload",
    ]);
  });
});
