import { repoId } from "../scoring/model-id.js";
import { findProfile } from "../scoring/profile.js";
import type { Replay, ReplayRow } from "../scoring/replay.js";
import { inertCell } from "./inert.js";
import { type Column, fixed, plural, renderTable, shortHotkey } from "./table.js";

function verdict(row: ReplayRow, burnUid: number | null): string {
  // The burn uid has no model: its weight is the profile's burn share, not a miner's.
  if (row.uid === burnUid) return "burn";
  if (row.reason) return row.reason;
  if (row.status !== "COMPLETED") return (row.status ?? "").toLowerCase();
  return row.winRate === null ? "zero_score" : "";
}

/** The reason codes in words short enough for an 80-column table (`--wide` and `--json` keep the codes). */
const SHORT_REASON: Readonly<Record<string, string>> = {
  malformed_commitment: "malformed",
  hash_mismatch: "bad hash",
  before_epoch: "before epoch",
  future_block: "future block",
  not_scored: "not scored",
  no_commitment: "none",
  zero_score: "zero score",
};

/**
 * The replay as a table, heaviest weight first, with the reason of every zero. By default it fits 80
 * columns (repo cut, short reasons, uids without a commitment counted, not listed); `wide` shows it all.
 */
export function replayText(replay: Replay, digest: string, o: { wide?: boolean } = {}): string {
  const wide = o.wide ?? false;
  const burnUid = findProfile(replay.profile)?.burn?.uid ?? null;
  const sorted = [...replay.rows].sort((a, b) => b.weight - a.weight || a.uid - b.uid);
  const empty = (r: ReplayRow) => r.reason === "no_commitment" && r.weight === 0 && r.uid !== burnUid;
  const rows = wide ? sorted : sorted.filter((r) => !empty(r));
  const reason = (r: ReplayRow) => {
    const code = verdict(r, burnUid);
    return wide ? code : (SHORT_REASON[code] ?? code);
  };
  const columns: (Column<ReplayRow> | null)[] = [
    { header: "uid", value: (r) => String(r.uid), align: "right" },
    wide ? { header: "hotkey", value: (r) => shortHotkey(r.hotkey) } : null,
    {
      header: "repo",
      // Made inert before it is cut: an escape sequence counts as the characters it is shown with.
      value: (r) => (r.modelId ? (wide ? repoId(r.modelId) : inertCell(repoId(r.modelId), 19)) : "-"),
    },
    { header: "block", value: (r) => (r.block === null ? "-" : String(r.block)), align: "right" },
    {
      header: "score",
      value: (r) => (r.status === "COMPLETED" ? fixed(r.totalScore, 4) : "-"),
      align: "right",
    },
    { header: wide ? "win rate" : "win", value: (r) => fixed(r.winRate, 4), align: "right" },
    { header: "weight", value: (r) => r.weight.toFixed(6), align: "right" },
    { header: "u16", value: (r) => String(r.u16), align: "right" },
    { header: "reason", value: reason },
  ];
  const table = renderTable<ReplayRow>(
    columns.filter((c): c is Column<ReplayRow> => c !== null),
    rows,
  );
  const hidden = sorted.length - rows.length;
  const lines = [
    table,
    "",
    `profile ${replay.profile} · netuid ${replay.netuid} · block ${replay.block} · ${replay.rows.length} uids`,
    `${plural(replay.emit.uids.length, "weight")} to emit · snapshot ${digest.slice(0, 12)}`,
  ];
  if (hidden > 0) lines.push(`${plural(hidden, "uid")} without a commitment not listed (--wide lists them)`);
  lines.push(...replay.warnings.map((w) => `warning: ${w}`));
  return lines.join("\n");
}
