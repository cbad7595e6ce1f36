/** The one progress event shape every long stage reports: text renderer, --json, Ink and the store read it. */
export interface ProgressEvent {
  readonly stage: string;
  readonly done: number;
  readonly total: number;
  readonly detail?: string;
}

export type Progress = (event: ProgressEvent) => void;

/**
 * Progress on stderr as `sn11 score` and `sn11 validate` show it: one rewritten line per stage on a TTY,
 * one JSON object per event with `json`, nothing otherwise. A stage without a known total (an engine
 * loading) shows its detail only.
 */
export function progressPrinter(
  mode: "auto" | "json" | "none",
  stderr: { write(s: string): unknown; isTTY?: boolean },
): Progress {
  let last = "";
  return (event) => {
    if (mode === "none" || (mode === "auto" && !stderr.isTTY)) return;
    if (mode === "json") {
      stderr.write(`${JSON.stringify(event)}\n`);
      return;
    }
    const counted = event.total > 0;
    const line = counted
      ? `${event.stage}: ${event.done}/${event.total}${event.detail ? ` ${event.detail}` : ""}`
      : `${event.stage}: ${event.detail ?? "…"}`;
    const finished = counted && event.done >= event.total;
    if (line !== last) stderr.write(`\r${line.padEnd(60)}${finished ? "\n" : ""}`);
    last = line;
  };
}

/** One progress stream told to several listeners (the log and a display). */
export function fanOut(...listeners: readonly (Progress | undefined)[]): Progress {
  const present = listeners.filter((l): l is Progress => l !== undefined);
  return (event) => {
    for (const listener of present) listener(event);
  };
}
