import { type SnapshotEvaluation, toSnapshotEvaluations } from "../chain/snapshot.js";
import type { Store } from "../store/store.js";

/** Local results, plus the evaluations running right now (the reference treats RUNNING as invalid too). */
export function localEvaluations(store: Store, profile: string): SnapshotEvaluation[] {
  const final = toSnapshotEvaluations(store.evaluations.forProfile(profile));
  const running = store.evalQueue
    .unfinished(profile)
    .filter((j) => j.status === "RUNNING")
    .map((j) => ({ repo: j.repo, hash: j.entryHash, status: "RUNNING" as const, total_score: null }));
  return [...final, ...running];
}
