import { SORT_KEYS, type SortKey } from "../leaderboard/select.js";
import type { DashboardView } from "./data.js";

export const PANES: Readonly<Record<DashboardView, readonly Pane[]>> = {
  validator: ["queue", "board", "steps", "runs", "log"],
  miner: ["mine", "board", "runs", "log"],
};
export type Pane = "queue" | "board" | "steps" | "runs" | "log" | "mine";

export interface UiState {
  readonly view: DashboardView;
  readonly pane: number;
  /** The selected line of each pane, kept when switching panes or closing the detail. */
  readonly selection: Readonly<Partial<Record<Pane, number>>>;
  readonly overlay: "detail" | "help" | null;
  readonly filter: string;
  /** Typing a filter after `/`: keys are text until Enter or Esc. */
  readonly editing: boolean;
  readonly sort: SortKey | null;
  /** `m` asked to jump to my hotkey's row on the board. */
  readonly jumpToMine: boolean;
  readonly refreshNow: boolean;
  readonly quit: boolean;
}

/** A key as Ink reports it, reduced to what the dashboard needs; printable input is one character. */
export type Key =
  | { readonly kind: "char"; readonly char: string }
  | {
      readonly kind:
        | "up"
        | "down"
        | "pageUp"
        | "pageDown"
        | "home"
        | "end"
        | "tab"
        | "shiftTab"
        | "enter"
        | "escape"
        | "backspace"
        | "ctrlC";
    };

export function initialUi(view: DashboardView): UiState {
  return {
    view,
    pane: 0,
    selection: {},
    overlay: null,
    filter: "",
    editing: false,
    sort: null,
    jumpToMine: false,
    refreshNow: false,
    quit: false,
  };
}

export const paneOf = (ui: UiState): Pane => PANES[ui.view][ui.pane] as Pane;

const PAGE = 10;

/** The dashboard's keyboard as a pure function; `lengths` are the lines each pane has now (for bounds). */
export function reduceKey(ui: UiState, key: Key, lengths: Readonly<Partial<Record<Pane, number>>>): UiState {
  const base = { ...ui, jumpToMine: false, refreshNow: false };
  if (key.kind === "ctrlC") return { ...base, quit: true };
  if (ui.editing) {
    if (key.kind === "enter") return { ...base, editing: false };
    if (key.kind === "escape") return { ...base, editing: false, filter: "" };
    if (key.kind === "backspace") return { ...base, filter: ui.filter.slice(0, -1) };
    if (key.kind === "char")
      return { ...base, filter: ui.filter + key.char, selection: { ...ui.selection, [paneOf(ui)]: 0 } };
    return base;
  }
  if (ui.overlay) {
    if (key.kind === "char" && key.char === "q") return { ...base, quit: true };
    const closes = key.kind === "escape" || (key.kind === "char" && key.char === "?");
    return closes ? { ...base, overlay: null } : base;
  }
  const panes = PANES[ui.view];
  const pane = paneOf(ui);
  const length = lengths[pane] ?? 0;
  const selected = Math.min(ui.selection[pane] ?? 0, Math.max(0, length - 1));
  const select = (n: number) => ({
    ...base,
    selection: { ...ui.selection, [pane]: Math.max(0, Math.min(n, Math.max(0, length - 1))) },
  });
  switch (key.kind) {
    case "up":
      return select(selected - 1);
    case "down":
      return select(selected + 1);
    case "pageUp":
      return select(selected - PAGE);
    case "pageDown":
      return select(selected + PAGE);
    case "home":
      return select(0);
    case "end":
      return select(length - 1);
    case "tab":
      return { ...base, pane: (ui.pane + 1) % panes.length };
    case "shiftTab":
      return { ...base, pane: (ui.pane + panes.length - 1) % panes.length };
    case "enter":
      return length > 0 && (pane === "board" || pane === "queue" || pane === "mine")
        ? { ...base, overlay: "detail" }
        : base;
    case "escape":
      return ui.filter ? { ...base, filter: "" } : base;
    case "backspace":
      return base;
    case "char":
      return charKey(base, key.char, selected, length, select);
  }
}

function charKey(
  ui: UiState,
  char: string,
  selected: number,
  length: number,
  select: (n: number) => UiState,
): UiState {
  const panes = PANES[ui.view];
  const n = Number(char);
  if (Number.isInteger(n) && n >= 1 && n <= panes.length) return { ...ui, pane: n - 1 };
  switch (char) {
    case "j":
      return select(selected + 1);
    case "k":
      return select(selected - 1);
    case "g":
      return select(0);
    case "G":
      return select(length - 1);
    case "/":
      return { ...ui, editing: true, filter: "" };
    case "s": {
      const next = SORT_KEYS[(SORT_KEYS.indexOf(ui.sort ?? "weight") + 1) % SORT_KEYS.length] as SortKey;
      return { ...ui, sort: next };
    }
    case "m": {
      const board = panes.indexOf("board");
      return { ...ui, pane: board, jumpToMine: true };
    }
    case "r":
      return { ...ui, refreshNow: true };
    case "?":
      return { ...ui, overlay: "help" };
    case "q":
      return { ...ui, quit: true };
    default:
      return ui;
  }
}

/** Ink's (input, key) pair as keys: printable input that arrived in one chunk is one key per character. */
export function keysFromInk(
  input: string,
  k: {
    upArrow?: boolean;
    downArrow?: boolean;
    pageUp?: boolean;
    pageDown?: boolean;
    home?: boolean;
    end?: boolean;
    tab?: boolean;
    shift?: boolean;
    return?: boolean;
    escape?: boolean;
    backspace?: boolean;
    delete?: boolean;
    ctrl?: boolean;
  },
): Key[] {
  if (k.ctrl && input === "c") return [{ kind: "ctrlC" }];
  if (k.upArrow) return [{ kind: "up" }];
  if (k.downArrow) return [{ kind: "down" }];
  if (k.pageUp) return [{ kind: "pageUp" }];
  if (k.pageDown) return [{ kind: "pageDown" }];
  if (k.home) return [{ kind: "home" }];
  if (k.end) return [{ kind: "end" }];
  if (k.tab) return [{ kind: k.shift ? "shiftTab" : "tab" }];
  if (k.return) return [{ kind: "enter" }];
  if (k.escape) return [{ kind: "escape" }];
  if (k.backspace || k.delete) return [{ kind: "backspace" }];
  if (k.ctrl) return [];
  return [...input].map((char) => ({ kind: "char", char }));
}
