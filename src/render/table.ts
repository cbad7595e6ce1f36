import { inertCell } from "./inert.js";

export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => string;
  readonly align?: "left" | "right";
}

/** A plain-text table: one header line, then one line per row, columns separated by two spaces. */
export function renderTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const cells = rows.map((row) => columns.map((c) => inertCell(c.value(row))));
  const widths = columns.map((c, i) =>
    Math.max(c.header.length, ...cells.map((r) => (r[i] as string).length)),
  );
  const line = (values: readonly string[]) =>
    values
      .map((v, i) =>
        columns[i]?.align === "right" ? v.padStart(widths[i] as number) : v.padEnd(widths[i] as number),
      )
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join("\n");
}

export function shortHotkey(hotkey: string): string {
  return hotkey.length <= 12 ? hotkey : `${hotkey.slice(0, 6)}…${hotkey.slice(-4)}`;
}

export function fixed(value: number | null, digits: number): string {
  return value === null ? "-" : value.toFixed(digits);
}

/** "1 evaluation", "2 evaluations". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** 45s, 9m, 2h10m, 3d4h: the size of an ETA, not a clock. */
export function shortDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.round(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, "0")}m`;
  return `${Math.floor(s / 86400)}d${Math.round((s % 86400) / 3600)}h`;
}
