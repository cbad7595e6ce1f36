import { describe, expect, it } from "vitest";
import { visibleWindow } from "../../src/dashboard/app.js";
import { daemonStatus, logLines, type QueueItem } from "../../src/dashboard/data.js";
import {
  initialUi,
  type Key,
  keysFromInk,
  paneOf,
  reduceKey,
  type UiState,
} from "../../src/dashboard/keys.js";
import { bar, paneLines } from "../../src/dashboard/lines.js";
import { storeProgress } from "../../src/store/job-progress.js";
import type { StepRecord } from "../../src/store/validator-steps.js";

const LENGTHS = { queue: 3, board: 30, steps: 5, runs: 0, log: 2, mine: 4 };
const press = (ui: UiState, ...keys: Key[]) => keys.reduce((s, k) => reduceKey(s, k, LENGTHS), ui);
const k = (kind: Exclude<Key["kind"], "char">): Key => ({ kind }) as Key;
const c = (char: string): Key => ({ kind: "char", char });

describe("the dashboard's keys: a pure reducer", () => {
  const start = initialUi("validator");
  it.each<[string, Key[], Partial<UiState> & { paneName?: string; selected?: number }]>([
    ["Tab moves to the next pane", [k("tab")], { paneName: "board" }],
    ["Shift-Tab from the first wraps to the last", [k("shiftTab")], { paneName: "log" }],
    ["a digit picks the n-th pane", [c("3")], { paneName: "steps" }],
    ["a digit past the panes does nothing", [c("9")], { paneName: "queue" }],
    ["Down and j move; Up and k move back", [c("2"), k("down"), c("j"), c("j"), k("up")], { selected: 2 }],
    ["moves stop at the ends", [k("up"), k("up")], { selected: 0 }],
    ["End and G go to the last line, Home and g to the first", [c("2"), k("end")], { selected: 29 }],
    [
      "PgDn pages, bounded",
      [c("2"), k("pageDown"), k("pageDown"), k("pageDown"), k("pageDown")],
      { selected: 29 },
    ],
    ["g goes to the first", [c("2"), c("G"), c("g")], { selected: 0 }],
    [
      "Enter on the board opens the detail; Esc closes it, keeping the selection",
      [c("2"), k("down"), k("enter"), k("escape")],
      { overlay: null, selected: 1 },
    ],
    ["Enter opens the detail", [c("2"), k("enter")], { overlay: "detail" }],
    ["Enter on an empty pane does nothing", [c("4"), k("enter")], { overlay: null }],
    ["? opens the help, ? closes it", [c("?"), c("?")], { overlay: null }],
    [
      "/ starts a filter; text is typed, not obeyed",
      [c("/"), c("q"), c("w"), c("e")],
      { filter: "qwe", editing: true, quit: false },
    ],
    [
      "Backspace edits the filter; Enter keeps it",
      [c("/"), c("a"), c("b"), k("backspace"), k("enter")],
      { filter: "a", editing: false },
    ],
    ["Esc while typing clears the filter", [c("/"), c("a"), k("escape")], { filter: "", editing: false }],
    ["Esc clears a kept filter", [c("/"), c("a"), k("enter"), k("escape")], { filter: "" }],
    ["s cycles the sort", [c("s"), c("s")], { sort: "emission" }],
    ["m jumps to the board for my row", [c("m")], { paneName: "board", jumpToMine: true }],
    ["r asks for a refresh", [c("r")], { refreshNow: true }],
    ["q quits", [c("q")], { quit: true }],
    ["q quits from the detail too", [c("2"), k("enter"), c("q")], { quit: true }],
    ["Ctrl-C quits while typing", [c("/"), k("ctrlC")], { quit: true }],
  ])("%s", (_name, keys, expected) => {
    const ui = press(start, ...keys);
    const { paneName, selected, ...rest } = expected;
    if (paneName) expect(paneOf(ui)).toBe(paneName);
    if (selected !== undefined) expect(ui.selection[paneOf(ui)] ?? 0).toBe(selected);
    expect(ui).toMatchObject(rest);
  });

  it("the miner view has its own panes", () => {
    const miner = initialUi("miner");
    expect(paneOf(miner)).toBe("mine");
    expect(paneOf(press(miner, c("2")))).toBe("board");
    expect(paneOf(press(miner, c("5")))).toBe("mine");
  });

  it("printable input that arrives in one chunk is one key per character (tmux send-keys jjj)", () => {
    expect(keysFromInk("jjj", {})).toEqual([c("j"), c("j"), c("j")]);
    expect(keysFromInk("", { downArrow: true })).toEqual([k("down")]);
    expect(keysFromInk("", { tab: true, shift: true })).toEqual([k("shiftTab")]);
    expect(keysFromInk("c", { ctrl: true })).toEqual([k("ctrlC")]);
    expect(keysFromInk("x", { ctrl: true })).toEqual([]);
    const ui = keysFromInk("jjj", {}).reduce((s, key) => reduceKey(s, key, LENGTHS), press(start, c("2")));
    expect(ui.selection.board).toBe(3);
  });
});

describe("dashboard pieces", () => {
  it.each([
    [0, 10, "▕          ▏"],
    [5, 10, "▕█████     ▏"],
    [10, 10, "▕██████████▏"],
    [1, 16, "▕▋         ▏"],
    [3, 0, "▕          ▏"],
    [20, 10, "▕██████████▏"],
  ])("bar(%i, %i)", (done, total, expected) => {
    expect(bar(done, total)).toBe(expected);
  });

  it.each([
    [100, 0, 10, 0, 10],
    [100, 9, 10, 0, 10],
    [100, 10, 10, 1, 11],
    [100, 99, 10, 90, 100],
    [5, 3, 10, 0, 5],
    [5, -1, 10, 0, 5],
  ])("%i lines, selection %i, height %i → [%i, %i)", (count, selected, height, start, end) => {
    expect(visibleWindow(count, selected, height)).toEqual({ start, end });
  });

  const now = new Date("2026-12-02T12:00:00Z");
  const state = (o: object) => ({
    pid: 4121,
    startedAt: "2026-12-02T10:00:00Z",
    heartbeatAt: "2026-12-02T11:59:58Z",
    stoppedAt: null,
    network: "finney",
    netuid: 11,
    workers: 2,
    nextStepAt: "2026-12-02T12:07:41Z",
    ...o,
  });
  it.each([
    ["no row: none", undefined, true, "none"],
    ["a live pid with a fresh heartbeat: running", state({}), true, "running"],
    ["a fresh heartbeat but a dead pid: stale", state({}), false, "stale"],
    ["an old heartbeat: stale", state({ heartbeatAt: "2026-12-02T11:00:00Z" }), true, "stale"],
    ["stopped", state({ stoppedAt: "2026-12-02T11:59:59Z" }), false, "stopped"],
  ])("daemon %s", (_name, row, alive, expected) => {
    expect(daemonStatus(row, () => alive, now).state).toBe(expected);
  });

  it("the log lists evaluation errors and steps that did not send, newest first", () => {
    const q = (o: Partial<QueueItem>): QueueItem => ({
      jobId: 1,
      uid: 3,
      repo: "a/b",
      status: "ERROR",
      attempts: 2,
      position: null,
      etaSeconds: null,
      lastError: "hub 503",
      nextAttemptAt: "2026-12-02T12:15:00.000Z",
      progress: null,
      ...o,
    });
    const step = (id: number, outcome: StepRecord["outcome"], at: string, reason: string | null) =>
      ({ id, outcome, startedAt: at, finishedAt: at, reason }) as StepRecord;
    expect(
      logLines(
        [q({}), q({ jobId: 2, status: "QUEUED" })],
        [
          step(5, "sent", "2026-12-02T12:20:00Z", null),
          step(4, "not_sent", "2026-12-02T12:00:00Z", "rate limit"),
        ],
      ),
    ).toEqual(["job 1 uid 3 ERROR hub 503, retry 12:15 (attempt 2)", "step #4 not_sent: rate limit"]);
  });

  it("progress rows: at most one write a second, plus every stage change and the end of one", () => {
    const writes: string[] = [];
    let t = 0;
    const sink = {
      put: (_job: number, e: { stage: string; done: number }) => writes.push(`${e.stage}:${e.done}`),
    };
    const progress = storeProgress(sink as never, 1, { now: () => t });
    for (let i = 0; i <= 10; i++) {
      t = i * 300;
      progress({ stage: "generate", done: i, total: 10 });
    }
    progress({ stage: "judge", done: 0, total: 10 });
    expect(writes).toEqual(["generate:0", "generate:4", "generate:8", "generate:10", "judge:0"]);
  });
});

describe("the steps pane", () => {
  it("a committing step shows its reveal; a refused one its reason", () => {
    const step = (id: number, outcome: StepRecord["outcome"], o: Partial<StepRecord>) =>
      ({
        id,
        outcome,
        startedAt: "2026-12-02T12:00:00.000Z",
        finishedAt: "2026-12-02T12:00:05.000Z",
        block: 100,
        txHash: null,
        emitted: null,
        reason: null,
        ...o,
      }) as StepRecord;
    const data = {
      steps: [
        step(2, "committed", { txHash: "0xabcdef1234", emitted: 9 }),
        step(1, "not_sent", { reason: "rate limit" }),
      ],
      reveals: { 2: { status: "revealed", revealBlock: 460 } },
    } as unknown as Parameters<typeof paneLines>[1];
    expect(paneLines("steps", data, initialUi("validator"), 80).items).toEqual([
      "#2    12:00 committed   100 0xabcdef… 9 uids reveal revealed at 460",
      "#1    12:00 not_sent    100 rate limit",
    ]);
  });
});
