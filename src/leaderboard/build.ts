import type { Metagraph, Neuron } from "../chain/types.js";
import { repoId } from "../scoring/model-id.js";
import type { ScoringProfile } from "../scoring/profile.js";
import type { EvaluationStatus, RejectionReason } from "../scoring/registry.js";
import type { Replay, ReplayRow } from "../scoring/replay.js";
import type { Job, JobStatus } from "../store/eval-queue.js";
import type { EvaluationRecord } from "../store/evaluations.js";
import { isImmune, pruneNext } from "./prune.js";
import { queueEta, queuePositions, recentDurations } from "./queue.js";

/** The chain's side of the join: the metagraph at the replayed block. */
export interface ChainFacts {
  readonly head: number;
  readonly tempo: number;
  readonly immunityPeriod: number | null;
  readonly neurons: readonly Neuron[];
}

export function chainFacts(m: Metagraph): ChainFacts {
  return {
    head: m.block.number,
    tempo: m.hyperparameters.tempo,
    immunityPeriod: m.hyperparameters.immunityPeriod,
    neurons: m.neurons,
  };
}

/** The weights this validator last sent: the step, where it landed, and each uid's share. */
export interface SentFacts {
  readonly step: number;
  readonly block: number | null;
  readonly txHash: string | null;
  readonly weights: ReadonlyMap<number, number>;
}

/** This data dir's side: its evaluations, its queue, how many workers run it, and what it last sent. */
export interface StoreFacts {
  readonly evaluations: readonly EvaluationRecord[];
  readonly jobs: readonly Job[];
  readonly workers: number;
  readonly sent: SentFacts | null;
}

/** The owner's verdict per `repo\nentry hash`, or null where the owner's API could not be read. */
export type OwnerFacts = ReadonlyMap<
  string,
  { readonly status: EvaluationStatus; readonly totalScore: number | null }
>;

export interface LeaderboardInputs {
  readonly replay: Replay;
  readonly profile: ScoringProfile;
  readonly chain: ChainFacts | null;
  readonly store: StoreFacts | null;
  readonly owner: OwnerFacts | null;
  readonly now: Date;
}

export interface QueueFacts {
  readonly state: JobStatus;
  readonly position: number | null;
  readonly etaSeconds: number | null;
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly lastError: string | null;
}

export interface ChainColumns {
  readonly coldkey: string;
  readonly stakeRao: bigint;
  readonly validatorPermit: boolean;
  readonly registeredAt: number | null;
  readonly immunityEndsAt: number | null;
  readonly immune: boolean;
  readonly pruneNext: boolean;
  /** Null where the runtime did not return the epoch's outputs. */
  readonly incentive: number | null;
  readonly consensus: number | null;
  readonly dividends: number | null;
  readonly emissionRao: bigint | null;
  /** Alpha a day at this epoch's emission: emission × 7200 / (tempo + 1), an estimate. */
  readonly emissionPerDay: number | null;
}

export interface LeaderboardRow {
  readonly uid: number;
  readonly hotkey: string;
  readonly burn: boolean;
  readonly repo: string | null;
  readonly commitBlock: number | null;
  readonly entryHash: string | null;
  readonly modelHash: string | null;
  readonly revision: string | null;
  readonly registry: {
    readonly valid: boolean;
    readonly reason: RejectionReason | null;
    readonly detail: string | null;
    readonly duplicateOf: ReplayRow["duplicateOf"];
    /** An earlier entry with the same weights (the owner's model-hash rule): scored 0. */
    readonly copyOf: { readonly uid: number; readonly repo: string } | null;
  };
  readonly evaluation: {
    readonly source: "local" | "snapshot";
    readonly status: EvaluationStatus | null;
    readonly totalScore: number | null;
    /** Why a FAILED evaluation failed. */
    readonly reason: string | null;
    readonly updatedAt: string | null;
    readonly queue: QueueFacts | null;
  };
  readonly winRate: number | null;
  readonly weight: number;
  readonly u16: number;
  readonly sentWeight: number | null;
  readonly chain: ChainColumns | null;
  readonly owner: { readonly status: EvaluationStatus; readonly totalScore: number | null } | null;
}

export interface Leaderboard {
  readonly rows: readonly LeaderboardRow[];
  readonly pruneNext: number | null;
}

const BLOCKS_PER_DAY = 7200;
const RAO_PER_ALPHA = 1e9;

/** The one join of chain, replay, store and owner at the replayed block: one row per uid. */
export function buildLeaderboard(inputs: LeaderboardInputs): Leaderboard {
  const { replay, profile, chain, store, owner, now } = inputs;
  const key = (repo: string, hash: string) => `${repo}\n${hash}`;
  const evaluations = new Map(
    (store?.evaluations ?? [])
      .filter((e) => e.profile === profile.id)
      .map((e) => [key(e.repo, e.entryHash), e]),
  );
  const jobs = (store?.jobs ?? []).filter((j) => j.profile === profile.id);
  const jobOf = new Map(jobs.map((j) => [key(j.repo, j.entryHash), j]));
  const positions = queuePositions(jobs, now);
  const durations = recentDurations(jobs);
  const running = jobs.filter((j) => j.status === "RUNNING" && j.startedAt).map((j) => j.startedAt as string);
  const prune = chain ? pruneNext(pruneCandidates(chain)) : null;

  const rows = replay.rows.map((r): LeaderboardRow => {
    const repo = r.modelId ? repoId(r.modelId) : null;
    const hash = r.modelId?.hash ?? null;
    const job = repo && hash ? jobOf.get(key(repo, hash)) : undefined;
    const evaluation = repo && hash ? evaluations.get(key(repo, hash)) : undefined;
    const position = job ? (positions.get(job.id) ?? null) : null;
    const neuron = chain?.neurons[r.uid];
    return {
      uid: r.uid,
      hotkey: r.hotkey,
      burn: profile.burn?.uid === r.uid,
      repo,
      commitBlock: r.block,
      entryHash: hash,
      modelHash: job?.modelHash ?? null,
      revision: evaluation?.revision ?? job?.revision ?? null,
      registry: {
        valid: r.valid,
        reason: r.reason,
        detail: r.detail,
        duplicateOf: r.duplicateOf,
        copyOf: job ? copyOf(job, jobs) : null,
      },
      evaluation: {
        // The store's own record, or else the one the replayed snapshot carried.
        source: evaluation || (store && !r.status) ? "local" : "snapshot",
        status: evaluation?.status ?? r.status,
        totalScore: evaluation
          ? evaluation.totalScore
          : r.status === "COMPLETED" || r.status === "FAILED"
            ? r.totalScore
            : null,
        reason: evaluation?.reason ?? null,
        updatedAt: evaluation?.updatedAt ?? null,
        queue: job
          ? {
              state: job.status,
              position,
              etaSeconds:
                position === null
                  ? null
                  : queueEta({
                      position,
                      runningStartedAt: running,
                      durations,
                      workers: store?.workers ?? 1,
                      now,
                    }),
              attempts: job.attempts,
              nextAttemptAt: job.status === "ERROR" ? job.nextAttemptAt : null,
              lastError: job.lastError,
            }
          : null,
      },
      winRate: r.winRate,
      weight: r.weight,
      u16: r.u16,
      sentWeight: store?.sent ? (store.sent.weights.get(r.uid) ?? 0) : null,
      chain: neuron && chain ? chainColumns(neuron, chain, prune) : null,
      owner: owner && repo && hash ? (owner.get(key(repo, hash)) ?? null) : null,
    };
  });
  return { rows, pruneNext: prune };
}

function pruneCandidates(chain: ChainFacts) {
  return chain.neurons.map((n) => ({
    uid: n.uid,
    emissionRao: n.rewards?.emissionRao ?? 0n,
    registeredAt: n.blockAtRegistration ?? 0,
    immune:
      n.blockAtRegistration !== null &&
      chain.immunityPeriod !== null &&
      isImmune(chain.head, n.blockAtRegistration, chain.immunityPeriod),
  }));
}

function chainColumns(n: Neuron, chain: ChainFacts, prune: number | null): ChainColumns {
  const immunityEndsAt =
    n.blockAtRegistration !== null && chain.immunityPeriod !== null
      ? n.blockAtRegistration + chain.immunityPeriod
      : null;
  const emission = n.rewards?.emissionRao ?? null;
  return {
    coldkey: n.coldkey,
    stakeRao: n.stakeRao,
    validatorPermit: n.validatorPermit,
    registeredAt: n.blockAtRegistration,
    immunityEndsAt,
    immune: immunityEndsAt !== null && chain.head < immunityEndsAt,
    pruneNext: prune === n.uid,
    incentive: n.rewards?.incentive ?? null,
    consensus: n.rewards?.consensus ?? null,
    dividends: n.rewards?.dividends ?? null,
    emissionRao: emission,
    emissionPerDay:
      emission === null ? null : (Number(emission) * BLOCKS_PER_DAY) / (chain.tempo + 1) / RAO_PER_ALPHA,
  };
}

/** The earliest job of an earlier commit block with the same weights fingerprint, as the worker's rule. */
function copyOf(job: Job, jobs: readonly Job[]): { uid: number; repo: string } | null {
  if (!job.modelHash) return null;
  const original = jobs
    .filter((j) => j.modelHash === job.modelHash && j.commitBlock < job.commitBlock)
    .sort((a, b) => a.commitBlock - b.commitBlock || a.id - b.id)[0];
  return original ? { uid: original.uid, repo: original.repo } : null;
}
