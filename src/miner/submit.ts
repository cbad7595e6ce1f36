import type { KeyringPair } from "@polkadot/keyring/types";
import type { ChainClient } from "../chain/client.js";
import { SubmissionUnknownError, type TxOutcome } from "../chain/tx.js";
import type { Metagraph } from "../chain/types.js";
import { ChainError, UsageError } from "../errors.js";
import type { CheckReport } from "../eval/check.js";
import type { Logger } from "../log.js";
import { submissionRateLimit } from "../scoring/owner-rules.js";
import type { ScoringProfile } from "../scoring/profile.js";

export interface SubmitPlan {
  readonly netuid: number;
  readonly hotkey: string;
  readonly uid: number;
  readonly commitment: string;
  /** What the chain holds for this hotkey now (null when nothing). */
  readonly current: { readonly data: string | null; readonly block: number } | null;
  readonly unchanged: boolean;
  readonly spaceLeft: number;
  /** Validators' rate limit against the commitment being replaced, at the current head. */
  readonly rateLimit: ReturnType<typeof submissionRateLimit>;
}

export interface SubmitResult {
  readonly status: "submitted" | "unchanged" | "landed-after-drop";
  readonly block: number | null;
  readonly txHash: string | null;
}

/** Where a hotkey stands for a new commitment: its uid, what the chain holds for it, validators' rate limit. */
export interface CommitmentStanding {
  readonly uid: number | null;
  /** What the chain holds for this hotkey now (null when nothing). */
  readonly current: { readonly data: string | null; readonly block: number } | null;
  readonly unchanged: boolean;
  /** Validators' rate limit against the commitment being replaced, at the current head. */
  readonly rateLimit: ReturnType<typeof submissionRateLimit>;
  readonly block: number;
}

export async function commitmentStanding(
  chain: ChainClient,
  o: { readonly hotkey: string; readonly netuid: number; readonly commitment: string },
  profile: ScoringProfile,
): Promise<CommitmentStanding> {
  const metagraph = await chain.metagraph(o.netuid);
  const uid = metagraph.neurons.find((n) => n.hotkey === o.hotkey)?.uid ?? null;
  const existing = metagraph.commitments.find((c) => c.hotkey === o.hotkey);
  const current = existing ? { data: existing.data, block: existing.block } : null;
  const unchanged = current?.data === o.commitment;
  // The owner's verdict on the old entry is not known here: assumed not FAILED (the limit applies).
  const rateLimit = current
    ? submissionRateLimit(
        {
          previousBlock: current.block,
          previousFailed: false,
          sameEntry: unchanged,
          block: metagraph.block.number,
        },
        profile.submissionRateLimitBlocks,
      )
    : ({ limited: false } as const);
  return { uid, current, unchanged, rateLimit, block: metagraph.block.number };
}

/** Why validators would mark a new commitment FAILED under the rate limit, or null when they would not. */
export function rateLimitProblem(standing: Pick<CommitmentStanding, "rateLimit" | "current">, limit: number) {
  if (!standing.rateLimit.limited) return null;
  return (
    `validators would mark it FAILED: ${standing.rateLimit.gap} blocks since this hotkey's last commitment ` +
    `(block ${standing.current?.block}), the limit is ${limit}; it frees at block ${standing.rateLimit.freesAt}`
  );
}

/** The checks before anything is signed: prechecks passed, hotkey registered, space left, not already committed. */
export async function planSubmission(
  chain: ChainClient,
  report: CheckReport,
  hotkey: string,
  netuid: number,
  profile: ScoringProfile,
): Promise<SubmitPlan> {
  if (!report.ok) {
    const failed = report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
    throw new UsageError(`the model fails the prechecks validators apply:\n  ${failed.join("\n  ")}`, {
      hint: `run sn11 check ${report.repo} to see every check`,
    });
  }
  if (!report.commitment)
    throw new UsageError("no commitment could be built (hotkey or chat template missing)");
  const { uid, current, unchanged, rateLimit } = await commitmentStanding(
    chain,
    { hotkey, netuid, commitment: report.commitment },
    profile,
  );
  if (uid === null) {
    throw new ChainError(`hotkey ${hotkey} is not registered on netuid ${netuid}`, {
      hint: "register the hotkey first (btcli subnet register); a commitment from an unregistered hotkey is refused",
    });
  }
  const bytes = Buffer.byteLength(report.commitment, "utf8");
  const space = await chain.commitmentSpace(netuid, hotkey);
  const required = Math.max(100, bytes);
  if (!unchanged && space.used + required > space.max) {
    throw new ChainError(
      `this hotkey has used ${space.used} of its ${space.max} bytes of commitment space this epoch; a commitment takes ${required}`,
      { hint: `the space frees at block ${space.freesAt} (now ${space.block})` },
    );
  }
  return {
    netuid,
    hotkey,
    uid,
    commitment: report.commitment,
    current,
    unchanged,
    spaceLeft: space.max - space.used,
    rateLimit,
  };
}

async function readBack(
  chain: ChainClient,
  netuid: number,
  hotkey: string,
  at?: { number: number; hash: string },
): Promise<Metagraph["commitments"][number] | undefined> {
  const metagraph = await chain.metagraph(netuid, at);
  return metagraph.commitments.find((c) => c.hotkey === hotkey);
}

/**
 * Sends the commitment and proves it landed by reading it back byte for byte. When the connection drops
 * after sending, the read-back decides: never a double submission, never a false success.
 */
export async function sendSubmission(
  chain: ChainClient,
  signer: KeyringPair,
  plan: SubmitPlan,
  logger: Logger,
): Promise<SubmitResult> {
  if (plan.unchanged) return { status: "unchanged", block: plan.current?.block ?? null, txHash: null };
  let outcome: TxOutcome;
  try {
    outcome = await chain.setCommitment(signer, plan.netuid, Buffer.from(plan.commitment, "utf8"));
  } catch (error) {
    if (!(error instanceof SubmissionUnknownError)) throw error;
    logger.warn(
      { tx: error.txHash },
      "the connection dropped after sending; reading the chain to see whether it landed",
    );
    for (let attempt = 0; attempt < 5; attempt++) {
      const found = await readBack(chain, plan.netuid, plan.hotkey).catch(() => undefined);
      if (found?.data === plan.commitment && found.block !== plan.current?.block) {
        return { status: "landed-after-drop", block: found.block, txHash: error.txHash };
      }
      await new Promise((r) => setTimeout(r, 1000 * (attempt + 1)));
    }
    throw new ChainError(
      `the commitment did not land (transaction ${error.txHash} is unknown to the chain)`,
      {
        hint: "nothing was committed: it is safe to run sn11 submit again",
      },
    );
  }
  // Read at the inclusion block: the finalized head may not have reached it yet. Without its number (its
  // header could not be read) the head is the best there is.
  const found = await readBack(
    chain,
    plan.netuid,
    plan.hotkey,
    outcome.blockNumber === null ? undefined : { number: outcome.blockNumber, hash: outcome.blockHash },
  );
  if (found?.data !== plan.commitment) {
    throw new ChainError(
      `the chain holds ${JSON.stringify(found?.data ?? null)} after block ${outcome.blockNumber ?? outcome.blockHash}, not the commitment sent`,
      { hint: "another commitment from this hotkey may have landed in between; run sn11 status" },
    );
  }
  return { status: "submitted", block: found.block, txHash: outcome.txHash };
}
