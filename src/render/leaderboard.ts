import type { LeaderboardRow } from "../leaderboard/build.js";
import { rowState, type Selection } from "../leaderboard/select.js";
import { inertCell } from "./inert.js";
import type { Tone } from "./style.js";
import { type Column, type FittedTable, fitTable, fixed, shortDuration, shortHotkey } from "./table.js";

/** The status cell: why a row has the weight it has, in a few words. */
export function statusCell(row: LeaderboardRow): string {
  const q = row.evaluation.queue;
  switch (rowState(row)) {
    case "none":
      return row.burn ? "burn" : "no commitment";
    case "invalid":
      return `invalid ${row.registry.reason}`;
    case "duplicate": {
      const dup = row.registry.duplicateOf;
      if (dup) return `dup of ${dup.uid} (${dup.match === "repo" ? "repo" : "entry hash"})`;
      return `copy of ${row.registry.copyOf?.uid} (model hash)`;
    }
    case "running":
      return "running";
    case "error": {
      const retry = q?.nextAttemptAt ? ` ↻${q.nextAttemptAt.slice(11, 16)}` : "";
      return `error${retry} ${inertCell(q?.lastError ?? "", 30)}`.trimEnd();
    }
    case "queued":
      if (!q) return row.evaluation.status?.toLowerCase() ?? "not queued yet";
      return `queued #${q.position ?? "?"}${q.etaSeconds === null ? "" : ` ~${shortDuration(q.etaSeconds)}`}`;
    case "scored":
      return "scored";
    case "failed":
      return `failed ${inertCell(row.evaluation.reason ?? q?.lastError ?? "", 30)}`.trimEnd();
  }
}

/** Blocks of immunity left, and the flag on the uid the next registration replaces. */
export function immunityCell(row: LeaderboardRow, head: number | null): string {
  const c = row.chain;
  if (!c) return "-";
  const left = c.immune && c.immunityEndsAt !== null && head !== null ? String(c.immunityEndsAt - head) : "-";
  return c.pruneNext ? `${left} ⚠ next` : left;
}

type Ranked = Selection["top"][number];

export function leaderboardColumns(o: {
  wide: boolean;
  head: number | null;
  owner: boolean;
}): Column<Ranked>[] {
  const columns: Column<Ranked>[] = [
    { header: "#", value: (r) => String(r.rank), align: "right" },
    { header: "uid", value: (r) => (r.row.burn ? `${r.row.uid} burn` : String(r.row.uid)), align: "right" },
    { header: "hotkey", value: (r) => (o.wide ? r.row.hotkey : shortHotkey(r.row.hotkey)), drop: 5 },
    {
      header: "repo",
      value: (r) => (r.row.repo ? inertCell(r.row.repo, o.wide ? 60 : 28) : "—"),
      shrink: 14,
    },
    {
      header: "block",
      value: (r) => (r.row.commitBlock === null ? "-" : String(r.row.commitBlock)),
      align: "right",
      drop: 4,
    },
    { header: "status", value: (r) => statusCell(r.row), shrink: 16, tone: (r) => statusTone(r.row) },
    { header: "score", value: (r) => fixed(r.row.evaluation.totalScore, 4), align: "right" },
    { header: "win", value: (r) => fixed(r.row.winRate, 4), align: "right" },
    { header: "weight", value: (r) => fixed(r.row.weight, 4), align: "right" },
    { header: "incent", value: (r) => fixed(r.row.chain?.incentive ?? null, 4), align: "right", drop: 2 },
    {
      header: "α/day est",
      value: (r) => fixed(r.row.chain?.emissionPerDay ?? null, 2),
      align: "right",
      drop: 3,
    },
    { header: "cons", value: (r) => fixed(r.row.chain?.consensus ?? null, 4), align: "right", drop: 6 },
    { header: "imm", value: (r) => immunityCell(r.row, o.head), drop: 1 },
  ];
  if (!o.wide) return columns;
  return [
    ...columns,
    { header: "coldkey", value: (r) => r.row.chain?.coldkey ?? "-" },
    { header: "reg", value: (r) => String(r.row.chain?.registeredAt ?? "-"), align: "right" },
    { header: "entry hash", value: (r) => r.row.entryHash ?? "-" },
    { header: "model hash", value: (r) => (r.row.modelHash ? r.row.modelHash.slice(0, 16) : "-") },
    { header: "revision", value: (r) => (r.row.revision ? r.row.revision.slice(0, 12) : "-") },
    { header: "u16", value: (r) => String(r.row.u16), align: "right" },
    { header: "sent", value: (r) => fixed(r.row.sentWeight, 4), align: "right" },
    ...(o.owner
      ? [
          {
            header: "owner",
            value: (r: Ranked) =>
              r.row.owner ? `${r.row.owner.status} ${fixed(r.row.owner.totalScore, 4)}` : "-",
          },
          {
            header: "Δ",
            value: (r: Ranked) => {
              const local = r.row.evaluation.totalScore;
              const remote = r.row.owner?.totalScore ?? null;
              if (local === null || remote === null) return "-";
              const d = local - remote;
              return `${d >= 0 ? "+" : ""}${d.toFixed(4)}${Math.abs(d) > 0.01 ? " !" : ""}`;
            },
            align: "right" as const,
          },
        ]
      : []),
  ];
}

function statusTone(row: LeaderboardRow): Tone | null {
  const state = rowState(row);
  if (state === "scored") return "good";
  if (state === "error" || state === "failed" || state === "invalid") return "bad";
  return state === "queued" || state === "running" ? "warn" : null;
}

/**
 * The board as text: the top rows, then `…` and the pinned rows outside the top. Without `wide` it fits
 * `width`: repo and status cut, then the least telling columns left out (and named).
 */
export function leaderboardTable(
  selection: Selection,
  o: { wide: boolean; head: number | null; owner: boolean; width: number },
): FittedTable {
  const columns = leaderboardColumns(o);
  const rows = selection.pinned.length > 0 ? [...selection.top, null, ...selection.pinned] : selection.top;
  return fitTable<Ranked | null>(
    columns.map((c) => ({
      ...c,
      value: (r: Ranked | null) => (r ? c.value(r) : c === columns[0] ? "…" : ""),
      tone: (r: Ranked | null) => (r && c.tone ? c.tone(r) : null),
    })),
    rows,
    o.wide ? {} : { width: o.width },
  );
}
