import { stripVTControlCharacters } from "node:util";
import { renderToString } from "ink";
import { describe, expect, it } from "vitest";
import { Screen } from "../../src/dashboard/app.js";
import type { DashboardData, JudgeExample } from "../../src/dashboard/data.js";
import { initialUi, type Key, reduceKey, type UiState } from "../../src/dashboard/keys.js";
import { judgeExamples, readDashboard } from "../../src/dashboard/read.js";
import { DEFAULT_PROFILE_ID, findProfile } from "../../src/scoring/profile.js";
import { Store } from "../../src/store/store.js";
import { DASHBOARD_NOW, dashboardStore, demoSnapshot } from "../support/dashboard-store.js";

const MINER = demoSnapshot().hotkeys[12] as string;

const EXAMPLES = new Map<number, JudgeExample[]>();

function data(view: "validator" | "miner"): DashboardData {
  const dataDir = dashboardStore({ daemonPid: 1, now: DASHBOARD_NOW });
  const store = Store.openReadOnly(dataDir);
  try {
    for (const run of store.scoreRuns.list(10)) EXAMPLES.set(run.id, judgeExamples(store, run.id));
    return readDashboard(store, {
      profile: findProfile(DEFAULT_PROFILE_ID) ?? (undefined as never),
      netuid: 11,
      network: "finney",
      dataDir,
      view,
      hotkey: MINER,
      base: { kind: "step" },
      chainError: null,
      now: DASHBOARD_NOW,
    });
  } finally {
    store.close();
  }
}

/** The frame at a terminal size, without colours: what a user sees. */
function frame(d: DashboardData, ui: UiState, columns: number, rows: number): string {
  const text = renderToString(
    <Screen
      data={d}
      ui={ui}
      columns={columns}
      rows={rows}
      now={() => DASHBOARD_NOW.getTime()}
      examples={(id) => EXAMPLES.get(id) ?? []}
    />,
    {
      columns,
    },
  );
  return stripVTControlCharacters(text)
    .split("\n")
    .map((l) => l.trimEnd())
    .join("\n");
}

const keys = (ui: UiState, ...ks: Key[]) => ks.reduce((s, k) => reduceKey(s, k, { board: 80, queue: 3 }), ui);

describe("the dashboard's frames at fixed sizes", () => {
  const validator = data("validator");
  const ui = initialUi("validator");

  it("fits the terminal: as many lines as rows − 1, none wider than the columns", () => {
    for (const [columns, rows] of [
      [80, 24],
      [120, 40],
    ] as const) {
      const lines = frame(validator, ui, columns, rows).split("\n");
      expect(lines).toHaveLength(rows - 1);
      expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(columns);
    }
  });

  it("the queue pane at 80×24", () => {
    expect(frame(validator, ui, 80, 24)).toMatchInlineSnapshot(`
      " sn11 · finney/11 · block 5100000 · ● daemon 1 hb 2s · next step 8m
       1 Queue  2 Board  3 Steps  4 Runs  5 Log   validator view · step #1
      ┌──────────────────────────────────────────────────────────────────────────────┐
      │Queue (1 running · 1 queued · 1 error)                                        │
      │  33 saltmarsh/narrator-24b       judge    ▕██████▏   ▏ 312/512               │
      │  78 later/model-9b               queued #1  ~1h10m                           │
      │  77 flaky/hub-7b                 error ↻12:15 the Hub answered HTTP 503 (att…│
      │                                                                              │
      │                                                                              │
      │                                                                              │
      │                                                                              │
      │                                                                              │
      │                                                                              │
      │                                                                              │
      │                                                                              │
      │                                                                              │
      │                                                                              │
      │                                                                              │
      │                                                                              │
      │                                                                              │
      │                                                                              │
      └──────────────────────────────────────────────────────────────────────────────┘
      tab pane · ↑↓ move · enter detail · / filter · s sort · m mine · ? help · q quit"
    `);
  });

  it("the board at 120×40, the second row selected", () => {
    expect(
      frame(validator, keys(ui, { kind: "char", char: "2" }, { kind: "down" }), 120, 40),
    ).toMatchInlineSnapshot(`
      " sn11 · finney/11 · block 5100000 · ● daemon 1 hb 2s · next step 8m
       1 Queue  2 Board  3 Steps  4 Runs  5 Log   validator view · step #1
      ┌──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┐
      │Board (step #1 · block 5100000 · sort default · 66 uids without a commitment hidden)                                  │
      │ #      uid  repo                     status                         score  weight  incent  imm  hotkey          win …│
      │ 1  74 burn  —                        burn                               -  0.7500       -  -    5GDwYw…45Ta       - …│
      │ 2       12  quill/storyweaver-20b    scored                        0.7188  0.0480       -  -    5Eg2aL…ZLRB  0.9873 …│
      │ 3       15  emberai/companion-27b    scored                        0.7342  0.0480       -  -    5FMT7t…2p6M  0.9873 …│
      │ 4        3  moonlit/rp-hermes-24b    scored                        0.7021  0.0405       -  -    5F2nKb…A7H8  0.9747 …│
      │ 5       21  northwind/persona-32b    scored                        0.7090  0.0342       -  -    5DxZkn…eHsp  0.9620 …│
      │ 6       47  brightpath/muse-24b      scored                        0.7301  0.0342       -  -    5Euu8M…3gx1  0.9620 …│
      │ 7        7  tavern-labs/kestrel-22b  scored                        0.6874  0.0244       -  -    5CfA1B…RcKv  0.9367 …│
      │ 8       26  lantern/dialogue-21b     scored                        0.6511  0.0206       -  -    5EEchH…oWRQ  0.9241 …│
      │33       30  moonlit/rp-hermes-24b    dup of 3 (repo)                    -  0.0000       -  -    5E1Mux…jSVh       - …│
      │36       33  saltmarsh/narrator-24b   running                            -  0.0000       -  -    5Hc4dB…oUzL       - …│
      │41       38  coldforge/rp-base-20b    failed                             -  0.0000       -  -    5EgxFt…gif4       - …│
      │44       41  driftwood/chat-22b       invalid hash_mismatch         0.6702  0.0000       -  -    5Ddk9N…9yFM       - …│
      │54       52  orchid/roleplay-20b      invalid future_block               -  0.0000       -  -    5GCveW…VEKE       - …│
      │62       60  —                        invalid malformed_commitment       -  0.0000       -  -    5HVPBZ…Y3nR       - …│
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      └──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘
      tab pane · ↑↓ move · enter detail · / filter · s sort · m mine · ? help · q quit"
    `);
  });

  it("the detail of the second model: its full commitment, entry hash and score card", () => {
    const detail = frame(
      validator,
      keys(ui, { kind: "char", char: "2" }, { kind: "down" }, { kind: "enter" }),
      120,
      40,
    );
    expect(detail).toMatchInlineSnapshot(`
      " sn11 · finney/11 · block 5100000 · ● daemon 1 hb 2s · next step 8m
       1 Queue  2 Board  3 Steps  4 Runs  5 Log   validator view · step #1
      ┌──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┐
      │Detail (Esc back)                                                                                                     │
      │uid 12 · hotkey 5Eg2aLbTfKPjEJ5BwZFzmUNEMev68f8s49EqJZoxySiNZLRB                                                      │
      │commitment: quill:storyweaver-20b:llama3:5Eg2aLbTfKPjEJ5BwZFzmUNEMev68f8s49EqJZoxySiNZLRB:12102621095641365888:d1     │
      │entry hash 12102621095641365888 · model hash - · revision abc                                                         │
      │registry: valid                                                                                                       │
      │evaluation: COMPLETED 0.7188 (local, 2026-12-02T07:00:00.000Z)                                                        │
      │queue: COMPLETED · attempts 1                                                                                         │
      │weight 0.047977 · u16 4192 · win rate 0.9873 · last sent -                                                            │
      │chain: not read                                                                                                       │
      │score card: run #1 quill/storyweaver-20b@abc1234def · win 0.6123 · total 0.6123 · judge $0.00                         │
      │criterion        original  generated        tie                                                                       │
      │realism                 2          7          1                                                                       │
      │entertainment           1          8          1                                                                       │
      │coherency               3          6          1                                                                       │
      │judge examples:                                                                                                       │
      │  #0 *pours an ale* The road north is closed, traveller.                                                              │
      │      judge: realism generated, entertainment tie, coherency original                                                 │
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      │                                                                                                                      │
      └──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘
      tab pane · ↑↓ move · enter detail · / filter · s sort · m mine · ? help · q quit"
    `);
  });

  it("steps, runs and log at 80×24", () => {
    for (const pane of ["3", "4", "5"]) {
      expect(frame(validator, keys(ui, { kind: "char", char: pane }), 80, 24)).toMatchSnapshot();
    }
  });

  it("the miner view at 80×24", () => {
    expect(frame(data("miner"), initialUi("miner"), 80, 24)).toMatchInlineSnapshot(`
      " sn11 · finney/11 · block 5100000 · ● daemon 1 hb 2s · next step 8m
       1 Mine  2 Board  3 Runs  4 Log   miner view · step #1
      ┌──────────────────────────────────────────────────────────────────────────────┐
      │My entry                                                                      │
      │uid 12 · rank 2 of 80 · quill/storyweaver-20b                                 │
      │verdict: scored (this data dir's view)                                        │
      │score 0.7188 · win 0.9873 · weight 0.0480                                     │
      │chain: not read (offline)                                                     │
      │immunity: unknown offline                                                     │
      │                                                                              │
      │                                                                              │
      │                                                                              │
      │                                                                              │
      │                                                                              │
      │                                                                              │
      │                                                                              │
      │                                                                              │
      │                                                                              │
      │                                                                              │
      │                                                                              │
      │                                                                              │
      └──────────────────────────────────────────────────────────────────────────────┘
      tab pane · ↑↓ move · enter detail · / filter · s sort · m mine · ? help · q quit"
    `);
  });

  it("too small below 80×24", () => {
    expect(frame(validator, ui, 60, 20)).toMatchInlineSnapshot(
      `"terminal too small (80×24 needed, this one is 60×20)"`,
    );
  });
});
