import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { ConfigError, UsageError } from "../errors.js";
import { COMMAND_SECTIONS } from "./command-options.js";
import { type Config, type ConfigKey, configSchema, KEY_SPECS } from "./schema.js";

export type ConfigSource =
  | { kind: "flag"; name: string }
  | { kind: "env"; name: string }
  | { kind: "file"; path: string }
  | { kind: "default" };

export interface LoadedConfig {
  readonly config: Config;
  readonly sources: Readonly<Record<ConfigKey, ConfigSource>>;
  /** The config file that was read, or null when there was none. */
  readonly file: string | null;
  /** The file's per-command sections (e.g. `validate`), checked against the command when it runs. */
  readonly sections: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface ConfigInputs {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Global flags as commander parsed them (camelCase). */
  readonly flags: Readonly<Record<string, unknown>>;
  /** --config FILE, which must exist when given. */
  readonly configFile?: string;
}

export function homeDir(env: ConfigInputs["env"]): string {
  return env.HOME || homedir();
}

export function defaultConfigPath(env: ConfigInputs["env"]): string {
  return join(env.XDG_CONFIG_HOME || join(homeDir(env), ".config"), "sn11", "config.json");
}

function fieldSchema(key: ConfigKey) {
  return configSchema.shape[key];
}

function describeIssue(key: ConfigKey, value: unknown): string | null {
  const result = fieldSchema(key).safeParse(value);
  if (result.success) return null;
  const issue = result.error.issues[0];
  // zod's type words ("Invalid input: expected number, received string") read as a plain expectation.
  const expected =
    issue?.code === "invalid_type" ? `expected a ${String((issue as { expected?: string }).expected)}` : null;
  return `${expected ?? issue?.message ?? "invalid value"} (got ${JSON.stringify(value)})`;
}

function readConfigFile(path: string): Record<string, unknown> {
  let raw: string;
  try {
    raw = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`, {
      hint: "pass an existing file with --config, or unset SN11_CONFIG",
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(error as Error).message}`, {
      hint: 'the file holds one JSON object, e.g. {"network": "finney"}',
    });
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path} must hold a JSON object`);
  }
  const known = new Set<string>(KEY_SPECS.map((s) => s.key));
  for (const [key, value] of Object.entries(parsed)) {
    // "//" holds comments, as in package.json: JSON has no other place for them.
    if (key === "//") continue;
    if ((COMMAND_SECTIONS as readonly string[]).includes(key)) {
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw new ConfigError(`config file ${path}: "${key}" must be an object of ${key} options`);
      }
      continue;
    }
    if (!known.has(key)) {
      throw new ConfigError(`config file ${path}: unknown key "${key}"`, {
        hint: `known keys: ${[...known].join(", ")}, and the sections ${COMMAND_SECTIONS.join(", ")}`,
      });
    }
  }
  return parsed as Record<string, unknown>;
}

/** Effective configuration with the source of each value: flags > SN11_* env > config file > defaults. */
export function loadConfig(inputs: ConfigInputs): LoadedConfig {
  const explicitFile = inputs.configFile ?? inputs.env.SN11_CONFIG;
  const file = explicitFile ?? defaultConfigPath(inputs.env);
  const fileValues = explicitFile !== undefined || existsSync(file) ? readConfigFile(file) : null;
  const home = homeDir(inputs.env);
  const values: Record<string, unknown> = {};
  const sources = {} as Record<ConfigKey, ConfigSource>;

  for (const spec of KEY_SPECS) {
    const flagValue = spec.flag === undefined ? undefined : inputs.flags[spec.flag];
    const envName = spec.env.find((name) => inputs.env[name] !== undefined && inputs.env[name] !== "");
    let value: unknown;
    let source: ConfigSource;
    if (flagValue !== undefined) {
      value = typeof flagValue === "string" ? spec.fromText(flagValue) : flagValue;
      source = {
        kind: "flag",
        name: `--${(spec.flag ?? spec.key).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
      };
    } else if (envName !== undefined) {
      value = spec.fromText(inputs.env[envName] as string);
      source = { kind: "env", name: envName };
    } else if (fileValues && fileValues[spec.key] !== undefined) {
      value = fileValues[spec.key];
      source = { kind: "file", path: file };
    } else {
      value = spec.defaultValue(home);
      source = { kind: "default" };
    }
    if (value === undefined) {
      sources[spec.key] = source;
      continue;
    }
    const problem = describeIssue(spec.key, value);
    if (problem) throw invalidValue(spec.key, source, problem);
    values[spec.key] = value;
    sources[spec.key] = source;
  }
  const sections = Object.fromEntries(
    COMMAND_SECTIONS.flatMap((name) =>
      fileValues?.[name] ? [[name, fileValues[name] as Record<string, unknown>]] : [],
    ),
  );
  return { config: configSchema.parse(values), sources, file: fileValues ? file : null, sections };
}

function invalidValue(key: ConfigKey, source: ConfigSource, problem: string): Error {
  switch (source.kind) {
    case "flag":
      return new UsageError(`${source.name}: ${problem}`);
    case "env":
      return new ConfigError(`environment variable ${source.name}: ${problem}`, {
        hint: `fix or unset ${source.name}`,
      });
    case "file":
      return new ConfigError(`config file ${source.path}: key "${key}": ${problem}`);
    case "default":
      return new Error(`built-in default for ${key} is invalid: ${problem}`);
  }
}

export function describeSource(source: ConfigSource): string {
  switch (source.kind) {
    case "flag":
      return `flag ${source.name}`;
    case "env":
      return `env ${source.name}`;
    case "file":
      return `file ${source.path}`;
    case "default":
      return "default";
  }
}

/** The configuration as it may be shown: secrets replaced, never their length or prefix. */
export function redactedConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of KEY_SPECS) {
    const value = config[spec.key];
    if (value === undefined) continue;
    out[spec.key] = spec.secret ? "[redacted]" : value;
  }
  return out;
}
