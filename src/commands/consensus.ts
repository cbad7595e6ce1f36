import { resolve } from "node:path";
import { z } from "zod";
import { assertSs58 } from "../chain/ss58.js";
import { UsageError } from "../errors.js";
import { queuePositionsByUid } from "../leaderboard/queue.js";
import { consensusReportText } from "../render/consensus.js";
import type { ConsensusInput } from "../scoring/consensus.js";
import { type ConsensusReport, consensusReport } from "../scoring/consensus-report.js";
import { consensusInputOf, consensusSectionSchema } from "../scoring/consensus-snapshot.js";
import { findProfile } from "../scoring/profile.js";
import { replaySnapshot } from "../scoring/replay.js";
import { jsonPath, type Snapshot } from "../scoring/snapshot.js";
import { defineCommand } from "./define.js";
import { hotkeyAddress } from "./hotkey-address.js";
import { readSnapshotFile } from "./snapshot-file.js";

export const consensusCommand = defineCommand({
  name: "consensus",
  uses: ["chain", "wallet", "store", "shared", "profile"],
  description:
    "How far this validator's weights are from the subnet's Yuma consensus, computed exactly as the\n" +
    "chain's epoch does (stake-weighted median per uid at kappa, then the clip): its agreement (the share\n" +
    "of its weight that survives the clip, the chain's validator trust) with the weights on chain now and\n" +
    "with the weights sn11 would set now, the uids where they part most and the reason sn11 knows, the\n" +
    "blocks since its last weights against activity_cutoff, when the rate limit frees, and the version key.",
  examples: [
    "sn11 consensus",
    "sn11 consensus --hotkey 5F... --top 5",
    "sn11 consensus --json",
    "sn11 snapshot --consensus --out step.json && sn11 consensus --snapshot step.json",
  ],
  options: z.object({
    hotkey: z
      .string()
      .optional()
      .describe("the validator hotkey to look at (default: the wallet's)")
      .meta({ valueName: "ss58" }),
    top: z.coerce
      .number()
      .int()
      .positive()
      .default(10)
      .describe("how many disagreements to list")
      .meta({ valueName: "n" }),
    snapshot: z
      .string()
      .optional()
      .describe("work offline from a snapshot written by `sn11 snapshot --consensus`")
      .meta({ valueName: "file" }),
  }),
  async run({ options }, ctx) {
    const { netuid, profile: profileId } = ctx.loaded.config;
    const hotkey = hotkeyAddress(options.hotkey, ctx.loaded.config);
    await assertSs58(hotkey);
    const profile = findProfile(profileId);
    if (!profile) throw new Error(`profile ${profileId} passed validation but does not exist`);

    let snapshot: Snapshot;
    let input: ConsensusInput;
    let limits: { weightsRateLimit: number; weightsVersion: number };
    let queue = new Map<number, number>();
    let read: { requests: number; bytes_received: number; seconds: number } | null = null;
    if (options.snapshot !== undefined) {
      const file = resolve(ctx.cwd, options.snapshot);
      snapshot = readSnapshotFile(file);
      const section = consensusSectionSchema.safeParse(snapshot.consensus);
      if (!section.success) {
        const issue = section.error.issues[0];
        throw new UsageError(
          snapshot.consensus === undefined
            ? `snapshot ${file} has no consensus section`
            : `snapshot ${file}: ${jsonPath(["consensus", ...(issue?.path ?? [])])}: ${issue?.message}`,
          { hint: "sn11 snapshot --consensus --out FILE records the weight rows and stakes" },
        );
      }
      input = consensusInputOf(section.data, snapshot.block);
      limits = {
        weightsRateLimit: section.data.weights_rate_limit,
        weightsVersion: section.data.weights_version,
      };
    } else {
      const { readConsensusSnapshot } = await import("../chain/consensus-snapshot.js");
      const { localEvaluations } = await import("../validator/local-evaluations.js");
      const chain = await ctx.chain();
      const shared = await ctx.shared();
      const before = chain.stats();
      const t0 = performance.now();
      const recorded = await readConsensusSnapshot(chain, netuid, await localEvaluations(shared, profile.id));
      const after = chain.stats();
      read = {
        requests: after.requests - before.requests,
        bytes_received: after.bytesReceived - before.bytesReceived,
        seconds: (performance.now() - t0) / 1000,
      };
      ({ snapshot, input } = recorded);
      limits = recorded.limits;
      queue = queuePositionsByUid(await shared.unfinishedJobs(profile.id), new Date());
    }
    const report = consensusReport({
      netuid: snapshot.netuid,
      input,
      hotkeys: snapshot.hotkeys,
      hotkey,
      replay: replaySnapshot(snapshot, profile),
      queue,
      weightsRateLimit: limits.weightsRateLimit,
      weightsVersion: limits.weightsVersion,
      versionKey: profile.weightsVersionKey,
      top: options.top,
    });
    return {
      json: { ...consensusReportJson(report), ...(read ? { read } : {}) },
      text: () => consensusReportText(report),
    };
  },
});

export function consensusReportJson(r: ConsensusReport) {
  return {
    netuid: r.netuid,
    block: r.block,
    kappa: r.kappa,
    counted_validators: r.counted,
    hotkey: r.hotkey,
    uid: r.uid,
    standing: r.standing,
    agreement: { now: r.agreementNow, computed: r.agreementComputed },
    last_update: r.lastUpdate,
    blocks_since_update: r.blocksSinceUpdate,
    activity_cutoff: r.activityCutoff,
    active_for_blocks: r.activeFor,
    rate_limit: { blocks: r.rateLimit.blocks, frees_at: r.rateLimit.freesAt },
    version_key: r.versionKey,
    compared: r.compared,
    disagreements: r.disagreements.map((d) => ({
      uid: d.uid,
      hotkey: d.hotkey,
      repo: d.repo,
      weight: d.weight,
      on_chain: d.onChain,
      consensus: d.consensus,
      gap: d.gap,
      reason: d.reason,
    })),
    peers: r.peers,
  };
}
