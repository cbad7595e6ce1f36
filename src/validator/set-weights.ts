import type { KeyringPair } from "@polkadot/keyring/types";
import type { ChainClient } from "../chain/client.js";
import { preflightSetWeights } from "../chain/preflight.js";
import { DispatchError, SubmissionUnknownError } from "../chain/tx.js";
import type { Metagraph } from "../chain/types.js";
import { NetworkError } from "../errors.js";
import type { Logger } from "../log.js";
import type { EmittedWeights } from "../scoring/weights.js";
import { VALIDATOR_SETTINGS } from "./settings.js";

export type WeightsDelivery =
  | {
      readonly sent: true;
      readonly txHash: string;
      readonly block: number;
      readonly landedAfterDrop: boolean;
    }
  | {
      readonly sent: false;
      readonly reason: string;
      /** Set when the rate limit refused: the first block it allows. */
      readonly rateLimitFreesAt: number | null;
      /** The chain could not be reached (counted as a chain error). */
      readonly network: boolean;
    };

function ownLastUpdate(metagraph: Metagraph, hotkey: string): number {
  return metagraph.neurons.find((n) => n.hotkey === hotkey)?.lastUpdate ?? 0;
}

/**
 * set_weights with the chain's checks first (the rate limit names the block it frees), inclusion
 * confirmed, and retries with backoff when the connection drops. A submission whose fate is unknown is
 * looked up in the chain state (the hotkey's last update) before anything is sent again.
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
  for (let attempt = 1; attempt <= VALIDATOR_SETTINGS.setWeightsAttempts; attempt++) {
    try {
      if (attempt > 1) {
        metagraph = await chain.metagraph(metagraph.netuid);
        const after = ownLastUpdate(metagraph, hotkey);
        if (unknownTx && after > before) {
          return { sent: true, txHash: unknownTx, block: after, landedAfterDrop: true };
        }
      }
      const check = preflightSetWeights(metagraph, hotkey, emit.uids, emit.weights, options.versionKey);
      if (!check.ok) {
        return {
          sent: false,
          reason: check.problems.map((p) => `${p.code}: ${p.message}`).join("; "),
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
      return { sent: true, txHash: outcome.txHash, block: outcome.blockNumber, landedAfterDrop: false };
    } catch (error) {
      if (error instanceof DispatchError) {
        return {
          sent: false,
          reason: `${error.errorName}: ${error.message}`,
          rateLimitFreesAt: null,
          network: false,
        };
      }
      if (!(error instanceof NetworkError)) throw error;
      if (error instanceof SubmissionUnknownError) unknownTx = error.txHash;
      lastError = error.message;
      logger.warn({ attempt, error: lastError }, "set_weights: connection trouble");
      if (attempt < VALIDATOR_SETTINGS.setWeightsAttempts) {
        await new Promise((r) => setTimeout(r, VALIDATOR_SETTINGS.setWeightsBackoffMs * 2 ** (attempt - 1)));
      }
    }
  }
  return {
    sent: false,
    reason: `the chain could not be reached to set weights: ${lastError}`,
    rateLimitFreesAt: null,
    network: true,
  };
}
