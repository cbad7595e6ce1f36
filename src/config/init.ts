import { chmodSync, existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { UsageError } from "../errors.js";
import type { LoadedConfig } from "./load.js";
import { KEY_SPECS } from "./schema.js";

/** What `sn11 config init` writes: the settings this run did not take from a default, and validate's options. */
export function configFileContent(
  loaded: LoadedConfig,
  validate: Readonly<Record<string, unknown>>,
  now: Date = new Date(),
): { settings: Record<string, unknown>; validate: Record<string, unknown>; text: string } {
  const settings: Record<string, unknown> = {};
  for (const spec of KEY_SPECS) {
    // Secrets belong in the environment, not in a file that gets copied and shown.
    if (spec.secret || loaded.sources[spec.key].kind === "default") continue;
    const value = loaded.config[spec.key];
    if (value !== undefined) settings[spec.key] = value;
  }
  const document = {
    "//": [
      `sn11 configuration, written by sn11 config init on ${now.toISOString().slice(0, 10)}.`,
      "Precedence: flags > SN11_* environment > this file > defaults; sn11 config shows each value's source.",
      "Secrets (SN11_JUDGE_API_KEY, HF_TOKEN, SN11_DATASET_API_TOKEN, SN11_WALLET_PASSWORD) stay in the environment.",
    ],
    ...settings,
    validate: {
      "//": "sn11 validate's options (sn11 validate --help); SN11_VALIDATE_<OPTION> or a flag overrides each",
      ...validate,
    },
  };
  return { settings, validate: { ...validate }, text: `${JSON.stringify(document, null, 2)}\n` };
}

export function writeConfigFile(
  file: string,
  loaded: LoadedConfig,
  validate: Readonly<Record<string, unknown>>,
  o: { force: boolean },
): { settings: Record<string, unknown>; validate: Record<string, unknown> } {
  if (existsSync(file) && !o.force) {
    throw new UsageError(`${file} exists`, {
      hint: "pass --force to replace it (its values are carried over)",
    });
  }
  const content = configFileContent(loaded, validate);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, content.text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return { settings: content.settings, validate: content.validate };
}
