import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { readHotkeyAddress } from "../chain/wallet-files.js";
import { EXIT } from "../errors.js";
import { type CheckReport, checkModel, notPublicReport } from "../eval/check.js";
import { inspectLocalDir } from "../eval/hub/local.js";
import { formatBytes } from "../eval/hub/prechecks.js";
import { assertRepoId, RepoNotPublic } from "../eval/hub/repo-id.js";
import type { RepoInspection } from "../eval/hub/types.js";
import { toned } from "../render/style.js";
import { findProfile } from "../scoring/profile.js";
import { defineCommand } from "./define.js";

const SS58 = /^[1-9A-HJ-NP-Za-km-z]{47,48}$/;

/** The last line: what the result means for the miner, not only pass or fail. */
function summary(report: CheckReport, noTemplate: boolean): string {
  const failed = report.checks.filter((c) => !c.ok);
  if (failed.length === 1 && failed[0]?.name === "chat_template" && noTemplate) {
    return "the model's checks passed; pass --chat-template (the one you will commit) to finish the check";
  }
  if (failed.length > 0) return "some checks failed: validators would reject this model";
  return report.commitment
    ? "all checks passed"
    : "all checks passed; no commitment built (pass --hotkey or point --wallet.* at a wallet)";
}

export const checkCommand = defineCommand({
  name: "check",
  uses: ["hub", "chain", "wallet", "profile"],
  summary: "precheck a model repo (or local directory) before committing it",
  description:
    "Runs the checks validators apply (public, safetensors index, size bounds, chat template, no custom code),\n" +
    "computes the model hash and the entry hash, and prints the exact commitment a miner would send.\n" +
    "Exits 0 only when every check passes (2 otherwise).",
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
      .regex(SS58, "expected an SS58 address")
      .optional()
      .describe("the hotkey that will commit (default: the wallet's)")
      .meta({ valueName: "ss58" }),
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
      options.hotkey ?? readHotkeyAddress({ name: walletName, hotkey: walletHotkey, path: walletPath });
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
        "",
        summary(report, options.chatTemplate === undefined),
      ].join("\n");
    return { json: report, text, exitCode: report.ok ? EXIT.ok : EXIT.usage };
  },
});
