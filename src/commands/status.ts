import { z } from "zod";
import { readStepSnapshot } from "../chain/step-snapshot.js";
import { hotkeyFile, readHotkeyAddress } from "../chain/wallet-files.js";
import { ConfigError, UsageError } from "../errors.js";
import { repoId } from "../scoring/model-id.js";
import { findProfile } from "../scoring/profile.js";
import { replaySnapshot } from "../scoring/replay.js";
import { defineCommand } from "./define.js";

export const statusCommand = defineCommand({
  name: "status",
  uses: ["chain", "wallet", "store", "hub", "profile"],
  summary: "where a miner's hotkey stands: uid, commitment, the validators' verdict, local results, immunity",
  examples: ["sn11 status", "sn11 status --hotkey 5F... --json"],
  options: z.object({
    hotkey: z
      .string()
      .optional()
      .describe("the hotkey to look at (default: the wallet's)")
      .meta({ valueName: "ss58" }),
  }),
  async run({ options }, ctx) {
    const { netuid, profile: profileId, walletName, walletHotkey, walletPath } = ctx.loaded.config;
    const hotkey =
      options.hotkey ?? readHotkeyAddress({ name: walletName, hotkey: walletHotkey, path: walletPath });
    if (!hotkey) {
      // As submit and validate say it: the wallet file that is missing (a configuration problem, 78).
      throw new ConfigError(
        `no hotkey at ${hotkeyFile({ name: walletName, hotkey: walletHotkey, path: walletPath })}`,
        {
          hint: "pass --hotkey SS58, or pick the wallet with --wallet.name, --wallet.hotkey and --wallet.path",
        },
      );
    }
    const { decodeAddress } = await import("@polkadot/util-crypto");
    try {
      decodeAddress(hotkey);
    } catch {
      throw new UsageError(`--hotkey ${hotkey} is not an SS58 address`, {
        hint: "a hotkey looks like 5F…, 48 characters",
      });
    }
    const profile = findProfile(profileId);
    if (!profile) throw new Error(`unknown profile ${profileId}`);
    const store = ctx.store();
    const { metagraph, snapshot } = await readStepSnapshot(await ctx.chain(), netuid, () =>
      store.evaluations.forProfile(profile.id),
    );
    const neuron = metagraph.neurons.find((n) => n.hotkey === hotkey);
    const row = neuron ? replaySnapshot(snapshot, profile).rows[neuron.uid] : undefined;
    const commitment = metagraph.commitments.find((c) => c.hotkey === hotkey) ?? null;
    const immunityEnds =
      neuron?.blockAtRegistration != null && metagraph.hyperparameters.immunityPeriod != null
        ? neuron.blockAtRegistration + metagraph.hyperparameters.immunityPeriod
        : null;
    const evaluation = row?.modelId
      ? (store.evaluations
          .forProfile(profile.id)
          .find((e) => e.repo === repoId(row.modelId as never) && e.entryHash === row.modelId?.hash) ?? null)
      : null;
    const json = {
      netuid,
      block: metagraph.block.number,
      hotkey,
      registered: neuron !== undefined,
      uid: neuron?.uid ?? null,
      commitment: commitment
        ? { data: commitment.data, block: commitment.block, shape: commitment.shape }
        : null,
      verdict: row
        ? {
            valid: row.valid,
            reason: row.reason,
            detail: row.detail,
            win_rate: row.winRate,
            weight: row.weight,
          }
        : null,
      evaluation: evaluation
        ? { status: evaluation.status, total_score: evaluation.totalScore, updated_at: evaluation.updatedAt }
        : null,
      last_submission: (() => {
        const last = store.submissions.latest(hotkey, netuid);
        return last
          ? {
              repo: last.repo,
              revision: last.revision,
              commitment: last.commitment,
              block: last.block,
              tx_hash: last.txHash,
              outcome: last.outcome,
              created_at: last.createdAt,
            }
          : null;
      })(),
      immunity_ends_at: immunityEnds,
      blocks_until_immunity_ends:
        immunityEnds === null ? null : Math.max(0, immunityEnds - metagraph.block.number),
    };
    const text = () =>
      [
        `hotkey ${hotkey} on netuid ${netuid} at block ${json.block}`,
        json.registered ? `uid ${json.uid}` : "not registered",
        `commitment: ${commitment ? `${commitment.data ?? `(${commitment.problem})`} at block ${commitment.block}` : "none"}`,
        `validators' verdict (${profile.id}): ${row ? (row.valid ? `valid${row.winRate === null ? "" : `, win rate ${row.winRate.toFixed(4)}`}` : `${row.reason} — ${row.detail}`) : "-"}`,
        `local evaluation: ${evaluation ? `${evaluation.status}${evaluation.totalScore === null ? "" : ` ${evaluation.totalScore.toFixed(4)}`}` : "none"}`,
        `immunity: ${json.blocks_until_immunity_ends === null ? "-" : json.blocks_until_immunity_ends === 0 ? "over" : `${json.blocks_until_immunity_ends} blocks left (ends at block ${immunityEnds})`}`,
      ].join("\n");
    return { json, text };
  },
});
