import { entryHashMatches, type ModelId, parseCommitment, repoId } from "./model-id.js";
import type { ScoringProfile } from "./profile.js";

export const EVALUATION_STATUSES = ["QUEUED", "PRECHECK", "RUNNING", "COMPLETED", "FAILED"] as const;
export type EvaluationStatus = (typeof EVALUATION_STATUSES)[number];

export interface Commitment {
  readonly block: number;
  /** Decoded text of the commitment's first field; null when the field is not Raw bytes. */
  readonly data: string | null;
}

export interface EvaluationResult {
  readonly status: EvaluationStatus;
  readonly totalScore: number | null;
}

/** Stable reason codes, in the order the reference applies its rules. */
export type RejectionReason =
  | "no_commitment"
  | "malformed_commitment"
  | "future_block"
  | "before_epoch"
  | "hash_mismatch"
  | "not_scored"
  | "duplicate";

export interface RegistryEntry {
  readonly uid: number;
  readonly hotkey: string;
  readonly valid: boolean;
  readonly reason: RejectionReason | null;
  readonly detail: string | null;
  /** The parsed commitment, when it parsed. */
  readonly modelId: ModelId | null;
  /** The commitment's block, when there is a commitment. */
  readonly block: number | null;
  /**
   * Passed the parse, block and hash rules: the reference has recorded the model and its block, so the
   * entry takes part in duplicate checks and competes with its block (others with sys.maxsize).
   */
  readonly recorded: boolean;
  /** A strictly earlier entry has the same entry hash or repo: this one can never score. */
  readonly duplicate: boolean;
  /** The earlier uid this one duplicates, and what they share. */
  readonly duplicateOf: { readonly uid: number; readonly match: "repo" | "entry_hash" } | null;
  readonly status: EvaluationStatus | null;
  readonly totalScore: number;
}

export interface RegistryInput {
  readonly block: number;
  readonly hotkeys: readonly string[];
  readonly commitmentOf: (hotkey: string) => Commitment | undefined;
  /** The evaluation recorded for (repo, entry hash); none means the model is still queued. */
  readonly evaluationOf: (repo: string, hash: string) => EvaluationResult | undefined;
}

type Draft = {
  -readonly [K in keyof RegistryEntry]: RegistryEntry[K];
};

/**
 * The reference's `build_registry` followed by its duplicate elimination (DIPPY-SPEC §5.6.2, §5.5 step 5–6).
 * Pure: the same input always gives the same registry, whatever order the uids are visited in.
 */
export function buildRegistry(input: RegistryInput, profile: ScoringProfile): RegistryEntry[] {
  const drafts = input.hotkeys.map((hotkey, uid) => applyUidRules(uid, hotkey, input, profile));
  rejectDuplicates(drafts);
  return drafts;
}

function rejected(draft: Draft, reason: RejectionReason, detail: string): Draft {
  draft.valid = false;
  draft.reason = reason;
  draft.detail = detail;
  draft.totalScore = 0;
  return draft;
}

function applyUidRules(uid: number, hotkey: string, input: RegistryInput, profile: ScoringProfile): Draft {
  const draft: Draft = {
    uid,
    hotkey,
    valid: true,
    reason: null,
    detail: null,
    modelId: null,
    block: null,
    recorded: false,
    duplicate: false,
    duplicateOf: null,
    status: null,
    totalScore: 0,
  };
  const commitment = input.commitmentOf(hotkey);
  if (!commitment) return rejected(draft, "no_commitment", "hotkey has no commitment");
  draft.block = commitment.block;
  const parsed = parseCommitment(commitment.data);
  if (!parsed.ok) return rejected(draft, "malformed_commitment", parsed.error);
  const modelId = parsed.modelId;
  draft.modelId = modelId;
  if (commitment.block > input.block) {
    return rejected(
      draft,
      "future_block",
      `committed at block ${commitment.block}, after step block ${input.block}`,
    );
  }
  if (commitment.block < profile.firstValidBlock) {
    return rejected(
      draft,
      "before_epoch",
      `committed at block ${commitment.block}, before block ${profile.firstValidBlock} (${profile.id})`,
    );
  }
  if (!entryHashMatches(modelId, hotkey)) {
    return rejected(
      draft,
      "hash_mismatch",
      "entry hash does not match the repo, template and this uid's hotkey",
    );
  }
  draft.recorded = true;
  const evaluation = input.evaluationOf(repoId(modelId), modelId.hash as string);
  const status = evaluation?.status ?? "QUEUED";
  draft.status = status;
  switch (status) {
    case "QUEUED":
    case "RUNNING":
      return rejected(draft, "not_scored", `evaluation is ${status}`);
    case "COMPLETED":
      draft.totalScore = totalScore(evaluation, profile);
      return draft;
    case "FAILED":
    case "PRECHECK":
      // Not rejected, but a total of 0 gives a win rate of −∞ and so weight 0.
      draft.totalScore = 0;
      return draft;
  }
}

function totalScore(evaluation: EvaluationResult | undefined, profile: ScoringProfile): number {
  switch (profile.totalScore) {
    case "judge_score":
      return evaluation?.totalScore ?? 0;
  }
}

/**
 * Same entry hash or same `namespace/name` among uids that passed the parse, block and hash rules
 * (even those still queued or running): the strictly later commitment loses; equal blocks keep both.
 * The reference's nested loop over a shuffled uid list reduces to "an earlier duplicate exists", so this is
 * order-independent and linear.
 */
function rejectDuplicates(drafts: Draft[]): void {
  const earliestByHash = new Map<string, Draft>();
  const earliestByRepo = new Map<string, Draft>();
  const participants = drafts.filter((d) => d.recorded);
  const keep = (map: Map<string, Draft>, key: string, d: Draft) => {
    const seen = map.get(key);
    if (!seen || (d.block as number) < (seen.block as number)) map.set(key, d);
  };
  for (const d of participants) {
    keep(earliestByHash, d.modelId?.hash as string, d);
    keep(earliestByRepo, repoId(d.modelId as ModelId), d);
  }
  for (const d of participants) {
    const byHash = earliestByHash.get(d.modelId?.hash as string) as Draft;
    const byRepo = earliestByRepo.get(repoId(d.modelId as ModelId)) as Draft;
    const earlier = [byHash, byRepo].find((e) => (e.block as number) < (d.block as number));
    if (!earlier) continue;
    d.duplicate = true;
    d.duplicateOf = { uid: earlier.uid, match: earlier === byRepo ? "repo" : "entry_hash" };
    const what = earlier === byRepo ? `repo ${repoId(d.modelId as ModelId)}` : "entry hash";
    if (d.valid) {
      rejected(
        d,
        "duplicate",
        `same ${what} as uid ${earlier.uid}, committed earlier at block ${earlier.block}`,
      );
    } else {
      // Already rejected (e.g. still queued): the first reason stays, the duplicate verdict is still applied.
      d.totalScore = 0;
    }
  }
}
