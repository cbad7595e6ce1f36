import { z } from "zod";
import { readStepSnapshot } from "../chain/step-snapshot.js";
import { plural, renderTable, shortHotkey } from "../render/table.js";
import { findProfile } from "../scoring/profile.js";
import { replaySnapshot } from "../scoring/replay.js";
import { defineCommand } from "./define.js";

export const commitmentsCommand = defineCommand({
  name: "commitments",
  uses: ["chain", "store", "profile"],
  summary: "every uid's commitment, decoded as validators decode it, with the registry verdict",
  examples: ["sn11 commitments", "sn11 commitments --json"],
  options: z.object({}),
  async run(_input, ctx) {
    const { netuid, profile: profileId } = ctx.loaded.config;
    const profile = findProfile(profileId);
    if (!profile) throw new Error(`unknown profile ${profileId}`);
    const { metagraph, snapshot } = await readStepSnapshot(await ctx.chain(), netuid, () =>
      ctx.store().evaluations.forProfile(profile.id),
    );
    const replay = replaySnapshot(snapshot, profile);
    const byHotkey = new Map(metagraph.commitments.map((c) => [c.hotkey, c]));
    const rows = replay.rows.map((r) => {
      const c = byHotkey.get(r.hotkey);
      return {
        uid: r.uid,
        hotkey: r.hotkey,
        block: c?.block ?? null,
        data: c?.data ?? null,
        shape: c?.shape ?? null,
        problem: c?.problem ?? null,
        valid: r.valid,
        reason: r.reason,
        detail: r.detail,
        status: r.status,
      };
    });
    const json = { netuid, block: metagraph.block.number, profile: profile.id, commitments: rows };
    const text = () =>
      `${renderTable(
        [
          { header: "uid", value: (r: (typeof rows)[number]) => String(r.uid), align: "right" },
          { header: "hotkey", value: (r) => shortHotkey(r.hotkey) },
          { header: "block", value: (r) => (r.block === null ? "-" : String(r.block)), align: "right" },
          { header: "commitment", value: (r) => r.data ?? (r.problem ? `(${r.problem})` : "-") },
          { header: "verdict", value: (r) => (r.valid ? "valid" : (r.reason ?? "")) },
        ],
        rows,
      )}\n\nnetuid ${netuid} · block ${metagraph.block.number} · ${plural(metagraph.commitments.length, "commitment")} · profile ${profile.id}`;
    return { json, text };
  },
});
