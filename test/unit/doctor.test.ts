import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { gpuCheck, parseCudaVersion, parseGpuQuery } from "../../src/doctor/gpu.js";
import { doctorExitCode, doctorText, fail, ok, warn } from "../../src/doctor/report.js";
import { REPO_ROOT } from "../support/shared.js";

const fixture = (name: string) => readFileSync(join(REPO_ROOT, "test/support/nvidia-smi", name), "utf8");
const GIB = 1024 ** 3;
const banner = fixture("banner-12.4.txt");

describe("sn11 doctor: the GPU check from nvidia-smi's output", () => {
  it("parses the query: index, name with spaces, driver, memory", () => {
    expect(parseGpuQuery(fixture("one-a100.query"))).toEqual([
      { index: 0, name: "NVIDIA A100-SXM4-80GB", driver: "550.54.15", totalMiB: 81920, freeMiB: 81037 },
    ]);
    expect(parseGpuQuery(fixture("eight-h100.query")).map((g) => g.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(parseCudaVersion(banner)).toBe("12.4");
    expect(parseGpuQuery("garbage\n\n")).toEqual([]);
  });

  it.each([
    [
      "one A100 holds the largest model",
      { kind: "ran", query: fixture("one-a100.query"), banner },
      70 * GIB,
      "ok",
      /1 GPU \(NVIDIA A100-SXM4-80GB ×1\), driver 550\.54\.15, CUDA 12\.4, 79\.1 GiB free/,
    ],
    [
      "eight H100s, one of them busy: the sum counts",
      { kind: "ran", query: fixture("eight-h100.query"), banner: "" },
      80 * GIB,
      "ok",
      /8 GPUs \(NVIDIA H100 80GB HBM3 ×8\), driver 560\.35\.03, 555\.\d GiB free/,
    ],
    [
      "a 4090 is too small for the largest model",
      { kind: "ran", query: fixture("one-4090.query"), banner },
      80 * GIB,
      "warn",
      /less than the 88\.0 GiB/,
    ],
    ["no nvidia-smi at all", { kind: "missing" }, 80 * GIB, "warn", /no nvidia-smi/],
    [
      "nvidia-smi finds no device",
      { kind: "failed", output: fixture("no-devices.out") },
      80 * GIB,
      "warn",
      /finds no GPU/,
    ],
    [
      "driver/library mismatch",
      { kind: "failed", output: fixture("mismatch.out") },
      80 * GIB,
      "fail",
      /Driver\/library version mismatch/,
    ],
  ] as const)("%s", (_name, smi, largest, status, reason) => {
    const result = gpuCheck(smi as never, largest);
    expect(result.status).toBe(status);
    expect(result.reason).toMatch(reason);
    if (status !== "ok") expect(result.hint).toBeTruthy();
  });

  it("a mismatch says to reboot", () => {
    expect(gpuCheck({ kind: "failed", output: fixture("mismatch.out") }, GIB).hint).toMatch(/reboot/);
  });
});

describe("sn11 doctor: the report", () => {
  const results = [
    ok("a", "alpha", "fine"),
    warn("b", "beta", "meh", "do x"),
    fail("c", "gamma", "broken", "do y"),
  ];
  it("exit 1 only when something failed; warnings are 0", () => {
    expect(doctorExitCode(results)).toBe(1);
    expect(doctorExitCode(results.slice(0, 2))).toBe(0);
  });
  it("one line per check, the hint under it, and the counts", () => {
    expect(doctorText(results)).toBe(
      [
        "ok    alpha  fine",
        "warn  beta   meh",
        "             hint: do x",
        "FAIL  gamma  broken",
        "             hint: do y",
        "",
        "1 ok, 1 warnings, 1 failed",
      ].join("\n"),
    );
  });
});
