import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { assertSs58 } from "../chain/ss58.js";
import { readHotkeyAddress } from "../chain/wallet-files.js";
import { CancelledError, EXIT } from "../errors.js";
import { type CheckReport, checkModel, notPublicReport } from "../eval/check.js";
import { inspectLocalDir } from "../eval/hub/local.js";
import { formatBytes } from "../eval/hub/prechecks.js";
import { assertRepoId, RepoNotPublic } from "../eval/hub/repo-id.js";
import type { RepoInspection } from "../eval/hub/types.js";
import { commitmentStanding, rateLimitProblem } from "../miner/submit.js";
import { toned } from "../render/style.js";
import { findProfile, type ScoringProfile } from "../scoring/profile.js";
import { type CommandContext, defineCommand } from "./define.js";

/** The last line: what the result means for the miner, not only pass or fail. */
function summary(report: CheckReport, noTemplate: boolean, onChain: OnChain | null): string {
  const failed = report.checks.filter((c) => !c.ok);
  if (failed.length === 1 && failed[0]?.name === "chat_template" && noTemplate) {
    return "the model's checks passed; pass --chat-template (the one you will commit) to finish the check";
  }
  if (failed.length > 0) return "some checks failed: validators would reject this model";
  if (onChain?.read && onChain.rate_limit)
    return `all checks passed; a commitment now would be FAILED until block ${onChain.rate_limit_frees_at} (submit refuses without --force)`;
  return report.commitment
    ? "all checks passed"
    : "all checks passed; no commitment built (pass --hotkey or point --wallet.* at a wallet)";
}

/** This hotkey on chain as a new commitment would meet it (JSON keys as printed). */
type OnChain =
  | {
      readonly read: true;
      readonly block: number;
      readonly uid: number | null;
      readonly current_commitment: string | null;
      readonly current_block: number | null;
      readonly unchanged: boolean;
      /** Why validators would mark the new commitment FAILED (the rate limit), or null. */
      readonly rate_limit: string | null;
      readonly rate_limit_frees_at: number | null;
    }
  | { readonly read: false; readonly reason: string };

const notRead = (reason: string): OnChain => ({ read: false, reason });

async function readStanding(
  ctx: CommandContext,
  o: { readonly hotkey: string; readonly commitment: string },
  profile: ScoringProfile,
): Promise<OnChain> {
  const netuid = ctx.loaded.config.netuid;
  try {
    const standing = await commitmentStanding(await ctx.chain(), { ...o, netuid }, profile);
    return {
      read: true,
      block: standing.block,
      uid: standing.uid,
      current_commitment: standing.current?.data ?? null,
      current_block: standing.current?.block ?? null,
      unchanged: standing.unchanged,
      rate_limit: rateLimitProblem(standing, profile.submissionRateLimitBlocks),
      rate_limit_frees_at: standing.rateLimit.limited ? standing.rateLimit.freesAt : null,
    };
  } catch (error) {
    if (error instanceof CancelledError) throw error;
    // The model's checks stand on their own: an unreachable chain only leaves this part unchecked (the
    // result says so, on stdout and in the JSON).
    ctx.logger.debug({ err: error }, "the chain could not be read");
    return notRead(`the chain could not be read: ${(error as Error).message}`);
  }
}

function onChainText(c: OnChain, netuid: number): string {
  if (!c.read) return `not read (${c.reason}): the rate limit is unchecked`;
  if (c.uid === null) return `this hotkey is not registered on netuid ${netuid}: submit would be refused`;
  if (c.unchanged)
    return `uid ${c.uid} already holds this commitment (block ${c.current_block}): nothing to submit`;
  const replacing =
    c.current_block === null
      ? `uid ${c.uid}, no commitment yet`
      : `uid ${c.uid}; replaces the commitment of block ${c.current_block}, giving up that block's priority`;
  return c.rate_limit ? `${replacing}\n${toned("warning", "bad")}:       ${c.rate_limit}` : replacing;
}

export const checkCommand = defineCommand({
  name: "check",
  uses: ["hub", "chain", "wallet", "profile"],
  description:
    "Runs the checks validators apply (public, safetensors index, size bounds, chat template, no custom code),\n" +
    "computes the model hash and the entry hash, and prints the exact commitment a miner would send.\n" +
    "With a hotkey it reads the chain: the hotkey's uid, the commitment it would replace (and that block's\n" +
    "priority), and whether validators would mark a new one FAILED under the rate limit (--offline skips it).\n" +
    "Exits 0 only when every check passes (2 otherwise); the rate limit is a warning here, submit refuses.",
  examples: [
    "sn11 check alice/rp-mix-22b --chat-template chatml --hotkey 5F...",
    "sn11 check ./my-model --chat-template llama3 --json",
  ],
  arguments: [
    { name: "repo", description: "namespace/name on the Hub, or a local directory", required: true },
  ],
  options: z.object({
    revision: z
      .string()
      .min(1)
      .default("main")
      .describe("branch, tag or commit sha to check")
      .meta({ valueName: "rev" }),
    chatTemplate: z
      .string()
      .optional()
      .describe("the chat template you will commit")
      .meta({ valueName: "name" }),
    hotkey: z
      .string()
      .optional()
      .describe("the hotkey that will commit (default: the wallet's)")
      .meta({ valueName: "ss58" }),
    offline: z
      .boolean()
      .default(false)
      .describe(
        "do not read the chain (this hotkey's commitment and the validators' rate limit go unchecked)",
      ),
  }),
  async run({ args, options }, ctx) {
    const target = args[0] as string;
    const profile = findProfile(ctx.loaded.config.profile);
    if (!profile) throw new Error(`unknown profile ${ctx.loaded.config.profile}`);
    const local = resolve(ctx.cwd, target);
    const isLocal =
      target.startsWith(".") ||
      target.startsWith("/") ||
      (existsSync(local) && !/^[^/]+\/[^/]+$/.test(target));
    let repoId = target;
    const { walletName, walletHotkey, walletPath } = ctx.loaded.config;
    const hotkey =
      options.hotkey === undefined
        ? readHotkeyAddress({ name: walletName, hotkey: walletHotkey, path: walletPath })
        : await assertSs58(options.hotkey);
    if (options.hotkey === undefined && hotkey) ctx.logger.info({ hotkey }, "using the wallet's hotkey");
    let inspection: RepoInspection | null = null;
    let report: CheckReport;
    if (isLocal) {
      inspection = inspectLocalDir(local);
      repoId = `local/${inspection.repo}`;
    } else {
      assertRepoId(target);
      try {
        inspection = await (await ctx.hub()).inspect(target, options.revision);
      } catch (error) {
        // A private or missing repo is the answer to the check, not an error: the report says it (exit 2).
        if (!(error instanceof RepoNotPublic)) throw error;
        report = notPublicReport(
          target,
          options.revision,
          error.status,
          options.chatTemplate ?? null,
          hotkey,
        );
      }
    }
    report ??= await checkModel(inspection as RepoInspection, {
      profile,
      chatTemplate: options.chatTemplate ?? null,
      hotkey,
      repoId: isLocal ? repoId : target,
    });
    if (isLocal && report.commitment) {
      // A local directory has no Hub name yet: its commitment is only an example.
      ctx.logger.info("local directory: the commitment uses the placeholder namespace 'local'");
    }
    const onChain =
      isLocal || !report.commitment || !hotkey
        ? null
        : options.offline
          ? notRead("--offline")
          : await readStanding(ctx, { hotkey, commitment: report.commitment }, profile);
    const text = () =>
      [
        `${report.repo} @ ${report.revision}`,
        ...report.checks.map(
          (c) => `  ${c.ok ? toned("ok  ", "good") : toned("FAIL", "bad")} ${c.name.padEnd(18)} ${c.detail}`,
        ),
        "",
        `weights        ${formatBytes(report.size_bytes)}`,
        `model hash     ${report.model_hash ?? "-"}`,
        `content hash   ${report.content_hash ?? "-"}`,
        `entry hash     ${report.entry_hash ?? "-"}`,
        `commitment     ${report.commitment ?? "-"}${report.commitment_bytes === null ? "" : ` (${report.commitment_bytes} bytes)`}`,
        ...(onChain ? [`on chain       ${onChainText(onChain, ctx.loaded.config.netuid)}`] : []),
        "",
        summary(report, options.chatTemplate === undefined, onChain),
      ].join("\n");
    return {
      json: { ...report, on_chain: onChain },
      text,
      exitCode: report.ok ? EXIT.ok : EXIT.usage,
    };
  },
});
