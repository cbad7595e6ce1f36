import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { engineBinary, resolveBinary } from "../../src/eval/engines/engine-check.js";
import { assertFreeVram, parseGpuGroups, parseNvidiaSmi } from "../../src/eval/engines/gpu.js";
import { samplingFields } from "../../src/eval/engines/openai-http.js";
import {
  parseLlamaServerVersion,
  parseVllmVersion,
  vllmReady,
  vllmServeArgs,
} from "../../src/eval/engines/vllm.js";
import { findProfile } from "../../src/scoring/profile.js";
import { VLLM_FLAGS } from "../support/engines/vllm.js";

describe("vLLM launch and readiness", () => {
  it("launches with the reference's settings and a seed", () => {
    const args = vllmServeArgs({
      model: "/models/x",
      port: 8001,
      profile: findProfile("dippy-2025-03")!,
      seed: 42,
    });
    const flag = (name: string) => args[args.indexOf(name) + 1];
    expect(args.slice(0, 2)).toEqual(["serve", "/models/x"]);
    expect(flag("--max-model-len")).toBe("8192");
    expect(flag("--max-num-seqs")).toBe("16");
    expect(flag("--dtype")).toBe("auto");
    expect(flag("--seed")).toBe("42");
    expect(flag("--host")).toBe("127.0.0.1");
    expect(args).not.toContain("--gpu-memory-utilization");
  });

  it.each<[number, unknown, boolean]>([
    [200, { data: [{ id: "model" }] }, true],
    [200, { data: [{ id: "other" }] }, false],
    [200, { data: [] }, false],
    [503, { data: [{ id: "model" }] }, false],
    [200, null, false],
  ])("health %i with %j → ready %s", (health, models, ready) => {
    expect(vllmReady(health, models)).toBe(ready);
  });
});

describe("free VRAM before vLLM starts", () => {
  const smi = "0, 81920, 80000\n1, 81920, 2000\n";
  it("parses nvidia-smi's CSV", () => {
    expect(parseNvidiaSmi(smi)).toEqual([
      { index: 0, totalMiB: 81920, freeMiB: 80000 },
      { index: 1, totalMiB: 81920, freeMiB: 2000 },
    ]);
  });
  it("accepts a GPU with the share free and refuses a busy one, naming the numbers", () => {
    expect(assertFreeVram(parseNvidiaSmi(smi), 0.9, 0).index).toBe(0);
    expect(() => assertFreeVram(parseNvidiaSmi(smi), 0.9, 1)).toThrow(
      /GPU 1 has 2000 MiB free; vLLM needs 73728 MiB/,
    );
    expect(() => assertFreeVram(parseNvidiaSmi(smi), 0.9, 3)).toThrow(/not among 0, 1/);
  });
});

describe("vLLM's options across releases", () => {
  const flagsOf = (args: string[]) => args.filter((a) => a.startsWith("--"));
  const launches = [
    vllmServeArgs({ model: "/m", port: 1, profile: findProfile("dippy-2025-03")!, seed: 1 }),
    vllmServeArgs({
      model: "/m",
      port: 1,
      profile: findProfile("dippy-2025-03")!,
      seed: 1,
      tensorParallelSize: 4,
      gpuMemoryUtilization: 0.85,
    }),
  ];
  it.each(["0.8.5", "current"] as const)("every option sn11 passes is one vLLM %s accepts", (release) => {
    for (const args of launches) {
      expect(flagsOf(args).filter((f) => !VLLM_FLAGS[release].includes(f))).toEqual([]);
    }
  });
  it("the removed --disable-log-requests is not passed (the data knows it is gone)", () => {
    expect(VLLM_FLAGS["0.8.5"]).toContain("--disable-log-requests");
    expect(VLLM_FLAGS.current).not.toContain("--disable-log-requests");
    for (const args of launches) expect(args).not.toContain("--disable-log-requests");
  });
  it("splits the model over the group's GPUs", () => {
    const flag = (args: string[], name: string) => args[args.indexOf(name) + 1];
    expect(flag(launches[0] as string[], "--tensor-parallel-size")).toBe("1");
    expect(flag(launches[1] as string[], "--tensor-parallel-size")).toBe("4");
  });
});

describe("--gpus groups", () => {
  it.each<[string, string[][]]>([
    ["0", [["0"]]],
    ["0,1", [["0", "1"]]],
    [
      "0,1:2,3",
      [
        ["0", "1"],
        ["2", "3"],
      ],
    ],
    ["3:1", [["3"], ["1"]]],
  ])("%s → %j", (text, groups) => {
    expect(parseGpuGroups(text)).toEqual(groups);
  });
  it.each([
    ["0,,1", /expected GPU indices/],
    ["a", /expected GPU indices/],
    ["0:", /expected GPU indices/],
    ["0,1:1", /GPU 1 is given twice/],
  ])("refuses %s", (text, message) => {
    expect(() => parseGpuGroups(text)).toThrow(message);
  });
});

describe("engine versions and binaries", () => {
  it.each<[string, string | null]>([
    ["0.11.0\n", "0.11.0"],
    ["INFO 12-01 [__init__.py:239] Automatically detected platform cuda.\n0.8.5.post1\n", "0.8.5.post1"],
    ["v0.10.1+cu128\n", "0.10.1+cu128"],
    ["Traceback (most recent call last):\nImportError: libcudart.so.12\n", null],
  ])("vllm --version %j → %s", (output, version) => {
    expect(parseVllmVersion(output)).toBe(version);
  });
  it.each<[string, string | null]>([
    ["version: 6471 (3f4ad9c1)\nbuilt with cc (GCC) 13.2.0 for x86_64-linux-gnu\n", "6471 (3f4ad9c1)"],
    [
      "version: 0.7.0 (build 11669, commit Debian)\nbuilt with GNU 16.2.0\n",
      "0.7.0 (build 11669, commit Debian)",
    ],
    ["llama-server: unknown option\n", null],
  ])("llama-server --version %j → %s", (output, version) => {
    expect(parseLlamaServerVersion(output)).toBe(version);
  });
  it("finds a bare name on PATH and a path as given; null when not executable", () => {
    const dir = mkdtempSync(join(tmpdir(), "sn11-bin-"));
    const exe = join(dir, "vllm");
    writeFileSync(exe, "#!/bin/sh\n", { mode: 0o755 });
    writeFileSync(join(dir, "plain"), "", { mode: 0o644 });
    expect(resolveBinary("vllm", `/nonexistent:${dir}`)).toBe(exe);
    expect(resolveBinary(exe, "")).toBe(exe);
    expect(resolveBinary("plain", dir)).toBeNull();
    expect(resolveBinary("vllm", "/nonexistent")).toBeNull();
    expect(engineBinary({ engine: "vllm", engineBin: "llama-server" })).toBe("vllm");
    expect(engineBinary({ engine: "vllm", engineBin: "/opt/vllm/bin/vllm" })).toBe("/opt/vllm/bin/vllm");
  });
});

describe("sampling sent to each engine", () => {
  const neutral = findProfile("dippy-2025-03")!.generation.sampling;
  it("vLLM gets its repetition_penalty; llama-server its repeat_penalty; both the rest, explicitly", () => {
    expect(samplingFields(neutral, "vllm")).toEqual({
      top_p: 1,
      top_k: -1,
      min_p: 0,
      presence_penalty: 0,
      frequency_penalty: 0,
      repetition_penalty: 1,
    });
    expect(samplingFields(neutral, "llama-server")).toEqual({
      top_p: 1,
      top_k: -1,
      min_p: 0,
      presence_penalty: 0,
      frequency_penalty: 0,
      repeat_penalty: 1,
    });
  });
  it("vLLM is launched with its own sampling defaults, not the model's generation_config.json", () => {
    const args = vllmServeArgs({ model: "/m", port: 1, profile: findProfile("dippy-2025-03")!, seed: 1 });
    expect(args[args.indexOf("--generation-config") + 1]).toBe("vllm");
  });
});
