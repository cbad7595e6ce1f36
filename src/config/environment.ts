import type { z } from "zod";
import { wrapText } from "../render/table.js";
import { commandEnvName } from "./command-options.js";
import { KEY_SPECS } from "./schema.js";

export interface EnvironmentEntry {
  readonly name: string;
  readonly description: string;
}

/** Variables that are not configuration keys: read where they are used. */
const OTHER_VARIABLES: readonly EnvironmentEntry[] = [
  { name: "SN11_CONFIG", description: "the config file (as --config)" },
  { name: "SN11_WALLET_PASSWORD", description: "the password of an encrypted hotkey file" },
  {
    name: "BT_PW_<PATH>",
    description: "btwallet's per-file password variable, read as btcli writes it",
  },
  {
    name: "SN11_ENGINE_ENV",
    description: "more variables to pass to engines, comma-separated (the rest are withheld)",
  },
  { name: "SN11_RELEASE_URL", description: "where sn11 update looks for releases" },
  { name: "NO_COLOR", description: "no colour on a terminal" },
  { name: "XDG_CONFIG_HOME", description: "where the default config file lives ($XDG_CONFIG_HOME/sn11)" },
];

/**
 * Every environment variable sn11 reads: the configuration keys (first name wins where there are several),
 * the options of configurable commands (SN11_<COMMAND>_<OPTION>), and the rest.
 */
export function environmentEntries(
  commands: readonly { name: string; configurable?: boolean; options: z.ZodObject }[],
): EnvironmentEntry[] {
  const keys = KEY_SPECS.flatMap((spec) =>
    spec.env.map((name, i) => ({
      name,
      description: i === 0 ? spec.description : `as ${spec.env[0]}, when that is unset`,
    })),
  );
  const commandOptions = commands
    .filter((c) => c.configurable)
    .flatMap((c) =>
      Object.entries(c.options.shape).map(([key, field]) => ({
        name: commandEnvName(c.name, key),
        description: `sn11 ${c.name}: ${(field as z.ZodType).description ?? key}`,
      })),
    );
  return [...keys, ...OTHER_VARIABLES, ...commandOptions];
}

export function environmentText(entries: readonly EnvironmentEntry[], width = 80): string {
  const nameWidth = Math.min(32, Math.max(...entries.map((e) => e.name.length)));
  const room = Math.max(30, width - nameWidth - 4);
  const pad = " ".repeat(nameWidth + 4);
  const lines = entries.map((e) => {
    const wrapped = wrapText(e.description, room).replaceAll("\n", `\n${pad}`);
    return e.name.length > nameWidth
      ? `  ${e.name}\n${pad}${wrapped}`
      : `  ${e.name.padEnd(nameWidth)}  ${wrapped}`;
  });
  return `Environment (flags win over variables, variables over the config file):\n${lines.join("\n")}\n`;
}
