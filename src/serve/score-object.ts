import { repoId } from "../scoring/model-id.js";
import type { EvaluationStatus } from "../scoring/registry.js";
import type { Job } from "../store/eval-queue.js";
import type { EvaluationRecord } from "../store/evaluations.js";

/** What the store knows of one entry (repo, entry hash) under a profile, as the reference's row would hold it. */
export interface EntryFacts {
  readonly status: EvaluationStatus;
  readonly totalScore: number | null;
  readonly modelHash: string | null;
  readonly notes: string | null;
  readonly updatedAt: string | null;
}

/**
 * The entry's facts: a final evaluation wins; else the queue job (RUNNING as it is, QUEUED and ERROR — an
 * infrastructure failure sn11 retries — as QUEUED); undefined when the store has never heard of it.
 */
export function entryFacts(
  evaluation: EvaluationRecord | undefined,
  job: Pick<Job, "status" | "modelHash" | "lastError" | "startedAt"> | undefined,
): EntryFacts | undefined {
  if (evaluation) {
    return {
      status: evaluation.status,
      totalScore: evaluation.totalScore,
      modelHash: job?.modelHash ?? null,
      notes: evaluation.reason,
      updatedAt: evaluation.updatedAt,
    };
  }
  if (!job) return undefined;
  return {
    status: job.status === "RUNNING" ? "RUNNING" : "QUEUED",
    totalScore: null,
    modelHash: job.modelHash,
    notes: job.status === "ERROR" ? job.lastError : null,
    updatedAt: job.startedAt,
  };
}

/**
 * The score object of `/model_submission_details` and `/check_model` (DIPPY-SPEC §1.4): a COMPLETED entry
 * carries its win rate as `judge_score` and `total_score` and coherence 1, as the reference's worker writes
 * them; every other column keeps the precheck's 0.
 */
export function scoreObject(f: EntryFacts) {
  const completed = f.status === "COMPLETED";
  const score = completed ? (f.totalScore ?? 0) : 0;
  return {
    score: {
      model_size_score: 0,
      qualitative_score: 0,
      latency_score: 0,
      total_score: score,
      coherence_score: completed ? 1 : 0,
      creativity_score: 0,
      post_eval_score: 0,
      judge_score: score,
    },
    details: { model_hash: f.modelHash ?? "" },
    status: f.status,
  };
}

/** One `/minerboard` row: the reference's `{...leaderboard, ...minerboard}` for a queued entry. */
export function minerboardRow(job: Job, f: EntryFacts) {
  const { score } = scoreObject(f);
  const [namespace, name] = job.repo.split("/") as [string, string];
  return {
    hash: job.entryHash,
    repo_namespace: namespace,
    repo_name: name,
    chat_template_type: job.chatTemplate,
    model_hash: f.modelHash ?? "",
    status: f.status,
    notes: f.notes ?? "",
    timestamp: f.updatedAt,
    ...score,
    vibe_score: 0,
    uid: job.uid,
    hotkey: job.hotkey,
    block: job.commitBlock,
  };
}

export function repoOf(namespace: string, name: string): string {
  return repoId({ namespace, name });
}
