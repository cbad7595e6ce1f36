import type { LeaderboardRow } from "./build.js";

export const ROW_STATES = [
  "scored",
  "queued",
  "running",
  "error",
  "failed",
  "invalid",
  "duplicate",
  "none",
] as const;
export type RowState = (typeof ROW_STATES)[number];

export const SORT_KEYS = ["weight", "incentive", "emission", "score", "block", "uid"] as const;
export type SortKey = (typeof SORT_KEYS)[number];

const INVALID = new Set(["malformed_commitment", "future_block", "before_epoch", "hash_mismatch"]);

/** Where a row stands, in one word: the registry's verdict first, then the queue, then the evaluation. */
export function rowState(row: LeaderboardRow): RowState {
  const { reason, duplicateOf, copyOf } = row.registry;
  if (reason === "no_commitment") return "none";
  if (reason && INVALID.has(reason)) return "invalid";
  if (duplicateOf || copyOf) return "duplicate";
  const queue = row.evaluation.queue;
  if (queue?.state === "RUNNING") return "running";
  if (queue?.state === "ERROR") return "error";
  if (queue?.state === "QUEUED") return "queued";
  if (row.evaluation.status === "COMPLETED") return "scored";
  if (row.evaluation.status === "FAILED") return "failed";
  return "queued";
}

const byNumberDesc = (a: number | null, b: number | null) => (b ?? -Infinity) - (a ?? -Infinity);

/** Highest first for every key but block and uid (oldest commitment, lowest uid first); then by uid. */
export function compareRows(key: SortKey): (a: LeaderboardRow, b: LeaderboardRow) => number {
  const primary = (a: LeaderboardRow, b: LeaderboardRow): number => {
    switch (key) {
      case "weight":
        return b.weight - a.weight || byNumberDesc(a.chain?.incentive ?? null, b.chain?.incentive ?? null);
      case "incentive":
        return byNumberDesc(a.chain?.incentive ?? null, b.chain?.incentive ?? null);
      case "emission":
        return byNumberDesc(a.chain?.emissionPerDay ?? null, b.chain?.emissionPerDay ?? null);
      case "score":
        return byNumberDesc(a.evaluation.totalScore, b.evaluation.totalScore);
      case "block":
        return (a.commitBlock ?? Infinity) - (b.commitBlock ?? Infinity);
      case "uid":
        return 0;
    }
  };
  return (a, b) => primary(a, b) || a.uid - b.uid;
}

/** Weight when this store has scored something; the chain's incentive otherwise. */
export function defaultSort(rows: readonly LeaderboardRow[]): SortKey {
  return rows.some((r) => r.evaluation.status === "COMPLETED" && r.weight > 0) ? "weight" : "incentive";
}

export interface Selection {
  /** The top rows, in order, each with its rank in the whole sorted board. */
  readonly top: readonly { readonly rank: number; readonly row: LeaderboardRow }[];
  /** Rows asked for by hotkey that fall outside the top: always shown, after the top. */
  readonly pinned: readonly { readonly rank: number; readonly row: LeaderboardRow }[];
  /** Rows the filters left in, before the top was cut. */
  readonly matched: number;
}

export interface SelectOptions {
  readonly sort: SortKey;
  readonly top?: number;
  readonly hotkeys?: readonly string[];
  readonly states?: readonly RowState[];
  readonly uids?: readonly number[];
  /** Leave out uids without a commitment and without weight (the text table counts them instead). */
  readonly hideEmpty?: boolean;
}

/** Sort, filter, cut to the top N, and pin the asked-for hotkeys wherever they rank. */
export function selectRows(rows: readonly LeaderboardRow[], o: SelectOptions): Selection {
  const ranked = [...rows].sort(compareRows(o.sort)).map((row, i) => ({ rank: i + 1, row }));
  const hotkeys = new Set(o.hotkeys ?? []);
  const pinnedOnly = hotkeys.size > 0 && !o.states?.length && !o.uids?.length && o.top === undefined;
  const matches = ranked.filter(({ row }) => {
    if (pinnedOnly) return hotkeys.has(row.hotkey);
    if (o.states?.length && !o.states.includes(rowState(row))) return false;
    if (o.uids?.length && !o.uids.includes(row.uid)) return false;
    if (o.hideEmpty && rowState(row) === "none" && row.weight === 0 && !hotkeys.has(row.hotkey)) return false;
    return true;
  });
  const top = o.top === undefined ? matches : matches.slice(0, o.top);
  const shown = new Set(top.map((t) => t.row.uid));
  const pinned = ranked.filter(({ row }) => hotkeys.has(row.hotkey) && !shown.has(row.uid));
  return { top, pinned, matched: matches.length };
}
