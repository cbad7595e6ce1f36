import type { KeyringPair } from "@polkadot/keyring/types";
import { ChainError, NetworkError, type Sn11Error } from "../errors.js";
import type { Logger } from "../log.js";
import type { EmittedWeights } from "../scoring/weights.js";
import { sleep } from "../sleep.js";
import type { ChainClient } from "./client.js";
import { type CommitRevealMode, prepareCommit, type WeightsCommit } from "./commit-weights.js";
import { preflightSetWeights, refusal } from "./preflight.js";
import { DispatchError, SubmissionUnknownError, type TxOutcome } from "./tx.js";
import type { Metagraph } from "./types.js";

/** Attempts when the connection drops or a submission's fate is unknown; the backoff doubles from 2 s. */
const ATTEMPTS = 3;
const BACKOFF_MS = 2_000;

export interface DeliveryOptions {
  readonly chain: ChainClient;
  readonly signer: KeyringPair;
  readonly metagraph: Metagraph;
  readonly emit: EmittedWeights;
  readonly versionKey: number;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  /** Unix seconds now (the reveal round is computed from the local clock, as the SDK does). */
  readonly now?: () => number;
  /** On a commit-reveal subnet: timelocked commits (the default, as the SDK) or hash commits. */
  readonly commitReveal?: CommitRevealMode;
}

export type WeightsDelivery =
  | {
      readonly sent: true;
      readonly uid: number;
      readonly txHash: string;
      /** The inclusion block's hash; null when the weights were found in the chain state after a drop. */
      readonly blockHash: string | null;
      /** Null when the inclusion block's header could not be read. */
      readonly blockNumber: number | null;
      readonly landedAfterDrop: boolean;
      /** Set on a commit-reveal subnet: what was committed. */
      readonly commit: WeightsCommit | null;
    }
  | {
      readonly sent: false;
      /** Why, as the user sees it: a refusal with its hint, a dispatch error by name, or the network. */
      readonly error: Sn11Error;
      /** Set when the rate limit refused: the first block it allows. */
      readonly rateLimitFreesAt: number | null;
      /** The chain could not be reached. */
      readonly network: boolean;
    };

function ownLastUpdate(metagraph: Metagraph, hotkey: string): number {
  return metagraph.neurons.find((n) => n.hotkey === hotkey)?.lastUpdate ?? 0;
}

/** What one attempt sends, or why the chain would refuse it. */
export type PreparedWeights =
  | { readonly ok: true; readonly uid: number; readonly commit: WeightsCommit | null }
  | {
      readonly ok: false;
      readonly error: ChainError;
      readonly rateLimitFreesAt: number | null;
      readonly waitUntilBlock?: number;
    };

/** How long sn11 waits for the chain to pass an epoch boundary before a commit, at most. */
const BOUNDARY_WAIT_MS = 120_000;
const HEAD_POLL_MS = 2_000;

/**
 * Sends one step's weights: plain `set_weights`, or on a commit-reveal subnet a drand-timelocked
 * `commit_timelocked_weights` that the chain reveals by itself. The chain's own checks come first (so a
 * refusal names its reason and, for the rate limit, the block it frees, before anything is signed),
 * inclusion is confirmed, and a dropped connection is retried with backoff. A submission whose fate is
 * unknown is looked up in the chain state (the hotkey's last update) before anything is sent again.
 */
export async function deliverWeights(options: DeliveryOptions): Promise<WeightsDelivery> {
  const { chain, signer, emit, logger } = options;
  const hotkey = signer.address;
  const before = ownLastUpdate(options.metagraph, hotkey);
  let metagraph = options.metagraph;
  const unknown: { tx: { hash: string; commit: WeightsCommit | null } | null } = { tx: null };
  let lastError = "";
  let waitedForBoundary = false;
  const call = !metagraph.hyperparameters.commitRevealEnabled
    ? "set_weights"
    : options.commitReveal === "hash"
      ? "commit_weights"
      : "commit_timelocked_weights";
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      if (attempt > 1) {
        metagraph = await chain.metagraph(metagraph.netuid);
        const after = ownLastUpdate(metagraph, hotkey);
        const unknownTx = unknown.tx;
        if (unknownTx && after > before) {
          const uid = metagraph.neurons.find((n) => n.hotkey === hotkey)?.uid as number;
          return {
            sent: true,
            uid,
            txHash: unknownTx.hash,
            blockHash: null,
            blockNumber: after,
            landedAfterDrop: true,
            commit: unknownTx.commit,
          };
        }
      }
      const prepared = await prepareWeights({ ...options, metagraph });
      if (!prepared.ok && prepared.waitUntilBlock !== undefined && !waitedForBoundary) {
        logger.info(
          { block: metagraph.block.number, until: prepared.waitUntilBlock },
          prepared.error.message,
        );
        await waitForBlock(chain, prepared.waitUntilBlock, options.signal);
        waitedForBoundary = true;
        metagraph = await chain.metagraph(metagraph.netuid);
        attempt--;
        continue;
      }
      if (!prepared.ok) {
        return {
          sent: false,
          error: prepared.error,
          rateLimitFreesAt: prepared.rateLimitFreesAt,
          network: false,
        };
      }
      const { commit } = prepared;
      let outcome: TxOutcome;
      try {
        outcome = !commit
          ? await chain.setWeights(signer, metagraph.netuid, emit.uids, emit.weights, options.versionKey)
          : commit.mode === "timelock"
            ? await chain.commitTimelockedWeights(
                signer,
                metagraph.netuid,
                commit.ciphertext,
                commit.revealRound,
                commit.commitRevealVersion,
              )
            : await chain.commitWeightsHash(signer, metagraph.netuid, commit.hashHex);
      } catch (error) {
        if (error instanceof SubmissionUnknownError) unknown.tx = { hash: error.txHash, commit };
        throw error;
      }
      const expected = commit?.mode === "hash" ? "WeightsCommitted" : "TimelockedWeightsCommitted";
      if (commit && !outcome.events.includes(`subtensorModule.${expected}`)) {
        return {
          sent: false,
          error: new ChainError(`${call} ${outcome.txHash} was included without a ${expected} event`, {
            hint: "the chain did not store the commit; the next step commits again",
          }),
          rateLimitFreesAt: null,
          network: false,
        };
      }
      return {
        sent: true,
        uid: prepared.uid,
        txHash: outcome.txHash,
        blockHash: outcome.blockHash,
        blockNumber: outcome.blockNumber,
        landedAfterDrop: false,
        commit,
      };
    } catch (error) {
      if (error instanceof DispatchError)
        return { sent: false, error, rateLimitFreesAt: null, network: false };
      if (!(error instanceof NetworkError)) throw error;
      lastError = error.message;
      logger.warn({ attempt, error: lastError }, `${call}: connection trouble`);
      if (attempt < ATTEMPTS) await sleep(BACKOFF_MS * 2 ** (attempt - 1), options.signal);
    }
  }
  return {
    sent: false,
    error: new NetworkError(`the chain could not be reached to send ${call}: ${lastError}`, {
      hint: "check --network; the next step tries again",
    }),
    rateLimitFreesAt: null,
    network: true,
  };
}

async function waitForBlock(chain: ChainClient, block: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + BOUNDARY_WAIT_MS;
  while ((await chain.head()).number < block && Date.now() < deadline) await sleep(HEAD_POLL_MS, signal);
}

/**
 * Every check the chain makes before `set_weights` or a commit, and the commit itself on a commit-reveal
 * subnet: what `deliverWeights` sends next, and what `weights --set --dry-run` shows without sending.
 */
export async function prepareWeights(
  options: Pick<
    DeliveryOptions,
    "chain" | "signer" | "metagraph" | "emit" | "versionKey" | "now" | "commitReveal"
  >,
): Promise<PreparedWeights> {
  const { metagraph, signer, emit } = options;
  if (metagraph.hyperparameters.commitRevealEnabled)
    return prepareCommit({ ...options, mode: options.commitReveal });
  const check = preflightSetWeights(metagraph, signer.address, emit.uids, emit.weights, options.versionKey);
  if (!check.ok) {
    return {
      ok: false,
      error: refusal(metagraph, check, "set_weights"),
      rateLimitFreesAt: check.rateLimitFreesAt,
    };
  }
  return { ok: true, uid: check.uid as number, commit: null };
}

export type SentWeights = Extract<WeightsDelivery, { sent: true }>;

/** A command's refusal of an empty emit: the reference sends nothing either. */
export function assertSomethingToSend(emit: EmittedWeights): void {
  if (emit.uids.length === 0) {
    throw new ChainError("no uid has weight in this step: nothing to set", {
      hint: "the reference sends nothing either when no miner is scorable",
    });
  }
}

/** `deliverWeights` for a command: nothing to emit or any refusal is an error, thrown. */
export async function sendWeights(options: DeliveryOptions): Promise<SentWeights> {
  assertSomethingToSend(options.emit);
  const delivery = await deliverWeights(options);
  if (!delivery.sent) throw delivery.error;
  return delivery;
}
