import { CancelledError, UsageError } from "../errors.js";
import type { CommandContext } from "./define.js";

/**
 * Asks before an action on chain. "n" on a terminal is the user's answer: cancelled (130). Without a
 * terminal (or with --json) there was nobody to ask: a usage error that says what it would have done.
 */
export async function confirmOrStop(
  ctx: Pick<CommandContext, "confirm">,
  question: string,
  nothingDone: string,
  interactive: boolean = process.stdin.isTTY === true,
): Promise<void> {
  if (await ctx.confirm(question)) return;
  if (interactive) throw new CancelledError(`cancelled: ${nothingDone}`);
  throw new UsageError(`${nothingDone}: confirm on a terminal or pass --yes`, {
    hint: `it would ${question.replace(/\?$/, "")}`,
  });
}
