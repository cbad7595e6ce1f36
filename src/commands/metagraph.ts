import { z } from "zod";
import type { Metagraph } from "../chain/types.js";
import { renderTable, shortHotkey } from "../render/table.js";
import { defineCommand } from "./define.js";

const RAO_PER_TAO = 1e9;

export function metagraphJson(m: Metagraph) {
  return {
    netuid: m.netuid,
    block: m.block.number,
    block_hash: m.block.hash,
    n: m.neurons.length,
    neurons: m.neurons.map((n) => ({
      uid: n.uid,
      hotkey: n.hotkey,
      coldkey: n.coldkey,
      active: n.active,
      validator_permit: n.validatorPermit,
      last_update: n.lastUpdate,
      stake: Number(n.stakeRao) / RAO_PER_TAO,
    })),
    hyperparameters: {
      tempo: m.hyperparameters.tempo,
      weights_rate_limit: m.hyperparameters.weightsRateLimit,
      min_allowed_weights: m.hyperparameters.minAllowedWeights,
      max_weights_limit: m.hyperparameters.maxWeightsLimit,
      weights_version: m.hyperparameters.weightsVersion,
      commit_reveal_weights_enabled: m.hyperparameters.commitRevealEnabled,
      commit_reveal_period: m.hyperparameters.commitRevealPeriod,
      immunity_period: m.hyperparameters.immunityPeriod,
    },
    source: m.source,
  };
}

export const metagraphCommand = defineCommand({
  name: "metagraph",
  uses: ["chain"],
  summary: "the subnet's neurons at the finalized block, read in one round trip",
  examples: ["sn11 metagraph", "sn11 --network test metagraph --json"],
  options: z.object({}),
  async run(_input, ctx) {
    const chain = await ctx.chain();
    const m = await chain.metagraph(ctx.loaded.config.netuid);
    const json = metagraphJson(m);
    const text = () => {
      const h = json.hyperparameters;
      const table = renderTable(
        [
          { header: "uid", value: (n: (typeof json.neurons)[number]) => String(n.uid), align: "right" },
          { header: "hotkey", value: (n) => shortHotkey(n.hotkey) },
          { header: "coldkey", value: (n) => shortHotkey(n.coldkey) },
          { header: "stake τ", value: (n) => n.stake.toFixed(2), align: "right" },
          { header: "vpermit", value: (n) => (n.validator_permit ? "yes" : "") },
          { header: "active", value: (n) => (n.active ? "yes" : "") },
          { header: "last update", value: (n) => String(n.last_update), align: "right" },
        ],
        json.neurons,
      );
      return (
        `${table}\n\nnetuid ${json.netuid} · block ${json.block} · ${json.n} uids · tempo ${h.tempo} · ` +
        `weights rate limit ${h.weights_rate_limit} · version key ${h.weights_version} · ` +
        `commit-reveal ${h.commit_reveal_weights_enabled ? "on" : "off"}`
      );
    };
    return { json, text };
  },
});
