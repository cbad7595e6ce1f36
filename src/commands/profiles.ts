import { z } from "zod";
import { renderTable } from "../render/table.js";
import { DEFAULT_PROFILE_ID, PROFILES, type ScoringProfile } from "../scoring/profile.js";
import { defineCommand } from "./define.js";

export const profilesCommand = defineCommand({
  name: "profiles",
  uses: ["profile"],
  summary: "list the scoring profiles and their constants",
  examples: ["sn11 profiles", "sn11 profiles --json"],
  options: z.object({}),
  async run() {
    const text = () =>
      renderTable<ScoringProfile>(
        [
          { header: "id", value: (p) => (p.id === DEFAULT_PROFILE_ID ? `${p.id} *` : p.id) },
          { header: "first block", value: (p) => String(p.firstValidBlock), align: "right" },
          {
            header: "reset",
            value: (p) => (p.scoreReset ? `${p.scoreReset.block} ×${p.scoreReset.factor}` : "-"),
          },
          { header: "penalty", value: (p) => String(p.laterBlockPenalty), align: "right" },
          { header: "T", value: (p) => String(p.softmaxTemperature), align: "right" },
          { header: "burn", value: (p) => (p.burn ? `uid ${p.burn.uid} ${p.burn.ratio}` : "-") },
          { header: "version key", value: (p) => String(p.weightsVersionKey), align: "right" },
          { header: "description", value: (p) => p.description },
        ],
        PROFILES,
      ) + "\n\n* default";
    return { json: { default: DEFAULT_PROFILE_ID, profiles: PROFILES }, text };
  },
});
