import { resolve } from "node:path";
import { z } from "zod";
import type { WeightsCommit } from "../chain/commit-weights.js";
import type { SentWeights } from "../chain/set-weights.js";
import { assertSs58 } from "../chain/ss58.js";
import type { Metagraph } from "../chain/types.js";
import { UsageError } from "../errors.js";
import { replayText } from "../render/replay.js";
import { plural, renderTable } from "../render/table.js";
import { findProfile } from "../scoring/profile.js";
import { replaySnapshot, replayToJson } from "../scoring/replay.js";
import { type Snapshot, snapshotDigest } from "../scoring/snapshot.js";
import type { WeightCommitRecord } from "../store/weight-commits.js";
import type { WeightComputation } from "../store/weight-computations.js";
import { confirmOrStop } from "./confirm.js";
import { defineCommand } from "./define.js";
import { readSnapshotFile } from "./snapshot-file.js";

const options = z.object({
  snapshot: z
    .string()
    .optional()
    .describe("replay one validator step from a snapshot file (its format: the README, sn11 weights)")
    .meta({ valueName: "file" }),
  fromChain: z
    .boolean()
    .default(false)
    .describe("replay the chain's finalized block with the local evaluations"),
  set: z.boolean().default(false).describe("with --from-chain: send the weights with the wallet's hotkey"),
  yes: z.boolean().default(false).describe("with --set: do not ask for confirmation").meta({ short: "y" }),
  history: z.boolean().default(false).describe("list the weight computations recorded in the store"),
  wide: z
    .boolean()
    .default(false)
    .describe("every uid, hotkeys, full repos and the reason codes (the table is wider than 80 columns)"),
  limit: z.coerce.number().int().positive().default(20).describe("how many history entries to list"),
  record: z.boolean().default(true).describe("do not record this replay in the store"),
  dryRun: z
    .boolean()
    .default(false)
    .describe(
      "with --set: check and build what would be sent (the commit on a commit-reveal subnet), send nothing",
    ),
  commitReveal: z
    .boolean()
    .default(false)
    .describe("with --snapshot: also build the drand-timelocked commit (needs --hotkey and --reveal-round)"),
  hotkey: z.string().optional().describe("with --commit-reveal: the committing hotkey (SS58)"),
  revealRound: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .describe("with --commit-reveal: the drand round"),
  drandKey: z
    .string()
    .regex(/^(0x)?[0-9a-fA-F]{192}$/, "a 96-byte G2 public key in hex")
    .optional()
    .describe("with --commit-reveal: the beacon's public key (default: drand quicknet)"),
});

export const weightsCommand = defineCommand({
  name: "weights",
  uses: ["chain", "wallet", "store", "shared", "profile"],
  description:
    "Replays one validator step offline, exactly as the reference validator computes it: registry rules,\n" +
    "duplicates, win rates with the later-block penalty, softmax, burn and the u16 vector sent to set_weights.",
  examples: [
    "sn11 weights --snapshot step.json",
    "sn11 weights --snapshot step.json --json",
    "sn11 weights --from-chain",
    "sn11 weights --from-chain --set --yes --wallet.name validator",
    "sn11 weights --from-chain --set --dry-run --json",
    "sn11 weights --snapshot step.json --commit-reveal --hotkey 5Grw… --reveal-round 1000 --json",
    "sn11 weights --history",
  ],
  options,
  async run({ options: opts }, ctx) {
    if ([opts.snapshot !== undefined, opts.fromChain, opts.history].filter(Boolean).length !== 1) {
      throw new UsageError("give exactly one of --snapshot FILE, --from-chain or --history", {
        hint: "sn11 weights --snapshot step.json",
      });
    }
    if (opts.history) {
      const store = ctx.store();
      return historyResult(store.weightComputations.list(opts.limit), (step) =>
        store.weightCommits.forStep(step),
      );
    }

    const profile = findProfile(ctx.loaded.config.profile);
    if (!profile)
      throw new Error(`profile ${ctx.loaded.config.profile} passed validation but does not exist`);
    if (opts.set && !opts.fromChain) throw new UsageError("--set goes with --from-chain");
    if (opts.dryRun && !opts.set) throw new UsageError("--dry-run goes with --set");
    if (
      opts.commitReveal &&
      opts.snapshot !== undefined &&
      (!opts.hotkey || opts.revealRound === undefined)
    ) {
      throw new UsageError("--commit-reveal with --snapshot needs --hotkey SS58 and --reveal-round N", {
        hint: "sn11 weights --snapshot step.json --commit-reveal --hotkey 5Grw… --reveal-round 1000 --json",
      });
    }
    if (!opts.commitReveal && (opts.hotkey || opts.revealRound !== undefined || opts.drandKey)) {
      throw new UsageError("--hotkey, --reveal-round and --drand-key go with --commit-reveal");
    }
    let snapshot: Snapshot;
    let sourceRef: string;
    let metagraph: Metagraph | null = null;
    if (opts.fromChain) {
      // The chain's modules load only for a replay of the chain: an offline replay starts without them.
      const { readStepSnapshot } = await import("../chain/step-snapshot.js");
      const chain = await ctx.chain();
      ({ snapshot, metagraph } = await readStepSnapshot(chain, ctx.loaded.config.netuid, async () =>
        (await ctx.shared()).evaluations(profile.id),
      ));
      sourceRef = chain.endpoint;
    } else {
      sourceRef = resolve(ctx.cwd, opts.snapshot as string);
      snapshot = readSnapshotFile(sourceRef);
    }
    const replay = replaySnapshot(snapshot, profile);
    const digest = snapshotDigest(snapshot);
    let sent: SentWeights | null = null;
    let commit: WeightsCommit | null = null;
    // Encryption and signing (noble, util-crypto) load only when a commit or a send is asked for.
    const commitWeights = opts.commitReveal || opts.set ? await import("../chain/commit-weights.js") : null;
    if (opts.snapshot !== undefined && opts.commitReveal) {
      const { QUICKNET } = await import("../chain/timelock.js");
      commit = (commitWeights as NonNullable<typeof commitWeights>).buildTimelockedCommit({
        hotkey: await assertSs58(opts.hotkey as string),
        emit: replay.emit,
        versionKey: profile.weightsVersionKey,
        revealRound: opts.revealRound as number,
        beaconPublicKeyHex: opts.drandKey ?? QUICKNET.publicKeyHex,
      });
    }
    const setWeights = opts.set ? await import("../chain/set-weights.js") : null;
    if (setWeights && opts.dryRun && metagraph) {
      // Every check the send makes, and the commit it would carry; nothing is signed.
      const { assertSomethingToSend, prepareWeights } = setWeights;
      assertSomethingToSend(replay.emit);
      const prepared = await prepareWeights({
        chain: await ctx.chain(),
        signer: await ctx.hotkey(),
        metagraph,
        emit: replay.emit,
        versionKey: profile.weightsVersionKey,
      });
      if (!prepared.ok) throw prepared.error;
      commit = prepared.commit;
    } else if (setWeights && metagraph) {
      const signer = await ctx.hotkey();
      const verb = metagraph.hyperparameters.commitRevealEnabled ? "commit (timelocked)" : "set";
      // What is about to be signed, before the question: the heaviest uids and the rate limit's state.
      const top = replay.emit.uids
        .map((uid, i) => ({ uid, u16: replay.emit.weights[i] as number }))
        .sort((a, b) => b.u16 - a.u16)
        .slice(0, 5);
      const own = metagraph.neurons.find((n) => n.hotkey === signer.address);
      const freesAt = own ? own.lastUpdate + metagraph.hyperparameters.weightsRateLimit : null;
      if (!opts.yes)
        ctx.stderr.write(
          `weights: ${top.map((t) => `uid ${t.uid} ${t.u16}`).join(", ")}${replay.emit.uids.length > top.length ? `, … (${replay.emit.uids.length} uids)` : ""}\n` +
            `rate limit: ${freesAt === null ? "this hotkey has no uid here" : freesAt <= metagraph.block.number ? `free (last update ${own?.lastUpdate})` : `not before block ${freesAt} (now ${metagraph.block.number})`}\n`,
        );
      const question = `${verb} ${plural(replay.emit.uids.length, "weight")} on netuid ${replay.netuid} with ${signer.address}?`;
      if (!opts.yes) await confirmOrStop(ctx, question, "no weights were sent");
      sent = await setWeights.sendWeights({
        chain: await ctx.chain(),
        signer,
        metagraph,
        emit: replay.emit,
        versionKey: profile.weightsVersionKey,
        logger: ctx.logger,
        signal: ctx.signal,
      });
      commit = sent.commit;
    }
    const json = {
      ...replayToJson(replay),
      snapshot_digest: digest,
      ...(commit && commitWeights ? { commit: commitWeights.commitToJson(commit) } : {}),
      ...(sent
        ? {
            sent: {
              tx_hash: sent.txHash,
              block_hash: sent.blockHash,
              block: sent.blockNumber,
              uid: sent.uid,
            },
          }
        : {}),
    };
    if (opts.record) {
      ctx.store().weightComputations.record({
        source: opts.fromChain ? "chain" : "snapshot",
        sourceRef,
        snapshotDigest: digest,
        profile: profile.id,
        netuid: replay.netuid,
        block: replay.block,
        uids: replay.rows.length,
        emitted: replay.emit.uids.length,
        result: json,
      });
    }
    ctx.logger.debug({ source: sourceRef, digest, uids: replay.rows.length }, "replayed snapshot");
    return {
      json,
      text: () =>
        replayText(replay, digest, { wide: opts.wide }) +
        (commit ? `\n${commitText(commit)}` : "") +
        (sent
          ? `\nsent: ${commit ? "commit_timelocked_weights" : "set_weights"} ${sent.txHash} included in block ${sent.blockNumber ?? sent.blockHash}`
          : ""),
    };
  },
});

function commitHistoryJson(c: WeightCommitRecord) {
  return {
    mode: c.mode,
    tx_hash: c.txHash,
    tx_block: c.txBlock,
    reveal_round: c.revealRound,
    reveal_epoch: c.revealEpoch,
    first_reveal_block: c.firstRevealBlock,
    status: c.status,
    reveal_block: c.revealBlock,
    reveal_tx_hash: c.revealTxHash,
    reason: c.reason,
    self_check: c.selfCheck,
    checked_block: c.checkedBlock,
  };
}

function commitText(commit: WeightsCommit): string {
  if (commit.mode === "hash") return `commit: hash ${commit.hashHex} by ${commit.hotkey}`;
  const when = commit.plan
    ? `; the chain reveals it in epoch ${commit.plan.revealEpoch} (blocks ${commit.plan.firstRevealBlock}–${commit.plan.lastRevealBlock})`
    : "";
  return `commit: ${commit.ciphertext.length}-byte drand timelock for round ${commit.revealRound} by ${commit.hotkey}${when}`;
}

function agreementCell(a: { chain: number | null; computed: number | null } | null): string {
  if (!a || (a.chain === null && a.computed === null)) return "-";
  const computed = a.computed === null ? "-" : a.computed.toFixed(3);
  return a.chain === null ? computed : `${computed} (${a.chain.toFixed(3)})`;
}

function historyResult(
  entries: WeightComputation[],
  commitOf: (step: number) => WeightCommitRecord | undefined,
) {
  const commits = new Map(
    entries.flatMap((e) => {
      const c = e.step ? commitOf(e.step.id) : undefined;
      return c ? [[e.id, c] as const] : [];
    }),
  );
  const json = entries.map((e) => ({
    id: e.id,
    created_at: e.createdAt,
    source: e.source,
    source_ref: e.sourceRef,
    snapshot_digest: e.snapshotDigest,
    profile: e.profile,
    netuid: e.netuid,
    block: e.block,
    uids: e.uids,
    emitted: e.emitted,
    step: e.step
      ? {
          id: e.step.id,
          outcome: e.step.outcome,
          reason: e.step.reason,
          tx_hash: e.step.txHash,
          agreement: e.step.agreement,
        }
      : null,
    ...(commits.has(e.id) ? { commit: commitHistoryJson(commits.get(e.id) as WeightCommitRecord) } : {}),
  }));
  const text = () =>
    entries.length === 0
      ? "no weight computations recorded yet (sn11 weights --snapshot FILE records one)"
      : renderTable<WeightComputation>(
          [
            { header: "id", value: (e) => String(e.id), align: "right" },
            { header: "when (UTC)", value: (e) => e.createdAt.slice(0, 19).replace("T", " ") },
            { header: "source", value: (e) => e.source },
            { header: "profile", value: (e) => e.profile },
            { header: "block", value: (e) => String(e.block), align: "right" },
            { header: "uids", value: (e) => String(e.uids), align: "right" },
            { header: "emitted", value: (e) => String(e.emitted), align: "right" },
            { header: "snapshot", value: (e) => e.snapshotDigest.slice(0, 12) },
            {
              header: "sent",
              value: (e) => (e.step ? (e.step.txHash ?? e.step.outcome).slice(0, 18) : "-"),
            },
            {
              header: "reveal",
              value: (e) => {
                const c = commits.get(e.id);
                if (!c) return "-";
                return c.status === "revealed"
                  ? `revealed${c.revealBlock ? ` @${c.revealBlock}` : ""}`
                  : `${c.status} (${c.mode === "hash" ? "hash" : `round ${c.revealRound}`})`;
              },
            },
            {
              // What this step's weights keep after Yuma's clip (and, in brackets, the row on chain then).
              header: "agree",
              value: (e) => agreementCell(e.step?.agreement ?? null),
              align: "right",
            },
            { header: "from", value: (e) => e.sourceRef ?? "-" },
          ],
          entries,
        );
  return { json, text };
}
