import { repoId } from "../scoring/model-id.js";
import { findProfile } from "../scoring/profile.js";
import type { Replay, ReplayRow } from "../scoring/replay.js";
import { fixed, renderTable, shortHotkey } from "./table.js";

function verdict(row: ReplayRow, burnUid: number | null): string {
  // The burn uid has no model: its weight is the profile's burn share, not a miner's.
  if (row.uid === burnUid) return "burn";
  if (row.reason) return row.reason;
  if (row.status !== "COMPLETED") return (row.status ?? "").toLowerCase();
  return row.winRate === null ? "zero_score" : "";
}

/** The replay as a table, heaviest weight first, with the reason of every zero. */
export function replayText(replay: Replay, digest: string): string {
  const rows = [...replay.rows].sort((a, b) => b.weight - a.weight || a.uid - b.uid);
  const burnUid = findProfile(replay.profile)?.burn?.uid ?? null;
  const table = renderTable<ReplayRow>(
    [
      { header: "uid", value: (r) => String(r.uid), align: "right" },
      { header: "hotkey", value: (r) => shortHotkey(r.hotkey) },
      { header: "repo", value: (r) => (r.modelId ? repoId(r.modelId) : "-") },
      { header: "block", value: (r) => (r.block === null ? "-" : String(r.block)), align: "right" },
      {
        header: "score",
        value: (r) => (r.status === "COMPLETED" ? fixed(r.totalScore, 4) : "-"),
        align: "right",
      },
      { header: "win rate", value: (r) => fixed(r.winRate, 4), align: "right" },
      { header: "weight", value: (r) => r.weight.toFixed(6), align: "right" },
      { header: "u16", value: (r) => String(r.u16), align: "right" },
      { header: "reason", value: (r) => verdict(r, burnUid) },
    ],
    rows,
  );
  const summary =
    `profile ${replay.profile} · netuid ${replay.netuid} · block ${replay.block} · ${replay.rows.length} uids · ` +
    `${replay.emit.uids.length} weight${replay.emit.uids.length === 1 ? "" : "s"} to emit · snapshot ${digest.slice(0, 12)}`;
  const warnings = replay.warnings.map((w) => `warning: ${w}`);
  return [table, "", summary, ...warnings].join("\n");
}
