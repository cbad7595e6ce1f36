import { type SnapshotEvaluation, toSnapshotEvaluations } from "../chain/snapshot.js";
import type { SharedStore } from "../store/shared/shared-store.js";

/** Local results, plus the evaluations running right now (the reference treats RUNNING as invalid too). */
export async function localEvaluations(shared: SharedStore, profile: string): Promise<SnapshotEvaluation[]> {
  const final = toSnapshotEvaluations(await shared.evaluations(profile));
  const running = (await shared.unfinishedJobs(profile))
    .filter((j) => j.status === "RUNNING")
    .map((j) => ({ repo: j.repo, hash: j.entryHash, status: "RUNNING" as const, total_score: null }));
  return [...final, ...running];
}
