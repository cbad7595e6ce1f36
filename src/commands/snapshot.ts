import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { readConsensusSnapshot } from "../chain/consensus-snapshot.js";
import { toSnapshotEvaluations } from "../chain/snapshot.js";
import { readStepSnapshot } from "../chain/step-snapshot.js";
import { UsageError } from "../errors.js";
import { plural } from "../render/table.js";
import { parseSnapshot, type Snapshot, snapshotDigest } from "../scoring/snapshot.js";
import type { Store } from "../store/store.js";
import { defineCommand } from "./define.js";

export const snapshotCommand = defineCommand({
  name: "snapshot",
  uses: ["chain", "store", "shared", "profile"],
  description:
    "Writes what `sn11 weights --snapshot` replays: metagraph hotkeys and commitments at one finalized\n" +
    "block, plus the evaluation results in the local store for the active profile.",
  examples: [
    "sn11 snapshot --out step.json && sn11 weights --snapshot step.json",
    "sn11 snapshot --step 12 --out step12.json   # what validator step 12 saw (sn11 weights --history)",
    "sn11 snapshot --consensus --out step.json   # plus weight rows and stakes, for sn11 consensus --snapshot",
  ],
  options: z.object({
    out: z.string().min(1).describe("where to write the snapshot JSON").meta({ valueName: "file" }),
    step: z.coerce
      .number()
      .int()
      .positive()
      .optional()
      .describe("the snapshot a recorded validator step used, from the store (no chain read)")
      .meta({ valueName: "n" }),
    consensus: z
      .boolean()
      .default(false)
      .describe("also record every validator's weights, stakes and kappa (what sn11 consensus reads)"),
  }),
  async run({ options }, ctx) {
    const file = resolve(ctx.cwd, options.out);
    if (options.consensus && options.step !== undefined) {
      throw new UsageError("--consensus reads the chain now; a recorded step has no weight rows", {
        hint: "sn11 snapshot --consensus --out step.json",
      });
    }
    const evaluations = async () => (await ctx.shared()).evaluations(ctx.loaded.config.profile);
    const snapshot =
      options.step !== undefined
        ? recordedSnapshot(ctx.store(), options.step)
        : options.consensus
          ? (
              await readConsensusSnapshot(
                await ctx.chain(),
                ctx.loaded.config.netuid,
                toSnapshotEvaluations(await evaluations()),
              )
            ).snapshot
          : (await readStepSnapshot(await ctx.chain(), ctx.loaded.config.netuid, evaluations)).snapshot;
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
      consensus: snapshot.consensus !== undefined,
      snapshot_digest: snapshotDigest(snapshot),
    };
    return {
      json,
      text: () =>
        `wrote ${file}: netuid ${json.netuid}, block ${json.block}, ${json.uids} uids, ` +
        `${plural(json.commitments, "commitment")}, ${plural(json.evaluations, "evaluation")}` +
        `${json.consensus ? ", weight rows and stakes" : ""}`,
    };
  },
});

function recordedSnapshot(store: Store, step: number): Snapshot {
  const record = store.validatorSteps.get(step);
  if (!record) {
    throw new UsageError(`no validator step ${step} in this store`, {
      hint: "sn11 weights --history lists them",
    });
  }
  const parsed = parseSnapshot(store.validatorSteps.snapshot(step));
  if (!parsed.ok) {
    throw new UsageError(`validator step ${step} computed no weights (${record.outcome}: ${record.reason})`, {
      hint: "a step that could not read the chain has no snapshot",
    });
  }
  return parsed.snapshot;
}
