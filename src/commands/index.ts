import { configCommand } from "./config.js";
import type { CommandDefinition } from "./define.js";
import { profilesCommand } from "./profiles.js";
import { weightsCommand } from "./weights.js";

/** The one registry of commands: only commands that work are listed. */
export const COMMANDS: readonly CommandDefinition[] = [
  weightsCommand as unknown as CommandDefinition,
  profilesCommand as unknown as CommandDefinition,
  configCommand as unknown as CommandDefinition,
];
