import type { ChainClient } from "../chain/client.js";
import { consensusInput } from "../chain/consensus-read.js";
import type { Metagraph } from "../chain/types.js";
import { CancelledError } from "../errors.js";
import { queuePositionsByUid } from "../leaderboard/queue.js";
import type { Logger } from "../log.js";
import { agreementOf, yumaConsensus } from "../scoring/consensus.js";
import { explainAgreement, reasonText } from "../scoring/consensus-explain.js";
import { computedAgreement } from "../scoring/consensus-report.js";
import type { Replay } from "../scoring/replay.js";
import type { SharedStore } from "../store/shared/shared-store.js";

export interface ConsensusWatch {
  /** The validator's hotkey (SS58); null where none is configured (its agreement cannot be told). */
  readonly hotkey: string | null;
  /** A step whose computed weights agree less than this logs a warning with the three biggest gaps. */
  readonly warnBelow: number;
}

export interface StepAgreement {
  readonly uid: number;
  /** With its weights on chain at the step's block. */
  readonly chain: number;
  /** With the weights the step computed; null when it computed none. */
  readonly computed: number | null;
}

/**
 * The step's agreement with the chain's consensus at its pinned block (one more storage query). A read
 * that fails costs the figure, never the step.
 */
export async function stepAgreement(o: {
  readonly chain: ChainClient;
  readonly metagraph: Metagraph;
  readonly replay: Replay;
  readonly watch: ConsensusWatch;
  readonly shared: SharedStore;
  readonly profile: string;
  readonly log: Logger;
}): Promise<StepAgreement | null> {
  const { metagraph, replay, watch, log } = o;
  const uid = metagraph.neurons.find((n) => n.hotkey === watch.hotkey)?.uid;
  if (uid === undefined) return null;
  let input: ReturnType<typeof consensusInput>;
  try {
    input = consensusInput(metagraph, await o.chain.consensusFacts(metagraph));
  } catch (error) {
    if (error instanceof CancelledError) throw error;
    log.warn(
      { error: (error as Error).message },
      "could not read the weights for consensus; the next step retries",
    );
    return null;
  }
  const now = agreementOf(yumaConsensus(input), uid);
  const computed = computedAgreement(input, uid, replay.emit);
  if (computed && computed.agreement.agreement < watch.warnBelow) {
    const queue = queuePositionsByUid(await o.shared.unfinishedJobs(o.profile), new Date());
    const gaps = explainAgreement(
      computed.agreement,
      {
        result: computed.result,
        ours: new Map(replay.rows.map((r) => [r.uid, r])),
        ourWeights: new Map(replay.rows.map((r) => [r.uid, r.weight])),
        queue,
      },
      3,
    );
    log.warn(
      {
        agreement: round(computed.agreement.agreement),
        threshold: watch.warnBelow,
        uids: gaps.map((g) => ({ uid: g.uid, gap: round(g.gap), why: reasonText(g.reason) })),
      },
      `the weights of this step agree ${round(computed.agreement.agreement)} with consensus (below ${watch.warnBelow}): ` +
        gaps.map((g) => `uid ${g.uid} ${g.gap >= 0 ? "+" : ""}${round(g.gap)}`).join(", "),
    );
  }
  return { uid, chain: now.agreement, computed: computed?.agreement.agreement ?? null };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
