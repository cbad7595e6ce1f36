import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CleanupRegistry } from "../../src/cleanup.js";
import { commanderOptions, parseOptions } from "../../src/commands/options.js";
import { CancelledError, ConfigError, EXIT, throwIfCancelled, UsageError } from "../../src/errors.js";
import { engineEnvironment } from "../../src/eval/engines/engine-env.js";
import { createLogger } from "../../src/log.js";
import { inertCell, inertText, isUnsafeChar } from "../../src/render/inert.js";
import { forgetSecrets, redact, registerSecret } from "../../src/secrets.js";

describe("createLogger", () => {
  const sink = (isTTY: boolean) => {
    const lines: string[] = [];
    return { lines, writer: { isTTY, write: (s: string) => lines.push(s) } };
  };

  it("writes JSON lines when not a terminal and censors secrets by key at any depth", () => {
    const { lines, writer } = sink(false);
    const logger = createLogger(writer, "info");
    logger.info(
      { hfToken: "hf_abc", wallet: { secretPhrase: "word word word", nested: { password: "pw" } }, uid: 3 },
      "loaded",
    );
    const text = lines.join("");
    expect(text).not.toContain("hf_abc");
    expect(text).not.toContain("word word word");
    expect(text).not.toContain('"pw"');
    const record = JSON.parse(lines[0] as string);
    expect(record).toMatchObject({ msg: "loaded", uid: 3, hfToken: "[redacted]" });
  });

  it("writes readable lines on a terminal and respects the level", () => {
    const { lines, writer } = sink(true);
    const logger = createLogger(writer, "warn");
    logger.info("hidden");
    logger.warn({ block: 5 }, "rate limited");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d WARN rate limited block=5\n$/);
  });
});

describe("CleanupRegistry", () => {
  it("runs handlers last-first, once each, and keeps going after a failure", async () => {
    const order: string[] = [];
    const errors: string[] = [];
    const registry = new CleanupRegistry();
    registry.add("engine", () => order.push("engine"));
    registry.add("socket", () => {
      throw new Error("already closed");
    });
    registry.add("store", async () => {
      order.push("store");
    });
    const remove = registry.add("removed", () => order.push("removed"));
    remove();
    await registry.runAll((name) => errors.push(name));
    await registry.runAll();
    expect(order).toEqual(["store", "engine"]);
    expect(errors).toEqual(["socket"]);
    expect(registry.size).toBe(0);
  });
});

describe("typed errors", () => {
  it("carry exit codes and hints", () => {
    expect(new UsageError("x").exitCode).toBe(EXIT.usage);
    expect(new ConfigError("x", { hint: "fix it" }).hint).toBe("fix it");
    expect(new CancelledError().exitCode).toBe(130);
    const controller = new AbortController();
    throwIfCancelled(controller.signal);
    controller.abort();
    expect(() => throwIfCancelled(controller.signal)).toThrow(CancelledError);
  });
});

describe("options from a zod schema", () => {
  const schema = z.object({
    snapshotFile: z.string().optional().describe("a file"),
    limit: z.coerce.number().int().positive().default(20).describe("how many"),
    record: z.boolean().default(true).describe("do not record"),
    dryRun: z.boolean().default(false).describe("dry"),
    engine: z.enum(["vllm", "embedded"]).default("vllm").describe("engine"),
  });

  it("become kebab-case commander flags with help, choices and --no- negation", () => {
    const flags = commanderOptions(schema).map((o) => [o.flags, o.description, o.argChoices ?? null]);
    expect(flags).toEqual([
      ["--snapshot-file <snapshot-file>", "a file", null],
      ["--limit <n>", "how many", null],
      ["--no-record", "do not record", null],
      ["--dry-run", "dry", null],
      ["--engine <engine>", "engine", ["vllm", "embedded"]],
    ]);
  });

  it("validate to typed values, or a usage error naming the flag", () => {
    expect(parseOptions(schema, { limit: "5", record: false })).toEqual({
      limit: 5,
      record: false,
      dryRun: false,
      engine: "vllm",
    });
    expect(() => parseOptions(schema, { limit: "-1" })).toThrow(/--limit/);
    expect(() => parseOptions(schema, { limit: "x" })).toThrow(UsageError);
  });
});

describe("secrets contained", () => {
  it("a spawned engine's environment: what it needs, never a secret", () => {
    const env = engineEnvironment(
      {
        PATH: "/usr/bin",
        HOME: "/root",
        CUDA_VISIBLE_DEVICES: "0",
        HF_HOME: "/cache/hf",
        HF_TOKEN: "hf_abcdef",
        SN11_JUDGE_API_KEY: "sk-1",
        OPENROUTER_API_KEY: "sk-2",
        SN11_WALLET_PASSWORD: "pw",
        BT_PW__ROOT_WALLET: "pw",
        VLLM_API_KEY: "k",
        VLLM_LOGGING_LEVEL: "INFO",
        AWS_SECRET_ACCESS_KEY: "s",
      },
      { CUDA_VISIBLE_DEVICES: "2,3" },
    );
    expect(env).toEqual({
      PATH: "/usr/bin",
      HOME: "/root",
      CUDA_VISIBLE_DEVICES: "2,3",
      HF_HOME: "/cache/hf",
      VLLM_LOGGING_LEVEL: "INFO",
    });
  });
  it("SN11_ENGINE_ENV passes more variables by name, never a secret-like one", () => {
    const env = engineEnvironment({
      SN11_ENGINE_ENV: "MY_VAR, MY_TOKEN",
      MY_VAR: "1",
      MY_TOKEN: "t",
      OTHER: "x",
    });
    expect(env).toEqual({ MY_VAR: "1" });
  });

  it("registered secret values are replaced wherever they appear; short values are not secrets", () => {
    forgetSecrets();
    registerSecret("sk-or-v1-abcdef");
    registerSecret("abc");
    expect(redact('{"echo":"Bearer sk-or-v1-abcdef"} abc')).toBe('{"echo":"Bearer [redacted]"} abc');
    forgetSecrets();
  });
});

describe("untrusted text is inert on a terminal", () => {
  const unsafe = (s: string) => [...s].some((c) => isUnsafeChar(c.charCodeAt(0)));
  it("control, escape and bidi characters become visible escapes; newlines and tabs stay", () => {
    expect(inertText("a\x1b]0;pwned\x07b\u202ec\nd\te")).toBe("a\\x1b]0;pwned\\x07b\\u202ec\nd\te");
    expect(inertCell("x\ny", 10)).toBe("x\\ny");
    expect(inertCell("a".repeat(300), 10)).toBe(`${"a".repeat(9)}…`);
  });
  it("no input leaves an unsafe character in the output (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (s) => {
        expect(unsafe(inertText(s))).toBe(false);
        expect(inertCell(s).length).toBeLessThanOrEqual(120);
        expect(/[\n\t]/.test(inertCell(s))).toBe(false);
      }),
    );
  });
});
