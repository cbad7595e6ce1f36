import type { ConsensusInput } from "../scoring/consensus.js";
import { consensusSection } from "../scoring/consensus-snapshot.js";
import type { Snapshot } from "../scoring/snapshot.js";
import type { ChainClient } from "./client.js";
import { consensusInput } from "./consensus-read.js";
import { type SnapshotEvaluation, snapshotFromChain } from "./snapshot.js";
import type { Metagraph } from "./types.js";

/**
 * The replay snapshot at the finalized block with its `consensus` section (weight rows, stakes, kappa):
 * one metagraph call and one storage query, both at that block.
 */
export async function readConsensusSnapshot(
  chain: ChainClient,
  netuid: number,
  evaluations: readonly SnapshotEvaluation[],
): Promise<{
  metagraph: Metagraph;
  snapshot: Snapshot;
  input: ConsensusInput;
  limits: { weightsRateLimit: number; weightsVersion: number };
}> {
  const metagraph = await chain.metagraph(netuid);
  const input = consensusInput(metagraph, await chain.consensusFacts(metagraph));
  const limits = {
    weightsRateLimit: metagraph.hyperparameters.weightsRateLimit,
    weightsVersion: metagraph.hyperparameters.weightsVersion,
  };
  const snapshot = {
    ...snapshotFromChain(metagraph, evaluations),
    consensus: consensusSection(input, limits),
  };
  return { metagraph, snapshot, input, limits };
}
