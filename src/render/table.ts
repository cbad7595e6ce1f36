import { inertCell } from "./inert.js";
import { type Tone, toned } from "./style.js";

export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => string;
  readonly align?: "left" | "right";
  /** The narrowest this column may be cut to (with an ellipsis) when the table is wider than it may be. */
  readonly shrink?: number;
  /** Left out when cutting is not enough; the highest number goes first. */
  readonly drop?: number;
  /** Colour of the cell on a terminal (see render/style). */
  readonly tone?: (row: Row) => Tone | null;
}

export interface TableOptions {
  /** The widest a line may be; cut and drop columns to fit (unlimited when absent). */
  readonly width?: number;
}

export interface FittedTable {
  readonly text: string;
  /** Headers of the columns left out to fit. */
  readonly dropped: readonly string[];
}

const GAP = 2;

/** Which columns stay and how wide each is, for a table that must fit `width`. */
function fitWidths(natural: readonly number[], columns: readonly Column<unknown>[], width: number) {
  const kept = columns.map(() => true);
  const total = (widths: readonly number[]) =>
    widths.reduce((sum, w, i) => sum + (kept[i] ? w + GAP : 0), -GAP);
  const floor = (i: number) => Math.min(natural[i] as number, columns[i]?.shrink ?? (natural[i] as number));
  for (;;) {
    if (total(natural) <= width) return { kept, widths: [...natural] };
    if (total(natural.map((_, i) => floor(i))) <= width) break;
    const next = columns
      .map((c, i) => ({ i, drop: c.drop }))
      .filter((c) => kept[c.i] && c.drop !== undefined)
      .sort((a, b) => (b.drop as number) - (a.drop as number))[0];
    if (!next) break;
    kept[next.i] = false;
  }
  // Cut the widest cuttable column one character at a time: the columns end up as even as they can be.
  const widths = [...natural];
  while (total(widths) > width) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) {
      if (
        kept[i] &&
        (widths[i] as number) > floor(i) &&
        (widest < 0 || (widths[i] as number) > (widths[widest] as number))
      )
        widest = i;
    }
    if (widest < 0) break;
    widths[widest] = (widths[widest] as number) - 1;
  }
  return { kept, widths };
}

/** A plain-text table: one header line, then one line per row, columns separated by two spaces. */
export function fitTable<Row>(
  columns: readonly Column<Row>[],
  rows: readonly Row[],
  o: TableOptions = {},
): FittedTable {
  const cells = rows.map((row) => columns.map((c) => inertCell(c.value(row))));
  const natural = columns.map((c, i) =>
    Math.max(c.header.length, ...cells.map((r) => (r[i] as string).length)),
  );
  const { kept, widths } =
    o.width === undefined
      ? { kept: columns.map(() => true), widths: natural }
      : fitWidths(natural, columns as readonly Column<unknown>[], o.width);
  const line = (values: readonly string[], row: Row | null) =>
    values
      .flatMap((v, i) => {
        if (!kept[i]) return [];
        const w = widths[i] as number;
        // Cells are inert already: this only cuts them to the column.
        const text = inertCell(v, w);
        const padded = columns[i]?.align === "right" ? text.padStart(w) : text.padEnd(w);
        const tone = row === null ? null : (columns[i]?.tone?.(row) ?? null);
        return [tone ? toned(padded, tone) : padded];
      })
      .join(" ".repeat(GAP))
      .trimEnd();
  return {
    text: [
      line(
        columns.map((c) => c.header),
        null,
      ),
      ...cells.map((c, r) => line(c, rows[r] as Row)),
    ].join("\n"),
    dropped: columns.filter((_, i) => !kept[i]).map((c) => c.header),
  };
}

export function renderTable<Row>(
  columns: readonly Column<Row>[],
  rows: readonly Row[],
  o: TableOptions = {},
): string {
  return fitTable(columns, rows, o).text;
}

/** The width tables must fit: the terminal's, but never under 80 columns; 80 when not a terminal. */
export function outputWidth(out: { isTTY?: boolean; columns?: number }): number {
  return out.isTTY && out.columns ? Math.max(80, out.columns) : 80;
}

/** "a · b · c" broken into lines of at most `width` (a part longer than that stands on its own line). */
export function joinFitting(parts: readonly string[], width: number): string {
  const lines: string[] = [];
  for (const part of parts) {
    const last = lines.at(-1);
    if (last !== undefined && `${last} · ${part}`.length <= width)
      lines[lines.length - 1] = `${last} · ${part}`;
    else lines.push(part);
  }
  return lines.join("\n");
}

/** Words wrapped to `width`; lines after the first start with `indent`. */
export function wrapText(text: string, width: number, indent = ""): string {
  const lines: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const last = lines.at(-1);
    if (last !== undefined && `${last} ${word}`.length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(last === undefined ? word : `${indent}${word}`);
  }
  return lines.join("\n");
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
