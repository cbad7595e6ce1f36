import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { readStepSnapshot } from "../chain/step-snapshot.js";
import { UsageError } from "../errors.js";
import { snapshotDigest } from "../scoring/snapshot.js";
import { defineCommand } from "./define.js";

export const snapshotCommand = defineCommand({
  name: "snapshot",
  summary: "write the replay snapshot of the chain's finalized block and the local evaluations",
  description:
    "Writes what `sn11 weights --snapshot` replays: metagraph hotkeys and commitments at one finalized\n" +
    "block, plus the evaluation results in the local store for the active profile.",
  examples: ["sn11 snapshot --out step.json && sn11 weights --snapshot step.json"],
  options: z.object({
    out: z.string().min(1).describe("where to write the snapshot JSON").meta({ valueName: "file" }),
  }),
  async run({ options }, ctx) {
    const file = resolve(ctx.cwd, options.out);
    const { snapshot } = await readStepSnapshot(await ctx.chain(), ctx.loaded.config.netuid, () =>
      ctx.store().evaluations.forProfile(ctx.loaded.config.profile),
    );
    try {
      writeFileSync(file, `${JSON.stringify(snapshot, null, 2)}\n`);
    } catch (error) {
      throw new UsageError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
    const json = {
      out: file,
      netuid: snapshot.netuid,
      block: snapshot.block,
      uids: snapshot.hotkeys.length,
      commitments: snapshot.commitments.length,
      evaluations: snapshot.evaluations.length,
      snapshot_digest: snapshotDigest(snapshot),
    };
    return {
      json,
      text: () =>
        `wrote ${file}: netuid ${json.netuid}, block ${json.block}, ${json.uids} uids, ` +
        `${json.commitments} commitments, ${json.evaluations} evaluations`,
    };
  },
});
