import { describe, expect, it } from "vitest";
import { CancelledError } from "../../src/errors.js";
import { EmbeddedEngine } from "../../src/eval/engines/embedded.js";
import { EmbeddedProcessEngine } from "../../src/eval/engines/embedded-process.js";
import { GenerationRefused } from "../../src/eval/engines/engine.js";
import { createLogger } from "../../src/log.js";
import { isProcessAlive } from "../../src/process-alive.js";
import { tinyModelPath } from "../support/engines/llama.js";

describe("the embedded engine in a process of its own (the validator daemon's)", () => {
  const model = tinyModelPath();
  const options = { model, threads: 1, contextSize: 512 };
  const requests = Array.from({ length: 3 }, (_, i) => ({
    prompt: `hello ${i}`,
    maxTokens: 12,
    temperature: 0,
    seed: 7,
  }));

  it("generates what the in-process engine generates; a refused prompt stays GenerationRefused; stop ends the process", async () => {
    const local = new EmbeddedEngine({ ...options, logger: createLogger({ write: () => true }, "silent") });
    await local.start();
    const expected = await local.generate(requests);
    const localCount = await local.countTokens("hello there");
    await local.stop();

    const isolated = new EmbeddedProcessEngine({ ...options, logLevel: "silent" });
    await isolated.start();
    const pid = (isolated as unknown as { child: { pid: number } }).child.pid;
    expect(isProcessAlive(pid)).toBe(true);
    expect(await isolated.generate(requests)).toEqual(expected);
    expect(await isolated.countTokens("hello there")).toBe(localCount);
    expect(await isolated.health()).toBe(true);
    expect(await isolated.version()).toMatch(/llama\.cpp/);
    const refused = isolated.generate([{ prompt: "x ".repeat(2000), maxTokens: 4, temperature: 0 }]);
    await expect(refused).rejects.toBeInstanceOf(GenerationRefused);
    await isolated.stop();
    expect(isProcessAlive(pid)).toBe(false);
    expect(await isolated.health()).toBe(false);
  }, 60_000);

  it("a stop signal mid-generation is a CancelledError, and the process still stops", async () => {
    const isolated = new EmbeddedProcessEngine({ ...options, logLevel: "silent" });
    await isolated.start();
    const controller = new AbortController();
    const run = isolated.generate(
      Array.from({ length: 50 }, (_, i) => ({ prompt: `story ${i}`, maxTokens: 200, temperature: 0 })),
      controller.signal,
    );
    setTimeout(() => controller.abort(), 50);
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    await isolated.stop();
  }, 60_000);

  it("a child killed mid-generation fails what waits on it with an engine error, not the caller's process", async () => {
    const isolated = new EmbeddedProcessEngine({ ...options, logLevel: "silent" });
    await isolated.start();
    const pid = (isolated as unknown as { child: { pid: number } }).child.pid;
    const run = isolated.generate(
      Array.from({ length: 50 }, (_, i) => ({ prompt: `story ${i}`, maxTokens: 200, temperature: 0 })),
    );
    setTimeout(() => process.kill(pid, "SIGKILL"), 50);
    await expect(run).rejects.toThrow(/the embedded engine's process ended \(SIGKILL\)/);
    await expect(isolated.generate(requests)).rejects.toThrow("the embedded engine was not started");
    await isolated.stop();
  }, 60_000);
});
