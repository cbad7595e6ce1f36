import { Box, Text, useApp, useFocusManager, useInput, useStdout } from "ink";
import { useEffect, useRef, useState, useSyncExternalStore } from "react";
import { inertCell } from "../render/inert.js";
import { shortDuration } from "../render/table.js";
import type { DashboardData, JudgeExample } from "./data.js";
import { initialUi, keysFromInk, PANES, type Pane, paneOf, reduceKey, type UiState } from "./keys.js";
import { boardItems, detailLines, HELP_LINES, type PaneLines, paneLines, queueItems } from "./lines.js";

export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;

const PANE_NAMES: Readonly<Record<Pane, string>> = {
  queue: "Queue",
  board: "Board",
  steps: "Steps",
  runs: "Runs",
  log: "Log",
  mine: "Mine",
};

/** Fits a line to the width: one terminal line, never a raw control character. */
const fitLine = (line: string, width: number) => {
  const clean = inertCell(line, 4000);
  return clean.length <= width ? clean : `${clean.slice(0, Math.max(0, width - 1))}…`;
};

/** A countdown that re-renders only itself, once a second. */
function Countdown({ to, now }: { to: string | null; now: () => number }) {
  const [t, setT] = useState(now());
  useEffect(() => {
    const timer = setInterval(() => setT(now()), 1000);
    return () => clearInterval(timer);
  }, [now]);
  if (!to) return <Text dimColor>no step scheduled</Text>;
  const seconds = (Date.parse(to) - t) / 1000;
  return <Text>next step {seconds <= 0 ? "now" : shortDuration(seconds)}</Text>;
}

function Header({ data, width, now }: { data: DashboardData; width: number; now: () => number }) {
  const d = data.daemon;
  const daemon =
    d.state === "running"
      ? `● daemon ${d.pid} hb ${d.heartbeatAgeSeconds}s`
      : d.state === "stopped"
        ? "○ daemon stopped"
        : d.state === "stale"
          ? `◌ daemon stale (${d.pid}, hb ${shortDuration(d.heartbeatAgeSeconds ?? 0)} ago)`
          : "no daemon here";
  const w = data.view === "validator" ? data.weightsFree : null;
  const weights = w ? (w.blocksLeft > 0 ? ` · weights free in ${w.blocksLeft} blk` : " · weights free") : "";
  const left = fitLine(
    ` sn11 · ${data.network}/${data.netuid} · ${data.block === null ? "no chain state" : `block ${data.block}`}${weights} · ${daemon} · `,
    Math.max(0, width - 24),
  );
  return (
    <Box width={width}>
      <Text bold>{left}</Text>
      <Countdown to={data.daemon.state === "running" ? data.daemon.nextStepAt : null} now={now} />
    </Box>
  );
}

/** The pane's visible lines: a window around the selection that fits `height`. */
export function visibleWindow(
  count: number,
  selected: number,
  height: number,
): { start: number; end: number } {
  const h = Math.max(1, height);
  const start = Math.min(Math.max(0, selected - h + 1), Math.max(0, count - h));
  return { start, end: Math.min(count, start + h) };
}

function PaneBox({
  lines,
  selected,
  width,
  height,
  focusLine,
}: {
  lines: PaneLines;
  selected: number;
  width: number;
  height: number;
  focusLine: boolean;
}) {
  const inner = width - 2;
  const bodyHeight = height - 2 - 1 - (lines.header ? 1 : 0);
  const { start, end } = visibleWindow(lines.items.length, selected, bodyHeight);
  return (
    <Box flexDirection="column" borderStyle="single" width={width} height={height}>
      <Text bold>{fitLine(lines.title, inner)}</Text>
      {lines.header ? <Text dimColor>{fitLine(lines.header, inner)}</Text> : null}
      {lines.items.length === 0 ? <Text dimColor>(nothing here)</Text> : null}
      {lines.items.slice(start, end).map((line, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a pane's lines are positions on the screen, not entities
        <Text key={start + i} inverse={focusLine && start + i === selected}>
          {fitLine(line, inner)}
        </Text>
      ))}
    </Box>
  );
}

function lengthsOf(data: DashboardData, ui: UiState): Partial<Record<Pane, number>> {
  return Object.fromEntries(
    PANES[ui.view].map((p) => [
      p,
      p === "board" ? boardItems(data, ui).length : paneLines(p, data, ui, 120).items.length,
    ]),
  );
}

export interface ScreenProps {
  readonly data: DashboardData;
  /** A run's first judged samples, for the detail view. */
  readonly examples?: (runId: number) => readonly JudgeExample[];
  readonly ui: UiState;
  readonly columns: number;
  readonly rows: number;
  readonly now: () => number;
}

/** The whole frame as a pure function of the data, the UI state and the terminal's size. */
export function Screen({ data, ui, columns, rows, now, examples }: ScreenProps) {
  if (columns < MIN_COLUMNS || rows < MIN_ROWS) {
    return (
      <Text>
        {fitLine(
          `terminal too small (${MIN_COLUMNS}×${MIN_ROWS} needed, this one is ${columns}×${rows})`,
          columns,
        )}
      </Text>
    );
  }
  // One line short of the screen: Ink redraws in place instead of clearing the terminal.
  const height = rows - 1;
  const pane = paneOf(ui);
  const panes = PANES[ui.view];
  const tabs = panes.map((p, i) => `${i + 1} ${PANE_NAMES[p]}`);
  const selected = ui.selection[pane] ?? 0;
  const content: PaneLines =
    ui.overlay === "help"
      ? { title: "Keys (Esc closes)", header: null, items: HELP_LINES }
      : ui.overlay === "detail"
        ? {
            title: "Detail (Esc back)",
            header: null,
            items: detailLines(
              pane === "queue"
                ? data.board.find((b) => b.row.uid === queueItems(data, ui.filter)[selected]?.uid)
                : pane === "mine"
                  ? data.board.find((b) => b.row.hotkey === data.mine?.hotkey)
                  : boardItems(data, ui)[selected],
              data,
              examples,
            ).flatMap((l) => wrap(l, columns - 2)),
          }
        : paneLines(pane, data, ui, columns);
  const footer = ui.editing
    ? `filter: ${ui.filter}▏ (Enter keeps, Esc clears)`
    : `tab pane · ↑↓ move · enter detail · / filter${ui.filter ? ` [${ui.filter}]` : ""} · s sort · m mine · ? help · q quit`;
  return (
    <Box flexDirection="column" width={columns} height={height}>
      <Header data={data} width={columns} now={now} />
      <Box width={columns}>
        {tabs.map((t, i) => (
          <Text key={t} inverse={i === ui.pane}>
            {` ${t} `}
          </Text>
        ))}
        <Text dimColor>
          {fitLine(
            `  ${data.view} view · ${data.chainError ?? data.boardSource}`,
            Math.max(0, columns - tabs.join("   ").length - 6),
          )}
        </Text>
      </Box>
      <PaneBox
        lines={content}
        selected={ui.overlay ? -1 : selected}
        width={columns}
        height={height - 3}
        focusLine={!ui.overlay}
      />
      <Text dimColor>{fitLine(footer, columns)}</Text>
    </Box>
  );
}

function wrap(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const out: string[] = [];
  for (let i = 0; i < line.length; i += width) out.push(line.slice(i, i + width));
  return out;
}

export interface AppProps {
  readonly subscribe: (listener: () => void) => () => void;
  readonly getData: () => DashboardData;
  readonly refresh: () => void;
  readonly examples?: (runId: number) => readonly JudgeExample[];
  readonly now?: () => number;
}

/** The live dashboard: data from the source, keys through the pure reducer, the frame from Screen. */
export function DashboardApp({ subscribe, getData, refresh, examples, now = Date.now }: AppProps) {
  const data = useSyncExternalStore(subscribe, getData);
  const [ui, setUi] = useState(() => initialUi(data.view));
  const { exit } = useApp();
  const { stdout } = useStdout();
  const { disableFocus } = useFocusManager();
  const [size, setSize] = useState({ columns: stdout.columns ?? 80, rows: stdout.rows ?? 24 });
  useEffect(() => {
    // Ink's focus manager would take Tab and Esc: the reducer owns focus.
    disableFocus();
    const onResize = () => setSize({ columns: stdout.columns ?? 80, rows: stdout.rows ?? 24 });
    stdout.on("resize", onResize);
    return () => {
      stdout.off("resize", onResize);
    };
  }, [stdout, disableFocus]);
  // Keys can arrive faster than React renders: each one reduces the latest state, not the rendered one.
  const latest = useRef(ui);
  useInput((input, key) => {
    let next = latest.current;
    for (const k of keysFromInk(input, key)) next = reduceKey(next, k, lengthsOf(data, next));
    if (next.jumpToMine && data.mine) {
      const index = boardItems(data, next).findIndex((b) => b.row.hotkey === data.mine?.hotkey);
      if (index >= 0) next = { ...next, selection: { ...next.selection, board: index } };
    }
    if (next.refreshNow) refresh();
    latest.current = next;
    setUi(next);
    if (next.quit) exit();
  });
  return <Screen data={data} ui={ui} columns={size.columns} rows={size.rows} now={now} examples={examples} />;
}
