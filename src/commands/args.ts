import { Command, CommanderError } from "commander";
import type { z } from "zod";
import { UsageError } from "../errors.js";
import { commanderOptions, parseOptions } from "./options.js";

/**
 * Another command's options given as words (after `--`), parsed as that command would parse them: the
 * values given explicitly, by option key. A typo or a bad value is a usage error naming `what`.
 */
export function parseCommandArgs(
  args: readonly string[],
  schema: z.ZodObject,
  what: string,
): Record<string, unknown> {
  const probe = new Command("probe")
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  for (const option of commanderOptions(schema)) probe.addOption(option);
  try {
    probe.parse([...args], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      throw new UsageError(`${what}: ${error.message.replace(/^error: /, "")}`, {
        hint: "their command's --help lists them",
      });
    }
    throw error;
  }
  if (probe.args.length > 0) throw new UsageError(`${what}: unexpected ${probe.args.join(" ")}`);
  const parsed = parseOptions(schema, probe.opts()) as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(probe.opts())
      .filter((k) => probe.getOptionValueSource(k) === "cli")
      .map((k) => [k, parsed[k]]),
  );
}
