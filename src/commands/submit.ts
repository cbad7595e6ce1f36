import { z } from "zod";
import { ChainError, UsageError } from "../errors.js";
import { checkModel } from "../eval/check.js";
import { assertRepoId } from "../eval/hub/repo-id.js";
import { planSubmission, rateLimitProblem, sendSubmission } from "../miner/submit.js";
import { CHAT_TEMPLATES, findProfile } from "../scoring/profile.js";
import { confirmOrStop } from "./confirm.js";
import { defineCommand } from "./define.js";

export const submitCommand = defineCommand({
  name: "submit",
  uses: ["hub", "chain", "wallet", "store", "profile"],
  description:
    "Runs every check of `sn11 check`, confirms the hotkey is registered and has commitment space left,\n" +
    "does nothing when the chain already holds the same commitment (re-committing loses block priority),\n" +
    "asks for confirmation (--yes without a terminal), signs with the wallet's hotkey, waits for inclusion and\n" +
    "reads the commitment back byte for byte.",
  examples: [
    "sn11 submit alice/rp-mix-22b --chat-template chatml --wallet.name miner --wallet.hotkey default",
    "sn11 submit alice/rp-mix-22b --chat-template chatml --yes --json",
  ],
  arguments: [{ name: "repo", description: "namespace/name on the Hugging Face Hub", required: true }],
  options: z.object({
    chatTemplate: z
      .enum(CHAT_TEMPLATES)
      .describe("the chat template validators render prompts with")
      .meta({ valueName: "name" }),
    revision: z.string().min(1).default("main").describe("the revision to check").meta({ valueName: "rev" }),
    yes: z.boolean().default(false).describe("do not ask for confirmation").meta({ short: "y" }),
    force: z
      .boolean()
      .default(false)
      .describe("submit although validators would fail it under the rate limit (a warning instead)"),
  }),
  async run({ args, options }, ctx) {
    const repo = args[0] as string;
    assertRepoId(repo);
    const profile = findProfile(ctx.loaded.config.profile);
    if (!profile) throw new Error(`unknown profile ${ctx.loaded.config.profile}`);
    const netuid = ctx.loaded.config.netuid;
    const signer = await ctx.hotkey();
    const inspection = await (await ctx.hub()).inspect(repo, options.revision);
    const report = await checkModel(inspection, {
      profile,
      chatTemplate: options.chatTemplate,
      hotkey: signer.address,
      repoId: repo,
    });
    const chain = await ctx.chain();
    const plan = await planSubmission(chain, report, signer.address, netuid, profile);
    const why = rateLimitProblem(plan, profile.submissionRateLimitBlocks);
    if (why) {
      if (!options.force)
        throw new UsageError(`not submitted: ${why}`, {
          hint: "wait for that block, or pass --force to submit anyway",
        });
      ctx.logger.warn(why);
      ctx.stderr.write(`warning: ${why}\n`);
    }
    const base = {
      repo,
      revision: report.revision,
      netuid,
      hotkey: signer.address,
      uid: plan.uid,
      commitment: plan.commitment,
      commitment_bytes: Buffer.byteLength(plan.commitment, "utf8"),
      replaces: plan.current?.data ?? null,
    };
    if (!plan.unchanged && !options.yes) {
      const what = `commit ${plan.commitment}${plan.current ? ` (replacing ${plan.current.data ?? "an unreadable commitment"} from block ${plan.current.block}, and that block's priority)` : ""}?`;
      await confirmOrStop(ctx, what, "nothing was submitted");
    }
    const result = await sendSubmission(chain, signer, plan, ctx.logger);
    ctx.store().submissions.record({
      netuid,
      hotkey: signer.address,
      repo,
      revision: report.revision,
      commitment: plan.commitment,
      block: result.block,
      txHash: result.txHash,
      outcome: result.status,
    });
    if (result.block === null && result.status !== "unchanged")
      throw new ChainError("no block was reported for the commitment");
    const json = { ...base, status: result.status, block: result.block, tx_hash: result.txHash };
    const text = () =>
      result.status === "unchanged"
        ? `the chain already holds this commitment (block ${result.block}): nothing sent, block priority kept`
        : `committed ${plan.commitment}\nuid ${plan.uid} · block ${result.block} · read back and verified` +
          (result.status === "landed-after-drop"
            ? " (the connection dropped after sending; the read-back found it)"
            : "");
    return { json, text };
  },
});
