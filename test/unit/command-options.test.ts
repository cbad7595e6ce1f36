import { describe, expect, it } from "vitest";
import { z } from "zod";
import { commandEnvName, commandOptions, parseCommandOptions } from "../../src/config/command-options.js";

const schema = z.object({
  engine: z.enum(["vllm", "embedded"]).default("embedded"),
  metricsPort: z.coerce.number().int().positive().optional(),
  offline: z.boolean().default(false),
  gpus: z.string().optional(),
});

const merge = (o: {
  cli?: Record<string, unknown>;
  fromCli?: string[];
  section?: Record<string, unknown>;
  env?: Record<string, string>;
}) =>
  commandOptions({
    command: "validate",
    schema,
    cli: { engine: "embedded", offline: false, ...o.cli },
    fromCli: new Set(o.fromCli ?? []),
    section: o.section,
    file: "/etc/sn11.json",
    env: o.env ?? {},
  });

describe("a command's options from flags, SN11_<COMMAND>_<OPTION>, the config file's section, defaults", () => {
  it("names the variables after the options", () => {
    expect(commandEnvName("validate", "metricsPort")).toBe("SN11_VALIDATE_METRICS_PORT");
    expect(commandEnvName("validate", "gpus")).toBe("SN11_VALIDATE_GPUS");
  });

  it.each([
    [
      "a flag beats everything",
      {
        cli: { engine: "vllm" },
        fromCli: ["engine"],
        env: { SN11_VALIDATE_ENGINE: "embedded" },
        section: { engine: "embedded" },
      },
      "vllm",
      "flag",
    ],
    [
      "the environment beats the file",
      { env: { SN11_VALIDATE_ENGINE: "vllm" }, section: { engine: "embedded" } },
      "vllm",
      "env",
    ],
    ["the file beats the default", { section: { engine: "vllm" } }, "vllm", "file"],
    ["the default when nothing says otherwise", {}, "embedded", "default"],
  ] as const)("%s", (_name, input, value, kind) => {
    const merged = merge(input as never);
    expect(merged.values.engine).toBe(value);
    expect(merged.sources.engine?.kind).toBe(kind);
  });

  it("a switch from the environment reads true/false/1/0/yes/no; anything else is a config error", () => {
    expect(merge({ env: { SN11_VALIDATE_OFFLINE: "yes" } }).values.offline).toBe(true);
    expect(merge({ env: { SN11_VALIDATE_OFFLINE: "0" } }).values.offline).toBe(false);
    expect(() => merge({ env: { SN11_VALIDATE_OFFLINE: "maybe" } })).toThrow(
      /SN11_VALIDATE_OFFLINE: expected true or false/,
    );
  });

  it("an unknown option in the section is a config error naming the file and listing the options", () => {
    expect(() => merge({ section: { engin: "vllm" } })).toThrow(
      /config file \/etc\/sn11\.json: "validate" has no option "engin"/,
    );
    expect(merge({ section: { "//": "a comment" } }).sources.engine?.kind).toBe("default");
  });

  it("a bad value is blamed on where it came from", () => {
    const bad = (input: Parameters<typeof merge>[0]) => {
      const m = merge(input);
      return () => parseCommandOptions(schema, m.values, m.sources, "validate");
    };
    expect(bad({ section: { metricsPort: -1 } })).toThrow(
      /^config file \/etc\/sn11\.json: validate\.metricsPort: /,
    );
    expect(bad({ env: { SN11_VALIDATE_METRICS_PORT: "x" } })).toThrow(
      /^environment variable SN11_VALIDATE_METRICS_PORT: /,
    );
    expect(bad({ cli: { metricsPort: "x" }, fromCli: ["metricsPort"] })).toThrow(/^--metrics-port: /);
    const good = merge({ env: { SN11_VALIDATE_METRICS_PORT: "9311" } });
    expect(parseCommandOptions(schema, good.values, good.sources, "validate").metricsPort).toBe(9311);
  });
});
