import { NetworkError } from "../errors.js";
import type { RegistryEntry } from "../scoring/registry.js";
import { parseSnapshot, type Snapshot } from "../scoring/snapshot.js";
import type { Job } from "../store/eval-queue.js";
import type { EvaluationRecord } from "../store/evaluations.js";
import type { SharedStore } from "../store/shared/shared-store.js";
import type { Store } from "../store/store.js";
import type { StepRecord } from "../store/validator-steps.js";
import { fetchRemoteEvaluations } from "../validator/remote-scores.js";
import type { OwnerFacts, SentFacts, StoreFacts } from "./build.js";

/** The step whose weights reached the chain last (sent, or committed to be revealed). */
export function lastDelivered(store: Store): StepRecord | undefined {
  return store.validatorSteps.lastWithOutcome(["sent", "committed"]);
}

/** The chain state the newest step recorded (parsed), with its step; undefined before any did. */
export function lastRecordedSnapshot(store: Store): { step: StepRecord; snapshot: Snapshot } | undefined {
  const step = store.validatorSteps.lastWithSnapshot();
  const parsed = step ? parseSnapshot(store.validatorSteps.snapshot(step.id)) : null;
  return step && parsed?.ok ? { step, snapshot: parsed.snapshot } : undefined;
}

/** What this validator last put on chain, read from the replay its step recorded. */
export function sentFacts(store: Store): SentFacts | null {
  const step = lastDelivered(store);
  if (!step?.weightComputationId) return null;
  const result = store.weightComputations.result(step.weightComputationId) as
    | { weights?: unknown }
    | undefined;
  const weights = Array.isArray(result?.weights) ? (result.weights as unknown[]) : [];
  return {
    step: step.id,
    block: step.txBlock ?? step.block,
    txHash: step.txHash,
    weights: new Map(weights.map((w, uid) => [uid, typeof w === "number" ? w : 0])),
  };
}

/**
 * The store's side of the board. `queue`: the jobs and results where the workers write them, when that is
 * not this store (a shared PostgreSQL), so this store's own are not read for nothing.
 */
export function storeFacts(
  store: Store,
  profile: string,
  queue?: { readonly evaluations: readonly EvaluationRecord[]; readonly jobs: readonly Job[] },
): StoreFacts {
  return {
    evaluations: queue ? [...queue.evaluations] : store.evaluations.forProfile(profile),
    jobs: queue ? [...queue.jobs] : store.evalQueue.list(profile),
    // One evaluation at a time per daemon: what `sn11 validate` runs unless given GPU groups.
    workers: 1,
    sent: sentFacts(store),
  };
}

/** The same, with the queue and results read from the shared store (this one's SQLite, or PostgreSQL). */
export async function sharedStoreFacts(
  store: Store,
  shared: SharedStore,
  profile: string,
): Promise<StoreFacts> {
  const [evaluations, jobs] = await Promise.all([shared.evaluations(profile), shared.jobs(profile)]);
  return storeFacts(store, profile, { evaluations, jobs });
}

/**
 * The owner's verdicts from the reference's score API. The API being down is a warning and no column,
 * never a failure: the board is this validator's view, the owner's is extra.
 */
export async function ownerFacts(
  url: string,
  registry: readonly RegistryEntry[],
  o: { timeoutMs: number; signal: AbortSignal },
): Promise<{ owner: OwnerFacts | null; warning: string | null }> {
  try {
    const evaluations = await fetchRemoteEvaluations(url, registry, o);
    return {
      owner: new Map(
        evaluations.map((e) => [`${e.repo}\n${e.hash}`, { status: e.status, totalScore: e.total_score }]),
      ),
      warning: null,
    };
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error;
    return { owner: null, warning: `owner scores unavailable: ${error.message}` };
  }
}
