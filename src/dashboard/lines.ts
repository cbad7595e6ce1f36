import type { ProgressEvent } from "../eval/progress.js";
import { compareRows, rowState } from "../leaderboard/select.js";
import { inertCell, inertText } from "../render/inert.js";
import { immunityCell, statusCell } from "../render/leaderboard.js";
import { type Column, fixed, renderTable, shortDuration, shortHotkey } from "../render/table.js";
import { CRITERIA, OUTCOMES } from "../scoring/judge-score.js";
import type { BoardItem, DashboardData, JudgeExample, QueueItem, RunItem } from "./data.js";
import type { Pane, UiState } from "./keys.js";

/** One pane's content: a header line (column names) and one line per selectable item. */
export interface PaneLines {
  readonly title: string;
  readonly header: string | null;
  readonly items: readonly string[];
}

/** A progress bar of `width` cells with eighths, as `▕████▌   ▏`. */
export function bar(done: number, total: number, width = 10): string {
  if (total <= 0) return `▕${" ".repeat(width)}▏`;
  const eighths = Math.round(Math.min(1, Math.max(0, done / total)) * width * 8);
  const full = Math.floor(eighths / 8);
  const part = eighths % 8;
  const partial = part ? (" ▏▎▍▌▋▊▉"[part] as string) : "";
  return `▕${"█".repeat(full)}${partial}${" ".repeat(width - full - (part ? 1 : 0))}▏`;
}

const matches = (filter: string, ...fields: (string | null | undefined)[]) =>
  !filter || fields.some((f) => f?.toLowerCase().includes(filter.toLowerCase()));

function progressCell(p: ProgressEvent | null): string {
  if (!p) return "";
  if (p.total <= 0) return `${p.stage} ${p.detail ?? "…"}`;
  return `${p.stage.padEnd(9)}${bar(p.done, p.total)} ${Math.round(p.done)}/${Math.round(p.total)}`;
}

export function queueItems(data: DashboardData, filter: string): QueueItem[] {
  return data.queue.filter((q) => matches(filter, q.repo, String(q.uid)));
}

function queueLine(q: QueueItem): string {
  const uid = String(q.uid).padStart(4);
  const repo = inertCell(q.repo, 28).padEnd(28);
  switch (q.status) {
    case "RUNNING":
      return `${uid} ${repo} ${progressCell(q.progress) || "running"}`;
    case "QUEUED":
      return `${uid} ${repo} queued #${q.position ?? "?"}${q.etaSeconds === null ? "" : `  ~${shortDuration(q.etaSeconds)}`}`;
    default: {
      const retry = q.nextAttemptAt ? ` ↻${q.nextAttemptAt.slice(11, 16)}` : "";
      return `${uid} ${repo} error${retry} ${inertCell(q.lastError ?? "", 40)} (attempt ${q.attempts})`;
    }
  }
}

/** The board in the UI's sort, filtered; ranks are the positions in that order. */
export function boardItems(data: DashboardData, ui: UiState): BoardItem[] {
  const sorted = ui.sort
    ? [...data.board]
        .sort((a, b) => compareRows(ui.sort ?? "weight")(a.row, b.row))
        .map((b, i) => ({ ...b, rank: i + 1 }))
    : data.board;
  // Uids without a commitment and without weight are noise on a screen; a filter can still find them.
  return sorted.filter((b) =>
    ui.filter ? matches(ui.filter, b.row.repo, b.row.hotkey, String(b.row.uid)) : !emptyRow(b),
  );
}

const emptyRow = (b: BoardItem) => rowState(b.row) === "none" && b.row.weight === 0;

function boardTable(items: readonly BoardItem[], width: number, head: number | null) {
  const wide = width >= 120;
  const repoWidth = wide || width >= 100 ? 28 : 20;
  const columns: Column<BoardItem>[] = [
    { header: "#", value: (b) => String(b.rank), align: "right" },
    { header: "uid", value: (b) => (b.row.burn ? `${b.row.uid} burn` : String(b.row.uid)), align: "right" },
    { header: "repo", value: (b) => (b.row.repo ? inertCell(b.row.repo, repoWidth) : "—") },
    { header: "status", value: (b) => inertCell(statusCell(b.row), wide ? 28 : 18) },
    { header: "score", value: (b) => fixed(b.row.evaluation.totalScore, 4), align: "right" },
    { header: "weight", value: (b) => fixed(b.row.weight, 4), align: "right" },
    { header: "incent", value: (b) => fixed(b.row.chain?.incentive ?? null, 4), align: "right" },
    {
      header: "imm",
      value: (b) => immunityCell(b.row, head),
    },
  ];
  const extra: Column<BoardItem>[] = wide
    ? [
        { header: "hotkey", value: (b) => shortHotkey(b.row.hotkey) },
        { header: "win", value: (b) => fixed(b.row.winRate, 4), align: "right" },
        { header: "α/day", value: (b) => fixed(b.row.chain?.emissionPerDay ?? null, 2), align: "right" },
      ]
    : [];
  const [header, ...rows] = renderTable([...columns, ...extra], items).split("\n");
  return { header: header ?? "", rows: items.length ? rows : [] };
}

export function runItems(data: DashboardData, filter: string): RunItem[] {
  return data.runs.filter((r) => matches(filter, r.repo));
}

function runLine(r: RunItem): string {
  const name = inertCell(`${r.repo}@${r.revision.slice(0, 7)}`, 30).padEnd(30);
  // Sample rows appear as they are generated: a running run has no total in the store yet.
  const counts = `gen ${r.generated} · judged ${r.judged}`;
  const result = r.status === "COMPLETED" ? `win ${fixed(r.winRate, 4)}` : r.status.toLowerCase();
  return `#${String(r.id).padEnd(4)} ${name} ${counts.padEnd(20)} $${r.costUsd.toFixed(2).padStart(6)} ${result}`;
}

function mineLines(data: DashboardData): string[] {
  if (!data.mine) return ["no hotkey: pass --hotkey SS58 or point --wallet.* at a wallet"];
  const item = data.board.find((b) => b.row.hotkey === data.mine?.hotkey);
  if (!item)
    return [`${data.mine.hotkey} is not registered on netuid ${data.netuid} (at ${data.boardSource})`];
  const r = item.row;
  const c = r.chain;
  const left = c?.immunityEndsAt != null && data.block !== null ? c.immunityEndsAt - data.block : null;
  return [
    `uid ${r.uid} · rank ${item.rank} of ${data.board.length} · ${inertText(r.repo ?? "no commitment")}`,
    `verdict: ${statusCell(r)} (this data dir's view)`,
    `score ${fixed(r.evaluation.totalScore, 4)} · win ${fixed(r.winRate, 4)} · weight ${fixed(r.weight, 4)}`,
    c
      ? `chain: incentive ${fixed(c.incentive, 4)} · consensus ${fixed(c.consensus, 4)} · α/day ${fixed(c.emissionPerDay, 2)} (est)`
      : "chain: not read (offline)",
    c
      ? `immunity: ${left !== null && left > 0 ? `${left} blocks (~${shortDuration(left * 12)})` : "none"}${c.pruneNext ? " · ⚠ next to be pruned" : ""}`
      : "immunity: unknown offline",
    ...(r.evaluation.queue?.position
      ? [
          `queue: #${r.evaluation.queue.position}${r.evaluation.queue.etaSeconds !== null ? ` ~${shortDuration(r.evaluation.queue.etaSeconds)}` : ""}`,
        ]
      : []),
  ];
}

function stepLine(
  s: DashboardData["steps"][number],
  reveal: DashboardData["reveals"][number] | undefined,
): string {
  const time = (s.finishedAt ?? s.startedAt).slice(11, 16);
  const tx = s.txHash ? `${s.txHash.slice(0, 8)}…` : "";
  const revealed = reveal
    ? `reveal ${reveal.status}${reveal.revealBlock ? ` at ${reveal.revealBlock}` : ""}`
    : "";
  const agree = s.agreement?.computed ?? s.agreement?.chain;
  const what = [
    s.block ?? "",
    tx,
    s.emitted !== null ? `${s.emitted} uids` : "",
    agree === null || agree === undefined ? "" : `agree ${agree.toFixed(2)}`,
    revealed,
    s.reason ?? "",
  ];
  return `#${String(s.id).padEnd(4)} ${time} ${s.outcome.padEnd(11)} ${inertCell(what.filter(Boolean).join(" "), 80)}`;
}

/** The lines of one pane at a width (for the column choice), given the UI's filter and sort. */
export function paneLines(pane: Pane, data: DashboardData, ui: UiState, width: number): PaneLines {
  switch (pane) {
    case "queue": {
      const items = queueItems(data, ui.filter);
      const running = items.filter((q) => q.status === "RUNNING").length;
      const queued = items.filter((q) => q.status === "QUEUED").length;
      const errors = items.length - running - queued;
      return {
        title: `Queue (${running} running · ${queued} queued · ${errors} error)`,
        header: null,
        items: items.map(queueLine),
      };
    }
    case "board": {
      const items = boardItems(data, ui);
      const t = boardTable(items, width, data.block);
      return {
        title: `Board (${data.boardSource}${data.block !== null ? ` · block ${data.block}` : ""} · sort ${ui.sort ?? "default"}${ui.filter ? "" : ` · ${data.board.filter(emptyRow).length} uids without a commitment hidden`})`,
        header: t.header,
        items: t.rows,
      };
    }
    case "steps": {
      // The newest step that could tell its agreement with consensus (sn11 consensus explains it).
      const last = data.steps.find((s) => s.agreement);
      const agree = last?.agreement?.computed ?? last?.agreement?.chain;
      const title =
        last && agree !== null && agree !== undefined
          ? `Steps (agreement with consensus ${agree.toFixed(2)} at step #${last.id})`
          : "Steps";
      return { title, header: null, items: data.steps.map((s) => stepLine(s, data.reveals[s.id])) };
    }
    case "runs": {
      const items = runItems(data, ui.filter);
      const cost = items.reduce((sum, r) => sum + r.costUsd, 0);
      return {
        title: `Runs and judge · $${cost.toFixed(2)} in the last ${items.length}`,
        header: null,
        items: items.map(runLine),
      };
    }
    case "log":
      return { title: "Log / errors", header: null, items: data.log.map((l) => inertCell(l, 200)) };
    case "mine":
      return { title: "My entry", header: null, items: mineLines(data) };
  }
}

/** The selected model's detail: everything known about it, the full commitment and the score card. */
export function detailLines(
  item: BoardItem | undefined,
  data: DashboardData,
  examples?: (runId: number) => readonly JudgeExample[],
): string[] {
  if (!item) return ["nothing selected"];
  const r = item.row;
  const q = r.evaluation.queue;
  const c = r.chain;
  const run = data.runs.find((x) => x.repo === r.repo && x.status === "COMPLETED" && x.tally);
  const lines = [
    `uid ${r.uid} · hotkey ${r.hotkey}`,
    `commitment: ${item.commitment === null ? "none" : inertText(item.commitment)}`,
    `entry hash ${r.entryHash ?? "-"} · model hash ${r.modelHash ?? "-"} · revision ${r.revision ?? "-"}`,
    `registry: ${r.registry.valid ? "valid" : `${r.registry.reason}`}${r.registry.detail ? ` — ${inertText(r.registry.detail)}` : ""}`,
    `evaluation: ${r.evaluation.status ?? "none"} ${fixed(r.evaluation.totalScore, 4)} (${r.evaluation.source}${r.evaluation.updatedAt ? `, ${r.evaluation.updatedAt}` : ""})${r.evaluation.reason ? ` — ${inertText(r.evaluation.reason)}` : ""}`,
    q
      ? `queue: ${q.state}${q.position ? ` #${q.position}` : ""}${q.etaSeconds !== null ? ` ~${shortDuration(q.etaSeconds)}` : ""} · attempts ${q.attempts}${q.lastError ? ` · last error: ${inertText(q.lastError)}` : ""}`
      : "queue: no job",
    `weight ${fixed(r.weight, 6)} · u16 ${r.u16} · win rate ${fixed(r.winRate, 4)} · last sent ${fixed(r.sentWeight, 6)}`,
    c
      ? `chain: incentive ${fixed(c.incentive, 4)} · consensus ${fixed(c.consensus, 4)} · dividends ${fixed(c.dividends, 4)} · α/day ${fixed(c.emissionPerDay, 2)} (est) · registered ${c.registeredAt ?? "-"} · ${c.immune ? `immune until ${c.immunityEndsAt}` : "not immune"}${c.pruneNext ? " · ⚠ next to be pruned" : ""}`
      : "chain: not read",
  ];
  if (run?.tally) {
    lines.push(
      "",
      `score card: run #${run.id} ${run.repo}@${run.revision.slice(0, 12)} · win ${fixed(run.winRate, 4)} · total ${fixed(run.totalScore, 4)} · judge $${run.costUsd.toFixed(2)}`,
      `${"criterion".padEnd(14)}${OUTCOMES.map((o) => o.padStart(11)).join("")}`,
      ...CRITERIA.map(
        (crit) =>
          `${crit.padEnd(14)}${OUTCOMES.map((o) => String(run.tally?.[crit]?.[o] ?? 0).padStart(11)).join("")}`,
      ),
    );
    const shown = examples?.(run.id) ?? [];
    if (shown.length > 0) {
      lines.push("", "judge examples:");
      for (const e of shown) {
        const verdict =
          e.verdict === null
            ? "not judged"
            : typeof e.verdict === "string"
              ? e.verdict
              : CRITERIA.map(
                  (c) =>
                    `${c} ${(e.verdict as Record<string, string>)[`${c}_win`] ?? (e.verdict as Record<string, string>)[c] ?? "?"}`,
                ).join(", ");
        lines.push(
          `  #${e.idx} ${inertCell(e.generation ?? "(no generation)", 90)}`,
          `      judge: ${inertCell(verdict, 100)}`,
        );
      }
    }
  } else {
    lines.push("", "score card: no finished local run of this repo in this data dir");
  }
  return lines;
}

export const HELP_LINES = [
  "Tab / Shift-Tab, 1–5   next / previous / n-th pane",
  "↑ ↓ / j k              move the selection",
  "PgUp PgDn, Home End    page, first, last (g G)",
  "Enter                  the selected model's detail (board, queue, mine)",
  "Esc                    back; clears the filter",
  "/ text Enter           filter by repo, hotkey or uid",
  "s                      cycle the board's sort",
  "m                      my hotkey's row on the board",
  "r                      refresh now",
  "?                      this help",
  "q / Ctrl-C             quit",
];
