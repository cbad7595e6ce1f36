import { cacheCommand } from "./cache.js";
import { checkCommand } from "./check.js";
import { commitmentsCommand } from "./commitments.js";
import { configCommand } from "./config.js";
import { dashboardCommand } from "./dashboard.js";
import type { CommandDefinition } from "./define.js";
import { doctorCommand } from "./doctor.js";
import { leaderboardCommand } from "./leaderboard.js";
import { metagraphCommand } from "./metagraph.js";
import { profilesCommand } from "./profiles.js";
import { renderCommand } from "./render.js";
import { scoreCommand } from "./score.js";
import { serviceCommand } from "./service.js";
import { snapshotCommand } from "./snapshot.js";
import { statusCommand } from "./status.js";
import { submitCommand } from "./submit.js";
import { updateCommand } from "./update.js";
import { validateCommand } from "./validate.js";
import { weightsCommand } from "./weights.js";

/** The one registry of commands: only commands that work are listed. */
export const COMMANDS: readonly CommandDefinition[] = [
  weightsCommand as unknown as CommandDefinition,
  metagraphCommand as unknown as CommandDefinition,
  commitmentsCommand as unknown as CommandDefinition,
  snapshotCommand as unknown as CommandDefinition,
  renderCommand as unknown as CommandDefinition,
  checkCommand as unknown as CommandDefinition,
  scoreCommand as unknown as CommandDefinition,
  submitCommand as unknown as CommandDefinition,
  statusCommand as unknown as CommandDefinition,
  leaderboardCommand as unknown as CommandDefinition,
  dashboardCommand as unknown as CommandDefinition,
  validateCommand as unknown as CommandDefinition,
  serviceCommand as unknown as CommandDefinition,
  doctorCommand as unknown as CommandDefinition,
  profilesCommand as unknown as CommandDefinition,
  configCommand as unknown as CommandDefinition,
  cacheCommand as unknown as CommandDefinition,
  updateCommand as unknown as CommandDefinition,
];
