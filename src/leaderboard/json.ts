import type { Snapshot } from "../scoring/snapshot.js";
import type { StepRecord } from "../store/validator-steps.js";
import type { Leaderboard, LeaderboardRow } from "./build.js";
import { rowState, type Selection, type SortKey } from "./select.js";

const RAO = 1e9;

/** One row as the `--json` document carries it (snake_case, rao as numbers of alpha or tao). */
export function rowJson(r: LeaderboardRow) {
  const q = r.evaluation.queue;
  const c = r.chain;
  return {
    uid: r.uid,
    hotkey: r.hotkey,
    burn: r.burn,
    state: rowState(r),
    repo: r.repo,
    commit_block: r.commitBlock,
    entry_hash: r.entryHash,
    model_hash: r.modelHash,
    revision: r.revision,
    registry: {
      valid: r.registry.valid,
      reason: r.registry.reason,
      detail: r.registry.detail,
      duplicate_of: r.registry.duplicateOf,
      copy_of: r.registry.copyOf,
    },
    evaluation: {
      source: r.evaluation.source,
      status: r.evaluation.status,
      total_score: r.evaluation.totalScore,
      reason: r.evaluation.reason,
      updated_at: r.evaluation.updatedAt,
      queue: q
        ? {
            state: q.state,
            position: q.position,
            eta_seconds: q.etaSeconds,
            attempts: q.attempts,
            next_attempt_at: q.nextAttemptAt,
            last_error: q.lastError,
          }
        : null,
    },
    win_rate: r.winRate,
    weight: r.weight,
    u16: r.u16,
    sent_weight: r.sentWeight,
    chain: c
      ? {
          coldkey: c.coldkey,
          stake_tao: Number(c.stakeRao) / RAO,
          validator_permit: c.validatorPermit,
          incentive: c.incentive,
          emission_rao: c.emissionRao === null ? null : Number(c.emissionRao),
          emission_per_day_est: c.emissionPerDay,
          consensus: c.consensus,
          dividends: c.dividends,
          registered_at: c.registeredAt,
          immunity_ends_at: c.immunityEndsAt,
          immune: c.immune,
          prune_next: c.pruneNext,
        }
      : null,
    owner: r.owner ? { status: r.owner.status, total_score: r.owner.totalScore } : null,
  };
}

/** The `--json` document of `sn11 leaderboard` (and `GET /leaderboard` of `sn11 serve`). */
export function leaderboardJson(o: {
  readonly snapshot: Snapshot;
  readonly blockHash: string | null;
  readonly profile: string;
  readonly sort: SortKey;
  readonly sources: {
    readonly chain: string | null;
    readonly snapshot: string | null;
    readonly store: string | null;
    readonly owner: string | null;
  };
  /** The step whose weights reached the chain last. */
  readonly delivered: StepRecord | undefined;
  readonly board: Leaderboard;
  readonly selection: Selection;
  readonly warnings: readonly string[];
}) {
  const d = o.delivered;
  return {
    netuid: o.snapshot.netuid,
    block: o.snapshot.block,
    block_hash: o.blockHash,
    profile: o.profile,
    sort: o.sort,
    sources: {
      ...o.sources,
      last_sent_step: d
        ? { step: d.id, outcome: d.outcome, block: d.txBlock ?? d.block, tx_hash: d.txHash }
        : null,
    },
    prune_next: o.board.pruneNext,
    warnings: o.warnings,
    rows: [...o.selection.top, ...o.selection.pinned].map((r) => ({ rank: r.rank, ...rowJson(r.row) })),
  };
}
