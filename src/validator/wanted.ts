import { repoId } from "../scoring/model-id.js";
import type { RegistryEntry } from "../scoring/registry.js";
import type { WantedEvaluation } from "../store/eval-queue.js";

/** Every entry that passed the parse, block and hash rules, as the queue and the commitment log see it. */
export function recordedEntries(
  registry: readonly RegistryEntry[],
): (WantedEvaluation & { entry: RegistryEntry })[] {
  return registry
    .filter((e) => e.recorded && e.modelId?.hash != null)
    .map((e) => {
      const id = e.modelId as NonNullable<RegistryEntry["modelId"]>;
      return {
        entry: e,
        repo: repoId(id),
        entryHash: id.hash as string,
        hotkey: e.hotkey,
        uid: e.uid,
        commitBlock: e.block as number,
        chatTemplate: id.chatTemplate,
      };
    });
}

/**
 * What the evaluation queue should hold after a sync: each recorded entry that is not a later duplicate
 * (it could never score) and has no final result under the profile, oldest commit block first.
 */
export function wantedEvaluations(registry: readonly RegistryEntry[]): WantedEvaluation[] {
  return recordedEntries(registry)
    .filter(({ entry }) => !entry.duplicate && entry.status !== "COMPLETED" && entry.status !== "FAILED")
    .map(({ entry: _, ...wanted }) => wanted)
    .sort((a, b) => a.commitBlock - b.commitBlock || a.uid - b.uid);
}
