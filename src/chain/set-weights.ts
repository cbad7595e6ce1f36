import type { KeyringPair } from "@polkadot/keyring/types";
import { ChainError, NetworkError, type Sn11Error } from "../errors.js";
import type { Logger } from "../log.js";
import type { EmittedWeights } from "../scoring/weights.js";
import { sleep } from "../sleep.js";
import type { ChainClient } from "./client.js";
import { preflightSetWeights } from "./preflight.js";
import { DispatchError, SubmissionUnknownError } from "./tx.js";
import type { Metagraph } from "./types.js";

/** Attempts when the connection drops or a submission's fate is unknown; the backoff doubles from 2 s. */
const ATTEMPTS = 3;
const BACKOFF_MS = 2_000;

export type WeightsDelivery =
  | {
      readonly sent: true;
      readonly uid: number;
      readonly txHash: string;
      /** The inclusion block's hash; null when the weights were found in the chain state after a drop. */
      readonly blockHash: string | null;
      readonly blockNumber: number;
      readonly landedAfterDrop: boolean;
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

/** The chain's set_weights checks as one error, with the hint a user can act on. */
function refusal(metagraph: Metagraph, check: ReturnType<typeof preflightSetWeights>): ChainError {
  const codes = check.problems.map((p) => p.code);
  const hint =
    check.rateLimitFreesAt !== null
      ? `wait until block ${check.rateLimitFreesAt} (now ${metagraph.block.number})`
      : codes.includes("CommitRevealEnabled")
        ? "the chain expects drand-timelocked commits (BLS12-381 tlock) that sn11 does not implement; use --dry-run to see the weights"
        : `fix the above; chain errors: ${codes.join(", ")}`;
  return new ChainError(
    `set_weights would be refused: ${check.problems.map((p) => `${p.code}: ${p.message}`).join("; ")}`,
    { hint },
  );
}

/**
 * Sends one step's weights: the chain's own checks first (so a refusal names its reason and, for the rate
 * limit, the block it frees, before anything is signed), inclusion confirmed, retries with backoff when
 * the connection drops. A submission whose fate is unknown is looked up in the chain state (the hotkey's
 * last update) before anything is sent again. Commit-reveal subnets are refused: the drand timelock
 * encryption the chain expects is not available to sn11.
 */
export async function deliverWeights(options: {
  chain: ChainClient;
  signer: KeyringPair;
  metagraph: Metagraph;
  emit: EmittedWeights;
  versionKey: number;
  logger: Logger;
  signal?: AbortSignal;
}): Promise<WeightsDelivery> {
  const { chain, signer, emit, logger } = options;
  const hotkey = signer.address;
  const before = ownLastUpdate(options.metagraph, hotkey);
  let metagraph = options.metagraph;
  let unknownTx: string | null = null;
  let lastError = "";
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      if (attempt > 1) {
        metagraph = await chain.metagraph(metagraph.netuid);
        const after = ownLastUpdate(metagraph, hotkey);
        if (unknownTx && after > before) {
          const uid = metagraph.neurons.find((n) => n.hotkey === hotkey)?.uid as number;
          return {
            sent: true,
            uid,
            txHash: unknownTx,
            blockHash: null,
            blockNumber: after,
            landedAfterDrop: true,
          };
        }
      }
      const check = preflightSetWeights(metagraph, hotkey, emit.uids, emit.weights, options.versionKey);
      if (!check.ok) {
        return {
          sent: false,
          error: refusal(metagraph, check),
          rateLimitFreesAt: check.rateLimitFreesAt,
          network: false,
        };
      }
      const outcome = await chain.setWeights(
        signer,
        metagraph.netuid,
        emit.uids,
        emit.weights,
        options.versionKey,
      );
      return { sent: true, uid: check.uid as number, ...outcome, landedAfterDrop: false };
    } catch (error) {
      if (error instanceof DispatchError)
        return { sent: false, error, rateLimitFreesAt: null, network: false };
      if (!(error instanceof NetworkError)) throw error;
      if (error instanceof SubmissionUnknownError) unknownTx = error.txHash;
      lastError = error.message;
      logger.warn({ attempt, error: lastError }, "set_weights: connection trouble");
      if (attempt < ATTEMPTS) await sleep(BACKOFF_MS * 2 ** (attempt - 1), options.signal);
    }
  }
  return {
    sent: false,
    error: new NetworkError(`the chain could not be reached to set weights: ${lastError}`, {
      hint: "check --network; the next step tries again",
    }),
    rateLimitFreesAt: null,
    network: true,
  };
}

export type SentWeights = Extract<WeightsDelivery, { sent: true }>;

/** `deliverWeights` for a command: nothing to emit or any refusal is an error, thrown. */
export async function sendWeights(options: Parameters<typeof deliverWeights>[0]): Promise<SentWeights> {
  if (options.emit.uids.length === 0) {
    throw new ChainError("no uid has weight in this step: nothing to set", {
      hint: "the reference sends nothing either when no miner is scorable",
    });
  }
  const delivery = await deliverWeights(options);
  if (!delivery.sent) throw delivery.error;
  return delivery;
}
