import type { z } from "zod";
import { kebab, optionKind } from "../commands/options.js";
import { ConfigError, UsageError } from "../errors.js";
import type { ConfigSource } from "./load.js";

/** Commands whose options may also live in the config file (a section named after the command) and env. */
export const COMMAND_SECTIONS = ["validate", "worker"] as const;
export type CommandSection = (typeof COMMAND_SECTIONS)[number];

/** `SN11_VALIDATE_METRICS_PORT` for validate's `metricsPort`. */
export function commandEnvName(command: string, key: string): string {
  return `SN11_${command.toUpperCase()}_${kebab(key).replaceAll("-", "_").toUpperCase()}`;
}

const BOOLEAN_TEXT: Readonly<Record<string, boolean>> = {
  true: true,
  "1": true,
  yes: true,
  false: false,
  "0": false,
  no: false,
};

export interface CommandOptionValue {
  readonly value: unknown;
  readonly source: ConfigSource;
}

/**
 * A command's options with the usual precedence: a flag given on the command line, then its
 * SN11_<COMMAND>_<OPTION> variable, then the config file's section, then the option's default (left to
 * the schema). Unknown keys in the section are a configuration error, not silently ignored.
 */
export function commandOptions(o: {
  command: string;
  schema: z.ZodObject;
  cli: Readonly<Record<string, unknown>>;
  fromCli: ReadonlySet<string>;
  section: Readonly<Record<string, unknown>> | undefined;
  file: string | null;
  env: Readonly<Record<string, string | undefined>>;
}): { values: Record<string, unknown>; sources: Record<string, ConfigSource> } {
  const keys = Object.keys(o.schema.shape);
  for (const key of Object.keys(o.section ?? {})) {
    if (key !== "//" && !keys.includes(key)) {
      throw new ConfigError(`config file ${o.file}: "${o.command}" has no option "${key}"`, {
        hint: `its options: ${keys.join(", ")} (sn11 ${o.command} --help)`,
      });
    }
  }
  const values: Record<string, unknown> = { ...o.cli };
  const sources: Record<string, ConfigSource> = {};
  for (const key of keys) {
    const envName = commandEnvName(o.command, key);
    const fromEnv = o.env[envName];
    if (o.fromCli.has(key)) {
      sources[key] = { kind: "flag", name: `--${kebab(key)}` };
    } else if (fromEnv !== undefined && fromEnv !== "") {
      const field = o.schema.shape[key] as z.ZodType;
      if (optionKind(field) === "boolean") {
        const parsed = BOOLEAN_TEXT[fromEnv.toLowerCase()];
        if (parsed === undefined) {
          throw new ConfigError(
            `environment variable ${envName}: expected true or false (got ${JSON.stringify(fromEnv)})`,
          );
        }
        values[key] = parsed;
      } else values[key] = fromEnv;
      sources[key] = { kind: "env", name: envName };
    } else if (o.section && o.section[key] !== undefined) {
      values[key] = o.section[key];
      sources[key] = { kind: "file", path: o.file ?? "" };
    } else {
      sources[key] = { kind: "default" };
    }
  }
  return { values, sources };
}

/** The schema's parse of the merged options; a bad value is blamed on where it came from. */
export function parseCommandOptions<S extends z.ZodObject>(
  schema: S,
  values: Record<string, unknown>,
  sources: Readonly<Record<string, ConfigSource>>,
  command: string,
): z.infer<S> {
  const result = schema.safeParse(values);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = String(issue?.path[0] ?? "");
  const message = issue?.message ?? "invalid value";
  const source = sources[key];
  if (source?.kind === "env")
    throw new ConfigError(`environment variable ${source.name}: ${message}`, {
      hint: `fix or unset ${source.name}`,
    });
  if (source?.kind === "file")
    throw new ConfigError(`config file ${source.path}: ${command}.${key}: ${message}`);
  throw new UsageError(`--${kebab(key)}: ${message}`);
}
