import { describe, expect, it } from "vitest";
import { assertFreeVram, parseNvidiaSmi } from "../../src/eval/engines/gpu.js";
import { vllmReady, vllmServeArgs } from "../../src/eval/engines/vllm.js";
import { findProfile } from "../../src/scoring/profile.js";

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
