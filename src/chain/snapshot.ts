import type { Snapshot } from "../scoring/snapshot.js";
import type { EvaluationRecord } from "../store/evaluations.js";
import type { Metagraph } from "./types.js";

export type SnapshotEvaluation = Snapshot["evaluations"][number];

export function toSnapshotEvaluations(records: readonly EvaluationRecord[]): SnapshotEvaluation[] {
  return records.map((e) => ({
    repo: e.repo,
    hash: e.entryHash,
    status: e.status,
    total_score: e.totalScore,
  }));
}

/** The replay snapshot of one validator step: chain state at the pinned block plus evaluation results. */
export function snapshotFromChain(
  metagraph: Metagraph,
  evaluations: readonly SnapshotEvaluation[],
): Snapshot {
  return {
    netuid: metagraph.netuid,
    block: metagraph.block.number,
    block_hash: metagraph.block.hash,
    hotkeys: metagraph.neurons.map((n) => n.hotkey),
    commitments: metagraph.commitments.map((c) => ({ hotkey: c.hotkey, block: c.block, data: c.data })),
    evaluations: [...evaluations],
    hyperparameters: {
      min_allowed_weights: metagraph.hyperparameters.minAllowedWeights,
      max_weights_limit: metagraph.hyperparameters.maxWeightsLimit,
    },
  };
}
