import { z } from "zod";
import { BLOCK_TIME_SECONDS } from "../chain/commit-reveal.js";
import { assertSs58 } from "../chain/ss58.js";
import { readStepSnapshot } from "../chain/step-snapshot.js";
import { scoreRunFacts } from "../eval/score-run-facts.js";
import { ownerFacts } from "../leaderboard/sources.js";
import { shortDuration } from "../render/table.js";
import { repoId } from "../scoring/model-id.js";
import { findProfile } from "../scoring/profile.js";
import { replaySnapshot } from "../scoring/replay.js";
import type { EvaluationRecord } from "../store/evaluations.js";
import type { ScoreRun } from "../store/score-runs.js";
import { defineCommand } from "./define.js";
import { scoreUrlOption } from "./evaluation-options.js";
import { hotkeyAddress } from "./hotkey-address.js";
import { rewardsJson } from "./metagraph.js";

export const statusCommand = defineCommand({
  name: "status",
  uses: ["chain", "wallet", "store", "shared", "hub", "profile"],
  description:
    "The uid, its commitment, the verdict this data dir's replay gives it (sn11 validate in this data dir\n" +
    "is what changes it), the newest local `sn11 score` card of the committed repo, the chain's incentive\n" +
    "and emission, and the immunity left. --score-source remote adds the owner's verdict: what the\n" +
    "reference's validators use.",
  examples: ["sn11 status", "sn11 status --score-source remote", "sn11 status --hotkey 5F... --json"],
  options: z.object({
    hotkey: z
      .string()
      .optional()
      .describe("the hotkey to look at (default: the wallet's)")
      .meta({ valueName: "ss58" }),
    scoreSource: z
      .enum(["local", "remote"])
      .default("local")
      .describe("local: this data dir's view; remote: also the owner's verdict from its score API")
      .meta({ valueName: "local|remote" }),
    scoreUrl: scoreUrlOption("the owner's score API for --score-source remote"),
  }),
  async run({ options }, ctx) {
    const { netuid, profile: profileId } = ctx.loaded.config;
    const hotkey = hotkeyAddress(options.hotkey, ctx.loaded.config);
    await assertSs58(hotkey);
    const profile = findProfile(profileId);
    if (!profile) throw new Error(`unknown profile ${profileId}`);
    const store = ctx.store();
    let evaluations: EvaluationRecord[] = [];
    const { metagraph, snapshot } = await readStepSnapshot(await ctx.chain(), netuid, async () => {
      evaluations = await (await ctx.shared()).evaluations(profile.id);
      return evaluations;
    });
    const neuron = metagraph.neurons.find((n) => n.hotkey === hotkey);
    const row = neuron ? replaySnapshot(snapshot, profile).rows[neuron.uid] : undefined;
    const commitment = metagraph.commitments.find((c) => c.hotkey === hotkey) ?? null;
    const immunityEnds =
      neuron?.blockAtRegistration != null && metagraph.hyperparameters.immunityPeriod != null
        ? neuron.blockAtRegistration + metagraph.hyperparameters.immunityPeriod
        : null;
    const evaluation = row?.modelId
      ? (evaluations.find(
          (e) => e.repo === repoId(row.modelId as never) && e.entryHash === row.modelId?.hash,
        ) ?? null)
      : null;
    const repo = row?.modelId ? repoId(row.modelId) : null;
    const lastSubmission = store.submissions.latest(hotkey, netuid);
    const revision =
      (lastSubmission?.repo === repo ? lastSubmission?.revision : undefined) ??
      evaluation?.revision ??
      undefined;
    const scoreRun = repo ? store.scoreRuns.latestFinished(repo, revision) : undefined;
    const owner =
      options.scoreSource === "remote" && row?.modelId
        ? await ownerFacts(options.scoreUrl, [row], { timeoutMs: 15_000, signal: ctx.signal })
        : null;
    if (owner?.warning) ctx.logger.warn({ url: options.scoreUrl }, owner.warning);
    const ownerVerdict =
      owner?.owner && repo ? (owner.owner.get(`${repo}\n${row?.modelId?.hash}`) ?? null) : null;
    const scoreCard = scoreRun ? scoreCardJson(scoreRun) : null;
    const blocksLeft = immunityEnds === null ? null : Math.max(0, immunityEnds - metagraph.block.number);
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
      score_card: scoreCard,
      chain: neuron ? rewardsJson(neuron) : null,
      owner:
        options.scoreSource === "remote"
          ? {
              url: options.scoreUrl,
              reachable: owner ? owner.warning === null : null,
              status: ownerVerdict?.status ?? null,
              total_score: ownerVerdict?.totalScore ?? null,
            }
          : null,
      last_submission: lastSubmission
        ? {
            repo: lastSubmission.repo,
            revision: lastSubmission.revision,
            commitment: lastSubmission.commitment,
            block: lastSubmission.block,
            tx_hash: lastSubmission.txHash,
            outcome: lastSubmission.outcome,
            created_at: lastSubmission.createdAt,
          }
        : null,
      immunity_ends_at: immunityEnds,
      blocks_until_immunity_ends: blocksLeft,
    };
    const verdictText = row
      ? row.valid
        ? `valid${row.winRate === null ? "" : `, win rate ${row.winRate.toFixed(4)}`}, weight ${row.weight.toFixed(4)}`
        : row.reason === "not_scored" && !evaluation
          ? "not_scored — not evaluated in this data dir (sn11 validate here evaluates it)"
          : `${row.reason} — ${row.detail}`
      : "-";
    const cardText = json.score_card
      ? `run ${json.score_card.run_id} ${json.score_card.status}${json.score_card.total_score === null ? "" : ` ${json.score_card.total_score.toFixed(4)}`} · ${json.score_card.samples ?? "?"} samples · ${json.score_card.engine ?? "?"} · revision ${json.score_card.revision} (sn11 score --list)`
      : repo
        ? `none for ${repo} (sn11 score ${repo} --chat-template ${row?.modelId?.chatTemplate ?? "…"})`
        : "none";
    const ownerText = !json.owner
      ? null
      : !owner
        ? "- (nothing committed to ask about)"
        : owner.warning
          ? `unavailable (${options.scoreUrl})`
          : ownerVerdict
            ? `${ownerVerdict.status}${ownerVerdict.totalScore === null ? "" : ` ${ownerVerdict.totalScore.toFixed(4)}`} (${options.scoreUrl})`
            : "-";
    const text = () =>
      [
        `hotkey ${hotkey} on netuid ${netuid} at block ${json.block}`,
        json.registered ? `uid ${json.uid}` : "not registered",
        `commitment: ${commitment ? `${commitment.data ?? `(${commitment.problem})`} at block ${commitment.block}` : "none"}`,
        `verdict of this data dir (${profile.id}): ${verdictText}`,
        ...(ownerText === null ? [] : [`owner's verdict: ${ownerText}`]),
        `local evaluation (sn11 validate): ${evaluation ? `${evaluation.status}${evaluation.totalScore === null ? "" : ` ${evaluation.totalScore.toFixed(4)}`}` : "none"}`,
        `local score card (sn11 score): ${cardText}`,
        `chain: ${json.chain ? `incentive ${json.chain.incentive.toFixed(4)} · consensus ${json.chain.consensus.toFixed(4)} · emission ${json.chain.emission.toFixed(4)} α per epoch` : "-"}`,
        `immunity: ${blocksLeft === null ? "-" : blocksLeft === 0 ? "over" : `${blocksLeft} blocks left, ≈${shortDuration(blocksLeft * BLOCK_TIME_SECONDS)} (ends at block ${immunityEnds})`}`,
      ].join("\n");
    return { json, text };
  },
});

/** The newest score card's facts, but its dataset: the line is about this commitment's model. */
function scoreCardJson(run: ScoreRun) {
  const { dataset: _dataset, ...facts } = scoreRunFacts(run);
  return { run_id: run.id, ...facts };
}
