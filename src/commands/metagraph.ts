import { z } from "zod";
import type { Metagraph, Neuron } from "../chain/types.js";
import { type Column, fitTable, fixed, joinFitting, outputWidth, shortHotkey } from "../render/table.js";
import { defineCommand } from "./define.js";

const RAO_PER_TAO = 1e9;

/** The last epoch's outputs: shares as fractions, emission in α per epoch; null where the runtime did not say. */
export function rewardsJson(n: Neuron) {
  if (!n.rewards) return null;
  const { incentive, consensus, dividends, emissionRao } = n.rewards;
  return { incentive, consensus, dividends, emission: Number(emissionRao) / RAO_PER_TAO };
}

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
      ...(rewardsJson(n) ?? { incentive: null, consensus: null, dividends: null, emission: null }),
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
  description:
    "Stake in τ; incentive, consensus and dividends are the last epoch's shares (0–1), emission its α per\n" +
    "epoch. The table fits the terminal (80 columns at least); --wide adds coldkeys and full hotkeys.",
  examples: ["sn11 metagraph", "sn11 metagraph --wide", "sn11 --network test metagraph --json"],
  options: z.object({
    wide: z.boolean().default(false).describe("coldkeys, full hotkeys, consensus and dividends"),
  }),
  async run({ options: o }, ctx) {
    const chain = await ctx.chain();
    const m = await chain.metagraph(ctx.loaded.config.netuid);
    const json = metagraphJson(m);
    type Row = (typeof json.neurons)[number];
    const text = () => {
      const h = json.hyperparameters;
      const width = outputWidth(ctx.stdout);
      const share = (v: number | null) => fixed(v, 4);
      const columns: (Column<Row> | null)[] = [
        { header: "uid", value: (n) => String(n.uid), align: "right" },
        { header: "hotkey", value: (n) => (o.wide ? n.hotkey : shortHotkey(n.hotkey)) },
        o.wide ? { header: "coldkey", value: (n) => n.coldkey } : null,
        { header: "stake τ", value: (n) => n.stake.toFixed(2), align: "right" },
        { header: "vpermit", value: (n) => (n.validator_permit ? "yes" : ""), drop: 2 },
        { header: "active", value: (n) => (n.active ? "yes" : ""), drop: 1 },
        { header: "updated", value: (n) => String(n.last_update), align: "right", drop: 3 },
        { header: "incent", value: (n) => share(n.incentive), align: "right" },
        o.wide ? { header: "cons", value: (n) => share(n.consensus), align: "right" } : null,
        o.wide ? { header: "divs", value: (n) => share(n.dividends), align: "right" } : null,
        { header: "emission α", value: (n) => fixed(n.emission, 4), align: "right" },
      ];
      const table = fitTable(
        columns.filter((c): c is Column<Row> => c !== null),
        json.neurons,
        o.wide ? {} : { width },
      );
      const footer = joinFitting(
        [
          `netuid ${json.netuid}`,
          `block ${json.block}`,
          `${json.n} uids`,
          `tempo ${h.tempo}`,
          `weights rate limit ${h.weights_rate_limit}`,
          `version key ${h.weights_version}`,
          `commit-reveal ${h.commit_reveal_weights_enabled ? "on" : "off"}`,
        ],
        width,
      );
      const dropped = table.dropped.length ? `\ncolumns left out: ${table.dropped.join(", ")} (--wide)` : "";
      return `${table.text}\n\n${footer}${dropped}`;
    };
    return { json, text };
  },
});
