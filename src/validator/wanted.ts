import { repoId } from "../scoring/model-id.js";
import type { RegistryEntry } from "../scoring/registry.js";
import type { WantedEvaluation } from "../store/eval-queue.js";

/**
 * What the evaluation queue should hold after a sync: each entry that passed the parse, block and hash
 * rules, is not a later duplicate (it could never score) and has no final result under the profile.
 */
export function wantedEvaluations(registry: readonly RegistryEntry[]): WantedEvaluation[] {
  return registry
    .filter(
      (e) =>
        e.recorded &&
        !e.duplicate &&
        e.status !== "COMPLETED" &&
        e.status !== "FAILED" &&
        e.modelId?.hash != null,
    )
    .map((e) => {
      const id = e.modelId as NonNullable<RegistryEntry["modelId"]>;
      return {
        repo: repoId(id),
        entryHash: id.hash as string,
        hotkey: e.hotkey,
        uid: e.uid,
        commitBlock: e.block as number,
        chatTemplate: id.chatTemplate,
      };
    })
    .sort((a, b) => a.commitBlock - b.commitBlock || a.uid - b.uid);
}
