import { shortDuration } from "../render/table.js";
import { formatBytes } from "./hub/prechecks.js";

/** The one progress event shape every long stage reports: text renderer, --json, Ink and the store read it. */
export interface ProgressEvent {
  readonly stage: string;
  readonly done: number;
  readonly total: number;
  readonly detail?: string;
}

export type Progress = (event: ProgressEvent) => void;

const BYTE_STAGES = new Set(["download"]);

function amount(stage: string, n: number): string {
  return BYTE_STAGES.has(stage) ? formatBytes(n) : String(Math.round(n));
}

/** One progress line: percent, counts (bytes for a download), the rate and the time left. */
export function progressLine(event: ProgressEvent, elapsedSeconds: number): string {
  if (event.total <= 0) return `${event.stage}: ${event.detail ?? "…"}`;
  const pct = Math.floor((Math.min(event.done, event.total) / event.total) * 100);
  const rate = elapsedSeconds > 0 ? event.done / elapsedSeconds : 0;
  const speed =
    rate > 0 ? ` · ${BYTE_STAGES.has(event.stage) ? `${formatBytes(rate)}/s` : `${rate.toFixed(1)}/s`}` : "";
  const left =
    rate > 0 && event.done < event.total ? ` · ${shortDuration((event.total - event.done) / rate)} left` : "";
  const counts = `${amount(event.stage, event.done)}/${amount(event.stage, event.total)}`;
  return `${event.stage}: ${pct}% ${counts}${speed}${left}${event.detail ? ` ${event.detail}` : ""}`;
}

/**
 * Progress on stderr as `sn11 score` and `sn11 validate` show it: one rewritten line per stage on a TTY
 * (cleared and cut to the terminal's width, so it never smears), one JSON object per event with `json`,
 * nothing otherwise. A stage that is complete at its first event had nothing to do (a cached download)
 * and is not shown.
 */
export function progressPrinter(
  mode: "auto" | "json" | "none",
  stderr: { write(s: string): unknown; isTTY?: boolean; columns?: number },
  now: () => number = Date.now,
): Progress {
  let last = "";
  const started = new Map<string, number>();
  return (event) => {
    if (mode === "none" || (mode === "auto" && !stderr.isTTY)) return;
    if (mode === "json") {
      stderr.write(`${JSON.stringify(event)}\n`);
      return;
    }
    const counted = event.total > 0;
    const finished = counted && event.done >= event.total;
    const t = now();
    if (!started.has(event.stage)) {
      started.set(event.stage, t);
      if (finished) return;
    }
    const line = progressLine(event, (t - (started.get(event.stage) as number)) / 1000);
    const width = Math.max(20, (stderr.columns ?? 80) - 1);
    const cut = line.length > width ? `${line.slice(0, width - 1)}…` : line;
    if (cut !== last) stderr.write(`\r\x1b[K${cut}${finished ? "\n" : ""}`);
    last = cut;
  };
}

/** One progress stream told to several listeners (the log and a display). */
export function fanOut(...listeners: readonly (Progress | undefined)[]): Progress {
  const present = listeners.filter((l): l is Progress => l !== undefined);
  return (event) => {
    for (const listener of present) listener(event);
  };
}
