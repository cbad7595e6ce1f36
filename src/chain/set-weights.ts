import type { KeyringPair } from "@polkadot/keyring/types";
import { ChainError } from "../errors.js";
import type { EmittedWeights } from "../scoring/weights.js";
import type { ChainClient } from "./client.js";
import { preflightSetWeights } from "./preflight.js";
import type { TxOutcome } from "./tx.js";
import type { Metagraph } from "./types.js";

export interface SentWeights extends TxOutcome {
  readonly uid: number;
}

/**
 * Sends one step's weights after the chain's own checks, so a refusal names its reason (and, for the
 * rate limit, the block it frees) before anything is signed. Commit-reveal subnets are refused: the drand
 * timelock encryption the chain expects is not available to sn11.
 */
export async function sendWeights(
  chain: ChainClient,
  signer: KeyringPair,
  metagraph: Metagraph,
  emit: EmittedWeights,
  versionKey: number,
): Promise<SentWeights> {
  if (emit.uids.length === 0) {
    throw new ChainError("no uid has weight in this step: nothing to set", {
      hint: "the reference sends nothing either when no miner is scorable",
    });
  }
  const check = preflightSetWeights(metagraph, signer.address, emit.uids, emit.weights, versionKey);
  if (metagraph.hyperparameters.commitRevealEnabled) {
    throw new ChainError(
      `netuid ${metagraph.netuid} has commit-reveal weights on; sn11 cannot send them yet`,
      {
        hint: "the chain expects drand-timelocked commits (BLS12-381 tlock) that sn11 does not implement; use --dry-run to see the weights",
      },
    );
  }
  if (!check.ok) {
    throw new ChainError(`set_weights would be refused: ${check.problems.map((p) => p.message).join("; ")}`, {
      hint:
        check.rateLimitFreesAt !== null
          ? `wait until block ${check.rateLimitFreesAt} (now ${metagraph.block.number})`
          : `fix the above; chain errors: ${check.problems.map((p) => p.code).join(", ")}`,
    });
  }
  const outcome = await chain.setWeights(signer, metagraph.netuid, emit.uids, emit.weights, versionKey);
  return { ...outcome, uid: check.uid as number };
}
