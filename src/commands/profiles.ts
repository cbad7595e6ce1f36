import { z } from "zod";
import { joinFitting, outputWidth, renderTable, wrapText } from "../render/table.js";
import { DEFAULT_PROFILE_ID, PROFILES, type ScoringProfile } from "../scoring/profile.js";
import { defineCommand } from "./define.js";

export const profilesCommand = defineCommand({
  name: "profiles",
  uses: ["profile"],
  examples: ["sn11 profiles", "sn11 profiles --json"],
  options: z.object({}),
  async run(_input, ctx) {
    const text = () =>
      renderTable<ScoringProfile>(
        [
          { header: "id", value: (p) => (p.id === DEFAULT_PROFILE_ID ? `${p.id} *` : p.id) },
          { header: "epoch", value: (p) => String(p.firstValidBlock), align: "right" },
          {
            header: "reset",
            value: (p) => (p.scoreReset ? `${p.scoreReset.block} ×${p.scoreReset.factor}` : "-"),
          },
          { header: "penalty", value: (p) => String(p.laterBlockPenalty), align: "right" },
          { header: "T", value: (p) => String(p.softmaxTemperature), align: "right" },
          { header: "burn uid:share", value: (p) => (p.burn ? `${p.burn.uid}:${p.burn.ratio}` : "-") },
          { header: "ver", value: (p) => String(p.weightsVersionKey), align: "right" },
        ],
        PROFILES,
      ) +
      // Descriptions are sentences: under the table, not a column that pushes it past 80.
      `\n\n${PROFILES.map((p) => wrapText(`${p.id}${p.id === DEFAULT_PROFILE_ID ? " (default)" : ""}: ${p.description}`, outputWidth(ctx.stdout), "  ")).join("\n")}\n` +
      joinFitting(
        [
          "epoch: first block scored",
          "reset: block ×factor",
          "penalty: per later block",
          "T: softmax temperature",
          "ver: weights version key",
        ],
        outputWidth(ctx.stdout),
      );
    return { json: { default: DEFAULT_PROFILE_ID, profiles: PROFILES }, text };
  },
});
