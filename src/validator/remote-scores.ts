import type { SnapshotEvaluation } from "../chain/snapshot.js";
import { NetworkError } from "../errors.js";
import { repoId } from "../scoring/model-id.js";
import { EVALUATION_STATUSES, type EvaluationStatus, type RegistryEntry } from "../scoring/registry.js";

/** The owner's validation API, where the reference's validators ask for scores. */
export const REFERENCE_SCORE_API = "https://dippy-bittensor-subnet.com";

/**
 * The reference's reading of `/model_submission_details` (DIPPY-SPEC §5.6.5): null or no status → FAILED,
 * an unknown status → FAILED, COMPLETED → the judge score (the total under both profiles).
 */
export function parseRemoteScore(body: unknown): { status: EvaluationStatus; totalScore: number | null } {
  if (!body || typeof body !== "object") return { status: "FAILED", totalScore: 0 };
  const raw = (body as { status?: unknown }).status;
  const status = typeof raw === "string" ? raw.toUpperCase() : null;
  if (!status || !(EVALUATION_STATUSES as readonly string[]).includes(status)) {
    return { status: "FAILED", totalScore: 0 };
  }
  const score = (body as { score?: { judge_score?: unknown } }).score;
  const judge = typeof score?.judge_score === "number" ? score.judge_score : 0;
  return { status: status as EvaluationStatus, totalScore: status === "COMPLETED" ? judge : 0 };
}

/**
 * Scores from the reference's validation API, for validators that must mirror the owner's scores.
 * An HTTP error answer for one model is FAILED as in the reference; an unreachable API fails the whole
 * read, so the step sets nothing rather than zeroing every miner.
 */
export async function fetchRemoteEvaluations(
  baseUrl: string,
  registry: readonly RegistryEntry[],
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<SnapshotEvaluation[]> {
  const results: SnapshotEvaluation[] = [];
  for (const entry of registry) {
    if (!entry.recorded || !entry.modelId) continue;
    const id = entry.modelId;
    const url = new URL("/model_submission_details", baseUrl);
    url.search = new URLSearchParams({
      repo_namespace: id.namespace,
      repo_name: id.name,
      chat_template_type: id.chatTemplate,
      hash: id.hash ?? "None",
      hotkey: id.hotkey,
    }).toString();
    let response: Response;
    try {
      const signals = [AbortSignal.timeout(options.timeoutMs), ...(options.signal ? [options.signal] : [])];
      response = await fetch(url, { signal: AbortSignal.any(signals) });
    } catch (error) {
      throw new NetworkError(`the score API at ${baseUrl} is unreachable: ${(error as Error).message}`, {
        hint: "check --score-url; this step sets no weights",
        cause: error,
      });
    }
    if (response.status >= 500) {
      throw new NetworkError(`the score API at ${baseUrl} answered HTTP ${response.status}`, {
        hint: "the owner's service is failing; this step sets no weights",
      });
    }
    const body = response.ok ? await response.json().catch(() => null) : null;
    const parsed = parseRemoteScore(body);
    results.push({
      repo: repoId(id),
      hash: id.hash as string,
      status: parsed.status,
      total_score: parsed.totalScore,
    });
  }
  return results;
}
