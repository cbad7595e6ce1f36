import type { ChainClient } from "../chain/client.js";
import { decodeTlockPayload } from "../chain/commit-reveal.js";
import type { RevealFacts } from "../chain/commit-reveal-reads.js";
import { TimelockError, tlockDecrypt } from "../chain/timelock.js";
import type { BlockRef } from "../chain/types.js";
import type { Logger } from "../log.js";
import type { Store } from "../store/store.js";
import type { RevealUpdate, WeightCommitRecord } from "../store/weight-commits.js";

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.replace(/^0x/, ""), "hex"));
}

/** Our own decryption of the commit with the pulse the chain holds: what the chain's reveal will see. */
export function selfCheck(
  commit: Pick<WeightCommitRecord, "ciphertextHex" | "payloadHex">,
  signature: string,
): string {
  try {
    const plain = tlockDecrypt(hexBytes(commit.ciphertextHex), signature);
    return `0x${Buffer.from(plain).toString("hex")}` === commit.payloadHex
      ? "ok"
      : "failed: decrypts to other bytes than were committed";
  } catch (error) {
    if (error instanceof TimelockError) return `failed: ${error.message}`;
    throw error;
  }
}

function committedRow(commit: WeightCommitRecord): string {
  const payload = decodeTlockPayload(hexBytes(commit.payloadHex));
  return JSON.stringify(payload ? rowOf(payload.uids, payload.values) : null);
}

function rowOf(uids: readonly number[], values: readonly number[]): [number, number][] {
  return uids.map((u, i) => [u, values[i] as number] as [number, number]).sort((a, b) => a[0] - b[0]);
}

/**
 * Where a commit stands, from what the chain shows: the reveal event, the `Weights` row, whether the commit is
 * still queued, and the pulse. Pure.
 */
export function assessReveal(
  commit: WeightCommitRecord,
  facts: RevealFacts,
  committedWeights: string = committedRow(commit),
): RevealUpdate {
  const head = facts.block.number;
  const check = commit.selfCheck ?? (facts.pulseSignature ? selfCheck(commit, facts.pulseSignature) : null);
  const base = { checkedBlock: head, selfCheck: check };
  const rowMatches =
    JSON.stringify(
      rowOf(
        facts.weights.map(([u]) => u),
        facts.weights.map(([, v]) => v),
      ),
    ) === committedWeights;
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

/** Checks every unsettled commit against the chain and records what became of it. */
export async function confirmReveals(options: {
  chain: ChainClient;
  store: Store;
  netuid: number;
  /** The block to read at: the step's pinned block. */
  at: BlockRef;
  logger: Logger;
}): Promise<RevealReport[]> {
  const { store, logger } = options;
  const reports: RevealReport[] = [];
  for (const commit of store.weightCommits.pending(options.netuid)) {
    // Before its reveal epoch the chain can show nothing of a commit: no read needed.
    if (options.at.number < commit.firstRevealBlock) continue;
    const facts = await options.chain.revealFacts({
      netuid: commit.netuid,
      hotkey: commit.hotkey,
      uid: commit.uid,
      commitEpoch: commit.commitEpoch,
      commitBlock: commit.txBlock,
      ciphertextHex: commit.ciphertextHex,
      revealRound: commit.revealRound,
      firstRevealBlock: commit.firstRevealBlock,
      block: options.at,
    });
    const update = assessReveal(commit, facts);
    store.weightCommits.update(commit.id, update);
    const fields = {
      commit: commit.id,
      tx: commit.txHash,
      round: commit.revealRound,
      block: facts.block.number,
    };
    if (update.status === "revealed")
      logger.info({ ...fields, revealBlock: update.revealBlock }, "weights revealed on chain");
    else if (update.status === "reveal_failed")
      logger.error({ ...fields, reason: update.reason }, "weights commit not revealed");
    else logger.debug({ ...fields, reason: update.reason }, "commit awaiting its reveal");
    reports.push({ commit, update });
  }
  return reports;
}
