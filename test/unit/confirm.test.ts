import { describe, expect, it } from "vitest";
import { confirmOrStop } from "../../src/commands/confirm.js";
import { CancelledError, UsageError } from "../../src/errors.js";

const answering = (yes: boolean) => ({ confirm: async () => yes });

describe("confirmOrStop", () => {
  it("yes goes on", async () => {
    await expect(
      confirmOrStop(answering(true), "set 3 weights?", "no weights were sent", true),
    ).resolves.toBe(undefined);
  });

  it('"n" on a terminal is the user\'s answer: cancelled (130), saying nothing was done', async () => {
    const run = confirmOrStop(answering(false), "set 3 weights?", "no weights were sent", true);
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    await expect(run).rejects.toThrow("cancelled: no weights were sent");
  });

  it("without a terminal there was nobody to ask: a usage error saying what it would have done", async () => {
    const run = confirmOrStop(answering(false), "set 3 weights?", "no weights were sent", false);
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toMatchObject({
      message: "no weights were sent: confirm on a terminal or pass --yes",
      hint: "it would set 3 weights",
    });
  });
});
