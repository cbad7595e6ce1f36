import { z } from "zod";
import { readStepSnapshot } from "../chain/step-snapshot.js";
import { verdictTone } from "../render/style.js";
import { fitTable, joinFitting, outputWidth, plural, shortHotkey } from "../render/table.js";
import { findProfile } from "../scoring/profile.js";
import { replaySnapshot } from "../scoring/replay.js";
import { defineCommand } from "./define.js";

export const commitmentsCommand = defineCommand({
  name: "commitments",
  uses: ["chain", "store", "shared", "profile"],
  description:
    "Uids without a commitment are counted, not listed (--all lists them; --json always does).\n" +
    "The table fits the terminal (80 columns at least), commitments cut; --wide prints them whole.",
  examples: ["sn11 commitments", "sn11 commitments --all --wide", "sn11 commitments --json"],
  options: z.object({
    all: z.boolean().default(false).describe("list the uids without a commitment too"),
    wide: z.boolean().default(false).describe("full hotkeys and commitments (wider than the terminal)"),
  }),
  async run({ options: o }, ctx) {
    const { netuid, profile: profileId } = ctx.loaded.config;
    const profile = findProfile(profileId);
    if (!profile) throw new Error(`unknown profile ${profileId}`);
    const { metagraph, snapshot } = await readStepSnapshot(await ctx.chain(), netuid, async () =>
      (await ctx.shared()).evaluations(profile.id),
    );
    const replay = replaySnapshot(snapshot, profile);
    const byHotkey = new Map(metagraph.commitments.map((c) => [c.hotkey, c]));
    const burnUid = profile.burn?.uid ?? null;
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
        burn: r.uid === burnUid,
      };
    });
    type Row = (typeof rows)[number];
    const json = { netuid, block: metagraph.block.number, profile: profile.id, commitments: rows };
    const verdict = (r: Row) => (r.burn ? "burn" : r.valid ? "valid" : (r.reason ?? ""));
    const text = () => {
      const width = outputWidth(ctx.stdout);
      const listed = o.all ? rows : rows.filter((r) => r.data !== null || r.problem !== null || r.burn);
      const table = fitTable<Row>(
        [
          { header: "uid", value: (r) => String(r.uid), align: "right" },
          { header: "hotkey", value: (r) => (o.wide ? r.hotkey : shortHotkey(r.hotkey)) },
          { header: "block", value: (r) => (r.block === null ? "-" : String(r.block)), align: "right" },
          {
            header: "commitment",
            value: (r) => r.data ?? (r.problem ? `(${r.problem})` : "-"),
            shrink: 16,
          },
          { header: "verdict", value: verdict, tone: (r) => verdictTone(verdict(r)) },
        ],
        listed,
        o.wide ? {} : { width },
      );
      const hidden = rows.length - listed.length;
      const lines = [
        table.text,
        "",
        joinFitting(
          [
            `netuid ${netuid}`,
            `block ${metagraph.block.number}`,
            plural(metagraph.commitments.length, "commitment"),
            `profile ${profile.id}`,
          ],
          width,
        ),
      ];
      if (hidden > 0) lines.push(`${plural(hidden, "uid")} without a commitment (--all lists them)`);
      return lines.join("\n");
    };
    return { json, text };
  },
});
