import { z } from "zod";
import { commandEnvName, commandOptions } from "../config/command-options.js";
import { writeConfigFile } from "../config/init.js";
import { defaultConfigPath, describeSource, redactedConfig } from "../config/load.js";
import { KEY_SPECS } from "../config/schema.js";
import { UsageError } from "../errors.js";
import { type Column, joinFitting, outputWidth, renderTable } from "../render/table.js";
import { parseCommandArgs } from "./args.js";
import { defineCommand } from "./define.js";
import { validateCommand } from "./validate.js";

type Row = { key: string; value: string; source: string; env: string };

function table(rows: readonly Row[], width: number, o: { env: boolean }): string {
  const columns: Column<Row>[] = [
    { header: "key", value: (r) => r.key },
    { header: "value", value: (r) => r.value, shrink: 20 },
    { header: "from", value: (r) => r.source, shrink: 12 },
  ];
  return renderTable(
    o.env ? [...columns, { header: "env", value: (r) => r.env, shrink: 22 }] : columns,
    rows,
    {
      width,
    },
  );
}

export const configCommand = defineCommand({
  name: "config",
  uses: ["chain", "wallet", "store", "hub", "profile"],
  description:
    "Precedence: flags > SN11_* environment > config file (~/.config/sn11/config.json or --config) > defaults.\n" +
    "The file's \"validate\" section holds sn11 validate's options (SN11_VALIDATE_<OPTION> in the environment).\n" +
    "Secrets are shown as [redacted]. `sn11 config init [--force] -- <validate options>` writes the file\n" +
    "(mode 0600) from this run's settings (flags and environment, secrets left out) and those options.",
  examples: [
    "sn11 config",
    "SN11_NETWORK=test sn11 config --json",
    "sn11 --network finney --wallet.name validator config init -- --engine vllm --gpus 0,1 --dataset api",
  ],
  arguments: [
    { name: "action", description: "init: write the config file", required: false },
    {
      name: "validate-options",
      description: "after --, for init: sn11 validate's options",
      required: false,
      variadic: true,
    },
  ],
  options: z.object({
    force: z.boolean().default(false).describe("init: replace an existing file"),
  }),
  async run({ args, options }, ctx) {
    const [action, ...rest] = args;
    if (action === "init") {
      const validate = parseCommandArgs(rest, validateCommand.options, "the validate options after --");
      const file = ctx.loaded.file ?? defaultConfigPath(ctx.env);
      const written = writeConfigFile(file, ctx.loaded, validate, { force: options.force });
      return {
        json: { file, written },
        text: () =>
          `wrote ${file} (mode 0600): ${Object.keys(written.settings).length} settings, ${Object.keys(written.validate).length} validate options\n` +
          "secrets stay in the environment (or the service's EnvironmentFile); sn11 config shows where each value comes from",
      };
    }
    if (action !== undefined)
      throw new UsageError(`unknown action ${action}: sn11 config, or sn11 config init`);
    const { config, sources, file } = ctx.loaded;
    const shown = redactedConfig(config);
    const merged = commandOptions({
      command: "validate",
      schema: validateCommand.options,
      cli: {},
      fromCli: new Set(),
      section: ctx.loaded.sections.validate,
      file,
      env: ctx.env,
    });
    const defaults = validateCommand.options.safeParse({});
    const validateValues = { ...(defaults.success ? defaults.data : {}), ...merged.values } as Record<
      string,
      unknown
    >;
    const validateRows: Row[] = Object.keys(validateCommand.options.shape).map((key) => ({
      key,
      value: validateValues[key] === undefined ? "(unset)" : String(validateValues[key]),
      source: describeSource(merged.sources[key] ?? { kind: "default" }),
      env: commandEnvName("validate", key),
    }));
    const json = {
      file,
      config: shown,
      sources: Object.fromEntries(KEY_SPECS.map((s) => [s.key, describeSource(sources[s.key])])),
      validate: Object.fromEntries(
        validateRows.map((r) => [r.key, { value: validateValues[r.key] ?? null, from: r.source }]),
      ),
    };
    const rows: Row[] = KEY_SPECS.map((s) => ({
      key: s.key,
      value: s.key in shown ? String(shown[s.key]) : "(unset)",
      source: describeSource(sources[s.key]),
      // The first name; the others (and what each means) are in `sn11 help environment`.
      env: s.env[0] ?? "",
    }));
    const width = outputWidth(ctx.stdout);
    const text = () =>
      `${table(rows, width, { env: true })}\n\nvalidate's options (the file's "validate" section; env SN11_VALIDATE_<OPTION>):\n` +
      `${table(validateRows, width, { env: false })}\n\n` +
      `${joinFitting([`config file: ${file ?? "none"}`, `models: ${config.dataDir}/models`], width)}\n` +
      "--json shows values whole; sn11 help environment lists every variable";
    return { json, text };
  },
});
