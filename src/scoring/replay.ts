import { repoId } from "./model-id.js";
import type { ScoringProfile } from "./profile.js";
import { buildRegistry, type Commitment, type EvaluationResult, type RegistryEntry } from "./registry.js";
import type { Snapshot } from "./snapshot.js";
import { computeStepWeights, type EmittedWeights, toEmittedWeights } from "./weights.js";
import { computeWinRates } from "./wins.js";

export interface ReplayRow extends RegistryEntry {
  /** Null where the reference has −∞. */
  readonly winRate: number | null;
  readonly weight: number;
  readonly u16: number;
}

export interface Replay {
  readonly profile: string;
  readonly netuid: number;
  readonly block: number;
  readonly rows: readonly ReplayRow[];
  readonly weights: readonly number[];
  readonly emit: EmittedWeights;
  readonly warnings: readonly string[];
}

/** The registry of a snapshot: every uid's verdict under the profile's rules. */
export function snapshotRegistry(snapshot: Snapshot, profile: ScoringProfile): RegistryEntry[] {
  const commitments = new Map<string, Commitment>(snapshot.commitments.map((c) => [c.hotkey, c]));
  const evaluations = new Map<string, EvaluationResult>(
    snapshot.evaluations.map((e) => [
      `${e.repo}\n${e.hash}`,
      { status: e.status, totalScore: e.total_score },
    ]),
  );
  return buildRegistry(
    {
      block: snapshot.block,
      hotkeys: snapshot.hotkeys,
      commitmentOf: (hotkey) => commitments.get(hotkey),
      evaluationOf: (repo, hash) => evaluations.get(`${repo}\n${hash}`),
    },
    profile,
  );
}

/** One validator step from a snapshot: registry, win rates, weights and what goes into `set_weights`. */
export function replaySnapshot(snapshot: Snapshot, profile: ScoringProfile): Replay {
  const registry = snapshotRegistry(snapshot, profile);
  const winRates = computeWinRates(registry, profile);
  const { normalized, held } = computeStepWeights(winRates, profile);
  const emit = toEmittedWeights(held);
  const u16ByUid = new Map(emit.uids.map((uid, i) => [uid, emit.weights[i] as number]));
  const rows = registry.map((entry, uid) => {
    const winRate = winRates[uid] as number;
    return {
      ...entry,
      winRate: Number.isFinite(winRate) ? winRate : null,
      weight: normalized[uid] as number,
      u16: u16ByUid.get(uid) ?? 0,
    };
  });
  return {
    profile: profile.id,
    netuid: snapshot.netuid,
    block: snapshot.block,
    rows,
    weights: Array.from(normalized),
    emit,
    warnings: chainWarnings(snapshot, emit),
  };
}

/** What the chain would refuse, although the reference sends it anyway: worth telling an auditor. */
function chainWarnings(snapshot: Snapshot, emit: EmittedWeights): string[] {
  const warnings: string[] = [];
  const n = snapshot.hotkeys.length;
  const minAllowed = snapshot.hyperparameters?.min_allowed_weights;
  if (emit.uids.length === 0) {
    warnings.push("no uid has weight: nothing would be sent to set_weights");
  } else if (minAllowed !== undefined && emit.uids.length < Math.min(minAllowed, n)) {
    warnings.push(
      `${emit.uids.length} weights is fewer than min_allowed_weights ${minAllowed}: the chain rejects it (WeightVecLengthIsLow)`,
    );
  }
  return warnings;
}

/** The replay as SCORING.md §Replay prints it, with a few extra fields for auditing. */
export function replayToJson(replay: Replay) {
  return {
    profile: replay.profile,
    netuid: replay.netuid,
    block: replay.block,
    registry: replay.rows.map((r) => ({
      uid: r.uid,
      hotkey: r.hotkey,
      valid: r.valid,
      reason: r.reason,
      detail: r.detail,
      repo: r.modelId ? repoId(r.modelId) : null,
      block: r.block,
      status: r.status,
      total_score: r.totalScore,
    })),
    win_rate: Object.fromEntries(replay.rows.map((r) => [String(r.uid), r.winRate])),
    weights: replay.weights,
    emit: replay.emit,
    warnings: replay.warnings,
  };
}
