import { describe, expect, it } from "vitest";
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
