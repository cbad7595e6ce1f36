import type { KeyringPair } from "@polkadot/keyring/types";
import { hexToU8a, u8aToHex } from "@polkadot/util";
import type { ChainClient } from "../chain/client.js";
import { decodeTlockPayload } from "../chain/commit-reveal.js";
import type { RevealFacts } from "../chain/commit-reveal-reads.js";
import { decodeHashPreimage } from "../chain/hash-commit.js";
import { TimelockError, tlockDecrypt } from "../chain/timelock.js";
import { SubmissionUnknownError } from "../chain/tx.js";
import type { BlockRef } from "../chain/types.js";
import { ChainError, NetworkError } from "../errors.js";
import type { Logger } from "../log.js";
import type { Store } from "../store/store.js";
import type { RevealUpdate, WeightCommitRecord } from "../store/weight-commits.js";

/** Our own decryption of the commit with the pulse the chain holds: what the chain's reveal will see. */
export function selfCheck(
  commit: Pick<WeightCommitRecord, "commitHex" | "payloadHex">,
  signature: string,
): string {
  try {
    const plain = tlockDecrypt(hexToU8a(commit.commitHex), signature);
    return u8aToHex(plain) === commit.payloadHex
      ? "ok"
      : "failed: decrypts to other bytes than were committed";
  } catch (error) {
    if (error instanceof TimelockError) return `failed: ${error.message}`;
    throw error;
  }
}

/** Whether the chain's `Weights` row holds exactly the (uid, value) pairs the commit carried. */
function rowIsCommitted(commit: WeightCommitRecord, row: RevealFacts["weights"]): boolean {
  const payload = decodeTlockPayload(hexToU8a(commit.payloadHex));
  if (!payload) return false;
  const sorted = (pairs: readonly (readonly [number, number])[]) =>
    JSON.stringify([...pairs].sort((a, b) => a[0] - b[0]));
  return sorted(payload.uids.map((u, i) => [u, payload.values[i] as number] as const)) === sorted(row);
}

/**
 * Where a commit stands, from what the chain shows: the reveal event, the `Weights` row, whether the commit is
 * still queued, and the pulse. Pure.
 */
export function assessReveal(commit: WeightCommitRecord, facts: RevealFacts): RevealUpdate {
  const head = facts.block.number;
  const check = commit.selfCheck ?? (facts.pulseSignature ? selfCheck(commit, facts.pulseSignature) : null);
  const base = { checkedBlock: head, selfCheck: check };
  const rowMatches = rowIsCommitted(commit, facts.weights);
  if (head < commit.firstRevealBlock) {
    return {
      ...base,
      status: "committed",
      reason: `waiting for the reveal epoch (block ${commit.firstRevealBlock})`,
    };
  }
  if (facts.revealedInBlock !== null) {
    return {
      ...base,
      status: "revealed",
      revealBlock: facts.revealedInBlock,
      reason: rowMatches ? null : "revealed; the weights row has changed since",
    };
  }
  if (facts.pending) {
    if (head > commit.lastRevealBlock) {
      return {
        ...base,
        status: "reveal_failed",
        reason: `not revealed by the end of epoch ${commit.revealEpoch} (block ${commit.lastRevealBlock})`,
      };
    }
    return {
      ...base,
      status: "committed",
      reason: facts.pulseSignature
        ? "the chain holds the commit and the pulse; the reveal is due"
        : `waiting for drand round ${commit.revealRound} to reach the chain`,
    };
  }
  if (rowMatches)
    return {
      ...base,
      status: "revealed",
      reason: "the chain's weights equal the commit (event not in the blocks read)",
    };
  const reason = !facts.pulseSignature
    ? `drand round ${commit.revealRound} did not reach the chain before the reveal epoch ended: the chain dropped the commit`
    : check !== "ok"
      ? `the chain's pulse does not open this commit (${check})`
      : "the chain decrypted the commit but refused the weights at reveal (permit, version key or stake at that block)";
  return { ...base, status: "reveal_failed", reason };
}

export interface RevealReport {
  readonly commit: WeightCommitRecord;
  readonly update: RevealUpdate;
}

/**
 * A hash commit sn11 reveals itself, in its reveal epoch and only there (`is_reveal_block_range`). Without
 * a signer (dry run, offline) a due reveal waits for a live run. A connection that drops leaves the commit
 * `committed`, so the next check tries again within the epoch.
 */
async function revealHashCommit(
  commit: WeightCommitRecord,
  at: BlockRef,
  chain: ChainClient,
  signer: (() => Promise<KeyringPair>) | null,
): Promise<RevealUpdate | null> {
  if (at.number > commit.lastRevealBlock) {
    return {
      status: "reveal_failed",
      checkedBlock: at.number,
      reason: `the reveal epoch ${commit.revealEpoch} (blocks ${commit.firstRevealBlock}–${commit.lastRevealBlock}) ended before sn11 revealed: was the validator stopped?`,
    };
  }
  const preimage = decodeHashPreimage(hexToU8a(commit.payloadHex));
  if (!preimage || !commit.salt) throw new Error(`hash commit ${commit.id} has no readable preimage or salt`);
  if (!signer) {
    return { status: "committed", checkedBlock: at.number, reason: "the reveal is due: a live run sends it" };
  }
  try {
    const sent = await chain.revealWeights(await signer(), commit.netuid, {
      uids: preimage.uids,
      values: preimage.values,
      salt: commit.salt,
      versionKey: commit.versionKey,
    });
    return sent.events.includes("subtensorModule.WeightsRevealed")
      ? {
          status: "revealed",
          checkedBlock: at.number,
          revealBlock: sent.blockNumber,
          revealTxHash: sent.txHash,
        }
      : {
          status: "reveal_failed",
          checkedBlock: at.number,
          revealTxHash: sent.txHash,
          reason: "reveal_weights was included without a WeightsRevealed event",
        };
  } catch (error) {
    // Sent, fate unknown: keep the transaction, so a commit found gone next time counts as revealed.
    if (error instanceof SubmissionUnknownError) {
      return {
        status: "committed",
        checkedBlock: at.number,
        revealTxHash: error.txHash,
        reason: "reveal_weights sent; the connection dropped before its inclusion was seen",
      };
    }
    if (error instanceof NetworkError) return null;
    if (error instanceof ChainError) {
      // Within its reveal epoch a hash commit leaves the chain only by being revealed.
      const gone = /NoWeightsCommitFound|Custom error: 16/.test(error.message);
      if (gone && commit.revealTxHash) {
        return {
          status: "revealed",
          checkedBlock: at.number,
          reason: "revealed by the reveal_weights whose inclusion the dropped connection hid",
        };
      }
      return {
        status: "reveal_failed",
        checkedBlock: at.number,
        reason: `reveal_weights refused: ${error.message}`,
      };
    }
    throw error;
  }
}

/**
 * Checks every unsettled commit against the chain and records what became of it: timelocked commits by
 * what the chain shows of their reveal, hash commits by revealing them when their epoch comes.
 */
export async function confirmReveals(options: {
  chain: ChainClient;
  store: Store;
  netuid: number;
  /** The block to read at: the step's pinned block. */
  at: BlockRef;
  /** Signs hash reveals (asked for only when one is due); null where nothing may be sent (dry run, offline). */
  signer: (() => Promise<KeyringPair>) | null;
  logger: Logger;
}): Promise<RevealReport[]> {
  const { store, logger, at } = options;
  const reports: RevealReport[] = [];
  for (const commit of store.weightCommits.pending(options.netuid)) {
    // Before its reveal epoch the chain can show nothing of a commit, nor take a reveal: no read needed.
    if (at.number < commit.firstRevealBlock) continue;
    let update: RevealUpdate | null;
    if (commit.mode === "hash") {
      update = await revealHashCommit(commit, at, options.chain, options.signer);
      if (!update) continue;
    } else {
      const facts = await options.chain.revealFacts({
        netuid: commit.netuid,
        hotkey: commit.hotkey,
        uid: commit.uid,
        commitEpoch: commit.commitEpoch,
        commitBlock: commit.txBlock,
        ciphertextHex: commit.commitHex,
        revealRound: commit.revealRound as number,
        firstRevealBlock: commit.firstRevealBlock,
        block: at,
      });
      update = assessReveal(commit, facts);
    }
    store.weightCommits.update(commit.id, update);
    const fields = { commit: commit.id, mode: commit.mode, tx: commit.txHash, block: at.number };
    if (update.status === "revealed")
      logger.info({ ...fields, revealBlock: update.revealBlock }, "weights revealed on chain");
    else if (update.status === "reveal_failed")
      logger.error({ ...fields, reason: update.reason }, "weights commit not revealed");
    else logger.debug({ ...fields, reason: update.reason }, "commit awaiting its reveal");
    reports.push({ commit, update });
  }
  return reports;
}
