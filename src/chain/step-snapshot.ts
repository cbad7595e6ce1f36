import type { Snapshot } from "../scoring/snapshot.js";
import type { EvaluationRecord } from "../store/evaluations.js";
import type { ChainClient } from "./client.js";
import { snapshotFromChain, toSnapshotEvaluations } from "./snapshot.js";
import type { Metagraph } from "./types.js";

/** Reads the chain at its finalized block and pairs it with the local evaluations of one profile. */
export async function readStepSnapshot(
  chain: ChainClient,
  netuid: number,
  evaluations: () => readonly EvaluationRecord[] | Promise<readonly EvaluationRecord[]>,
): Promise<{ metagraph: Metagraph; snapshot: Snapshot }> {
  const metagraph = await chain.metagraph(netuid);
  return { metagraph, snapshot: snapshotFromChain(metagraph, toSnapshotEvaluations(await evaluations())) };
}
