import type { KeyringPair } from "@polkadot/keyring/types";
import type { ChainClient } from "../chain/client.js";
import { legacyRevealWindow, planAtInclusion } from "../chain/commit-reveal.js";
import {
  type CommitRevealMode,
  type PreparedCommit,
  prepareCommit,
  type WeightsCommit,
} from "../chain/commit-weights.js";
import { deliverWeights } from "../chain/set-weights.js";
import { type SnapshotEvaluation, snapshotFromChain, toSnapshotEvaluations } from "../chain/snapshot.js";
import type { Metagraph } from "../chain/types.js";
import { CancelledError, isSn11Error, NetworkError } from "../errors.js";
import type { Logger } from "../log.js";
import type { ScoringProfile } from "../scoring/profile.js";
import { type Replay, replaySnapshot, replayToJson, snapshotRegistry } from "../scoring/replay.js";
import { type Snapshot, snapshotDigest } from "../scoring/snapshot.js";
import type { QueueSync } from "../store/eval-queue.js";
import type { SharedStore } from "../store/shared/shared-store.js";
import { sqliteSharedStore } from "../store/shared/sqlite.js";
import type { Store } from "../store/store.js";
import type { StepOutcome } from "../store/validator-steps.js";
import type { NewWeightCommit } from "../store/weight-commits.js";
import { localEvaluations } from "./local-evaluations.js";
import { fetchRemoteEvaluations } from "./remote-scores.js";
import { confirmReveals, type RevealReport } from "./reveals.js";
import { VALIDATOR_SETTINGS } from "./settings.js";
import { type ConsensusWatch, type StepAgreement, stepAgreement } from "./step-consensus.js";
import { recordedEntries, wantedEvaluations } from "./wanted.js";

export type StepMode = "live" | "dry-run" | "offline";
export type ScoreSource = { readonly kind: "local" } | { readonly kind: "remote"; readonly url: string };

export interface StepDeps {
  readonly chain: () => Promise<ChainClient>;
  readonly store: Store;
  /** Where the queue and results are: the store's own SQLite file by default, or PostgreSQL. */
  readonly shared?: SharedStore;
  readonly profile: ScoringProfile;
  readonly netuid: number;
  readonly mode: StepMode;
  readonly scoreSource: ScoreSource;
  /** The hotkey that signs set_weights (only asked for in live mode). */
  readonly signer: () => Promise<KeyringPair>;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  /** Told what the queue sync added and dropped, so running work on a dropped entry can stop. */
  readonly onQueueSync?: (sync: QueueSync) => void;
  /** On a commit-reveal subnet: timelocked commits (default) or hash commits that sn11 reveals. */
  readonly commitReveal?: CommitRevealMode;
  /** Whose agreement with the chain's consensus each step records, and when it warns. */
  readonly consensus?: ConsensusWatch;
}

export interface StepResult {
  readonly step: number;
  readonly outcome: Exclude<StepOutcome, "running">;
  readonly reason: string | null;
  readonly block: number | null;
  readonly snapshotDigest: string | null;
  readonly replay: Replay | null;
  readonly txHash: string | null;
  readonly txBlock: number | null;
  readonly rateLimitFreesAt: number | null;
  /** The step failed because the chain could not be reached. */
  readonly chainError: boolean;
  /** On a commit-reveal subnet: what was committed (live) or would be (dry run). */
  readonly commit: WeightsCommit | null;
  /** Earlier commits checked against the chain at this step. */
  readonly reveals: readonly RevealReport[];
  /** Its agreement with the chain's consensus at the step's block; null where it could not be told. */
  readonly agreement: StepAgreement | null;
  readonly seconds: number;
}

/**
 * Brings the evaluation queue in line with the chain: every entry that passed the parse, block and hash
 * rules and has no final local result is queued; changed commitments and deregistered uids drop out.
 */
export async function syncQueue(
  shared: SharedStore,
  profile: ScoringProfile,
  metagraph: Metagraph,
  onQueueSync?: (sync: QueueSync) => void,
): Promise<QueueSync> {
  const snapshot = snapshotFromChain(metagraph, toSnapshotEvaluations(await shared.evaluations(profile.id)));
  const registry = snapshotRegistry(snapshot, profile);
  await shared.recordCommitments(
    recordedEntries(registry).map((e) => ({
      hotkey: e.hotkey,
      repo: e.repo,
      entryHash: e.entryHash,
      block: e.commitBlock,
    })),
  );
  const sync = await shared.syncQueue(profile.id, wantedEvaluations(registry));
  onQueueSync?.(sync);
  return sync;
}

/**
 * One validator step: read the metagraph and commitments at one finalized block, sync the queue, build the
 * registry with the scores of the store (or the remote API), compute the weights as the reference does,
 * and send them. Either the whole registry is built or nothing is computed; every step is recorded.
 */
export async function runStep(deps: StepDeps): Promise<StepResult> {
  const step = deps.store.validatorSteps.begin({
    profile: deps.profile.id,
    netuid: deps.netuid,
    mode: deps.mode,
  });
  try {
    return await stepWork(deps, step);
  } catch (error) {
    deps.store.validatorSteps.finish(step, {
      outcome: "interrupted",
      reason: error instanceof CancelledError ? "stopped" : `failed: ${(error as Error).message}`,
    });
    throw error;
  }
}

async function stepWork(deps: StepDeps, step: number): Promise<StepResult> {
  const { store, profile, logger } = deps;
  const shared = deps.shared ?? sqliteSharedStore(store);
  const t0 = performance.now();
  const log = logger.child({ step });
  let reveals: RevealReport[] = [];
  let agreement: StepAgreement | null = null;
  const done = (
    result: Omit<StepResult, "step" | "seconds" | "commit" | "reveals" | "agreement">,
    extra: { snapshot?: Snapshot; commit?: WeightsCommit; uid?: number; metagraph?: Metagraph } = {},
  ) => {
    const finished: StepResult = {
      ...result,
      step,
      commit: extra.commit ?? null,
      reveals,
      agreement,
      seconds: (performance.now() - t0) / 1000,
    };
    // The weights (registry, win rates, emit) live in the weight computation; the step links to it.
    store.db.transaction(() => {
      const weightComputationId =
        result.replay && extra.snapshot
          ? store.weightComputations.record({
              source: "step",
              sourceRef: `step ${step}`,
              snapshotDigest: result.snapshotDigest as string,
              profile: profile.id,
              netuid: result.replay.netuid,
              block: result.replay.block,
              uids: result.replay.rows.length,
              emitted: result.replay.emit.uids.length,
              result: replayToJson(result.replay),
            })
          : null;
      store.validatorSteps.finish(step, {
        outcome: result.outcome,
        reason: result.reason,
        block: result.block,
        blockHash: (extra.snapshot?.block_hash as string | undefined) ?? null,
        snapshotDigest: result.snapshotDigest,
        snapshot: extra.snapshot,
        emitted: result.replay?.emit.uids.length ?? null,
        txHash: result.txHash,
        txBlock: result.txBlock,
        weightComputationId,
        agreement: agreement ? { chain: agreement.chain, computed: agreement.computed } : null,
      });
      if (extra.commit && extra.metagraph && result.outcome === "committed") {
        store.weightCommits.record(
          commitRecord(extra.commit, {
            stepId: step,
            uid: extra.uid as number,
            txHash: result.txHash as string,
            txBlock: result.txBlock as number,
            metagraph: extra.metagraph,
          }),
        );
      }
    })();
    log.info(
      {
        outcome: result.outcome,
        reason: result.reason,
        block: result.block,
        seconds: Math.round(finished.seconds * 10) / 10,
      },
      "step finished",
    );
    return finished;
  };
  const nothing = { snapshotDigest: null, replay: null, txHash: null, txBlock: null, rateLimitFreesAt: null };

  let metagraph: Metagraph;
  let chain: ChainClient;
  try {
    chain = await deps.chain();
    metagraph = await chain.metagraph(deps.netuid);
  } catch (error) {
    if (error instanceof CancelledError) throw error;
    return done({
      ...nothing,
      outcome: "skipped",
      reason: `chain unreachable: ${isSn11Error(error) ? error.message : String(error)}`,
      block: null,
      chainError: true,
    });
  }
  log.debug({ block: metagraph.block.number, uids: metagraph.neurons.length }, "metagraph read");
  reveals = await checkReveals(deps.store, metagraph, chain, log, deps.mode === "live" ? deps.signer : null);

  let evaluations: SnapshotEvaluation[];
  if (deps.scoreSource.kind === "local") {
    try {
      await syncQueue(shared, profile, metagraph, deps.onQueueSync);
      evaluations = await localEvaluations(shared, profile.id);
    } catch (error) {
      // The shared PostgreSQL unreachable: no scores, so nothing is computed (never weights of 0).
      if (!(error instanceof NetworkError)) throw error;
      return done({
        ...nothing,
        outcome: "skipped",
        reason: `the shared store is unreachable: ${error.message}`,
        block: metagraph.block.number,
        chainError: false,
      });
    }
  } else {
    try {
      const registry = snapshotRegistry(snapshotFromChain(metagraph, []), profile);
      evaluations = await fetchRemoteEvaluations(deps.scoreSource.url, registry, {
        timeoutMs: VALIDATOR_SETTINGS.remoteTimeoutMs,
        signal: deps.signal,
      });
    } catch (error) {
      if (error instanceof CancelledError) throw error;
      return done({
        ...nothing,
        outcome: "skipped",
        reason: `remote scores unavailable: ${(error as Error).message}`,
        block: metagraph.block.number,
        chainError: false,
      });
    }
  }

  const snapshot = snapshotFromChain(metagraph, evaluations);
  const replay = replaySnapshot(snapshot, profile);
  if (deps.consensus?.hotkey) {
    agreement = await stepAgreement({
      chain,
      metagraph,
      replay,
      watch: deps.consensus,
      shared,
      profile: profile.id,
      log,
    });
  }
  const computed = {
    snapshotDigest: snapshotDigest(snapshot),
    replay,
    block: metagraph.block.number,
    txHash: null,
    txBlock: null,
    rateLimitFreesAt: null,
    chainError: false,
  };
  if (replay.emit.uids.length === 0) {
    return done(
      { ...computed, outcome: "not_sent", reason: "no uid has weight (the reference sends nothing either)" },
      { snapshot },
    );
  }
  const commitReveal = metagraph.hyperparameters.commitRevealEnabled;
  if (deps.mode !== "live") {
    const reason =
      deps.mode === "dry-run"
        ? "computed, not sent (--dry-run)"
        : "computed, not sent (--offline: no chain writes)";
    const preview =
      deps.mode === "dry-run" && commitReveal ? await previewCommit(deps, chain, metagraph, replay) : null;
    return done(
      {
        ...computed,
        outcome: deps.mode === "dry-run" ? "dry_run" : "offline",
        reason: preview && !preview.ok ? `${reason}; ${preview.error.message}` : reason,
      },
      { snapshot, ...(preview?.ok ? { commit: preview.commit } : {}) },
    );
  }
  const delivery = await deliverWeights({
    chain,
    signer: await deps.signer(),
    metagraph,
    emit: replay.emit,
    versionKey: profile.weightsVersionKey,
    logger: log,
    signal: deps.signal,
    commitReveal: deps.commitReveal,
  });
  if (!delivery.sent) {
    return done(
      {
        ...computed,
        outcome: "not_sent",
        reason: delivery.error.message,
        rateLimitFreesAt: delivery.rateLimitFreesAt,
        chainError: delivery.network,
      },
      { snapshot },
    );
  }
  return done(
    {
      ...computed,
      outcome: delivery.commit ? "committed" : "sent",
      reason: delivery.landedAfterDrop ? "landed although the connection dropped after sending" : null,
      txHash: delivery.txHash,
      txBlock: delivery.blockNumber,
    },
    { snapshot, ...(delivery.commit ? { commit: delivery.commit } : {}), uid: delivery.uid, metagraph },
  );
}

/** The store's record of a commit just included: where the chain files it, and what its reveal needs. */
function commitRecord(
  commit: WeightsCommit,
  sent: { stepId: number; uid: number; txHash: string; txBlock: number; metagraph: Metagraph },
): NewWeightCommit {
  const h = sent.metagraph.hyperparameters;
  const inclusion = {
    block: sent.txBlock,
    netuid: sent.metagraph.netuid,
    tempo: h.tempo,
    revealPeriodEpochs: Math.max(1, h.commitRevealPeriod),
  };
  // Where the chain files the commit: the epoch of its inclusion block (the plan was made at the pinned one).
  const window =
    commit.mode === "timelock" && commit.plan
      ? planAtInclusion(commit.plan, inclusion)
      : legacyRevealWindow(inclusion);
  const common = {
    stepId: sent.stepId,
    netuid: sent.metagraph.netuid,
    hotkey: commit.hotkey,
    uid: sent.uid,
    versionKey: commit.versionKey,
    txHash: sent.txHash,
    txBlock: sent.txBlock,
    commitEpoch: window.commitEpoch,
    revealEpoch: window.revealEpoch,
    firstRevealBlock: window.firstRevealBlock,
    lastRevealBlock: window.lastRevealBlock,
  };
  if (commit.mode === "hash") {
    return {
      ...common,
      mode: "hash",
      commitVersion: null,
      revealRound: null,
      payloadHex: commit.preimageHex,
      commitHex: commit.hashHex,
      beaconKeyHex: null,
      salt: [...commit.salt],
    };
  }
  return {
    ...common,
    mode: "timelock",
    commitVersion: commit.commitRevealVersion,
    revealRound: commit.revealRound,
    payloadHex: commit.payloadHex,
    commitHex: commit.ciphertextHex,
    beaconKeyHex: commit.beaconPublicKeyHex,
    salt: null,
  };
}

/** Earlier commits checked against the chain; a failed read is logged and retried at the next check. */
export async function checkReveals(
  store: Store,
  metagraph: Metagraph,
  chain: ChainClient,
  log: Logger,
  signer: (() => Promise<KeyringPair>) | null,
): Promise<RevealReport[]> {
  try {
    return await confirmReveals({
      chain,
      store,
      netuid: metagraph.netuid,
      at: metagraph.block,
      signer,
      logger: log,
    });
  } catch (error) {
    if (error instanceof CancelledError) throw error;
    log.warn({ error: (error as Error).message }, "could not check earlier commits; the next check retries");
    return [];
  }
}

/** What a live step would commit, for --dry-run: the same commit object, nothing signed. */
async function previewCommit(
  deps: StepDeps,
  chain: ChainClient,
  metagraph: Metagraph,
  replay: Replay,
): Promise<PreparedCommit | { ok: false; error: Error }> {
  try {
    return await prepareCommit({
      chain,
      metagraph,
      emit: replay.emit,
      versionKey: deps.profile.weightsVersionKey,
      signer: await deps.signer(),
      mode: deps.commitReveal,
    });
  } catch (error) {
    if (error instanceof CancelledError || !isSn11Error(error)) throw error;
    return { ok: false, error: new Error(`no commit preview: ${error.message}`) };
  }
}
