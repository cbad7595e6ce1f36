import { commitmentProblems, entryHash, formatCommitment, type ModelId } from "../scoring/model-id.js";
import type { ScoringProfile } from "../scoring/profile.js";
import { contentHash, referenceModelHash } from "./hub/model-hash.js";
import { type Check, repoSizeBytes, runPrechecks } from "./hub/prechecks.js";
import type { RepoInspection } from "./hub/types.js";

export interface CheckReport {
  readonly repo: string;
  readonly revision: string;
  readonly ok: boolean;
  readonly checks: readonly Check[];
  readonly size_bytes: number;
  readonly model_hash: string | null;
  readonly content_hash: string | null;
  readonly chat_template: string | null;
  readonly hotkey: string | null;
  readonly entry_hash: string | null;
  readonly commitment: string | null;
  readonly commitment_bytes: number | null;
}

/**
 * The miner's precheck: the profile's repo checks, the identities validators will compute (model hash,
 * entry hash) and the exact commitment string, so nothing is learned days later from a rejection.
 */
export async function checkModel(
  inspection: RepoInspection,
  options: { profile: ScoringProfile; chatTemplate: string | null; hotkey: string | null; repoId: string },
): Promise<CheckReport> {
  const checks = [...runPrechecks(inspection, options)];
  const modelHash = inspection.index
    ? await referenceModelHash(inspection.index, inspection.files, inspection.contentSha256)
    : null;
  const content = await contentHash(inspection.files, inspection.contentSha256);
  const { hotkey, chatTemplate, profile } = options;
  let commitment: string | null = null;
  let hash: string | null = null;
  const [namespace, name] = options.repoId.split("/");
  if (hotkey && chatTemplate && namespace && name) {
    hash = entryHash(namespace, name, chatTemplate, hotkey);
    const id: ModelId = { namespace, name, chatTemplate, hotkey, hash, competitionId: profile.competitionId };
    commitment = formatCommitment(id);
    const problems = commitmentProblems(id, profile.chatTemplates);
    checks.push({ name: "commitment", ok: problems.length === 0, detail: problems.join("; ") || commitment });
  } else if (!hotkey) {
    checks.push({ name: "commitment", ok: true, detail: "not built: no hotkey (pass --hotkey or a wallet)" });
  }
  return {
    repo: options.repoId,
    revision: inspection.sha ?? inspection.revision,
    ok: checks.every((c) => c.ok),
    checks,
    size_bytes: repoSizeBytes(inspection),
    model_hash: modelHash,
    content_hash: content,
    chat_template: chatTemplate,
    hotkey,
    entry_hash: hash,
    commitment,
    commitment_bytes: commitment === null ? null : Buffer.byteLength(commitment, "utf8"),
  };
}

/** The report of a repo the Hub would not show: the one failed check validators would stop at. */
export function notPublicReport(
  repo: string,
  revision: string,
  status: number,
  chatTemplate: string | null,
  hotkey: string | null,
): CheckReport {
  return {
    repo,
    revision,
    ok: false,
    checks: [
      {
        name: "public",
        ok: false,
        detail: `the Hub answered HTTP ${status}: private, gated or missing (validators fetch public repos only)`,
      },
    ],
    size_bytes: 0,
    model_hash: null,
    content_hash: null,
    chat_template: chatTemplate,
    hotkey,
    entry_hash: null,
    commitment: null,
    commitment_bytes: null,
  };
}
