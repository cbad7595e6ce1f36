import { resolve } from "node:path";
import { z } from "zod";
import type { Metagraph } from "../chain/types.js";
import { readHotkeyAddress } from "../chain/wallet-files.js";
import type { DashboardData } from "../dashboard/data.js";
import { initialUi, PANES } from "../dashboard/keys.js";
import { paneLines } from "../dashboard/lines.js";
import { type BoardBase, readSharedQueue } from "../dashboard/read.js";
import { DashboardSource } from "../dashboard/source.js";
import { rowJson } from "../leaderboard/json.js";
import { findProfile } from "../scoring/profile.js";
import { Store } from "../store/store.js";
import { defineCommand } from "./define.js";
import { readSnapshotFile } from "./snapshot-file.js";

const options = z.object({
  view: z
    .enum(["auto", "validator", "miner"])
    .default("auto")
    .describe("auto: validator when this data dir has run sn11 validate, else miner"),
  hotkey: z
    .string()
    .optional()
    .describe("the miner's hotkey (default: the wallet's)")
    .meta({ valueName: "ss58" }),
  refresh: z.coerce.number().min(0.2).max(3600).default(2).describe("seconds between store reads"),
  offline: z.boolean().default(false).describe("never read the chain: the board is the last step's state"),
  snapshot: z.string().optional().describe("the board from a replay snapshot file"),
  once: z
    .boolean()
    .default(false)
    .describe("print one snapshot and exit (also without a terminal or with --json)"),
});

/** The dashboard's data as one JSON document (board rows as in `sn11 leaderboard --json`). */
export function dashboardJson(data: DashboardData) {
  return {
    ...data,
    board: data.board.map((b) => ({ rank: b.rank, commitment: b.commitment, ...rowJson(b.row) })),
  };
}

/** Every pane of the view as text sections, for a pipe or a log. */
export function dashboardText(data: DashboardData): string {
  const ui = initialUi(data.view);
  const d = data.daemon;
  const head = `sn11 dashboard · ${data.network}/${data.netuid} · ${data.block === null ? "no chain state" : `block ${data.block}`} (${data.boardSource}) · daemon ${d.state}${d.pid ? ` pid ${d.pid}` : ""}${d.nextStepAt ? ` · next step ${d.nextStepAt}` : ""}${data.chainError ? ` · ${data.chainError}` : ""}`;
  const sections = PANES[data.view].map((pane) => {
    const p = paneLines(pane, data, ui, 120);
    return [
      `== ${p.title}`,
      ...(p.header && p.items.length ? [p.header] : []),
      ...(p.items.length ? p.items : ["(nothing here)"]),
    ].join("\n");
  });
  return [head, ...sections].join("\n\n");
}

export const dashboardCommand = defineCommand({
  name: "dashboard",
  uses: ["chain", "wallet", "store", "shared", "profile"],
  description:
    "Attaches to a running `sn11 validate` by reading its store read-only (WAL) and the heartbeat and\n" +
    "progress it writes; works without a daemon from the store and the chain (or --offline, --snapshot).\n" +
    "On a terminal it is an interactive screen on stderr (? lists the keys, q quits); without one (a pipe,\n" +
    "--json, --once) it prints one snapshot on stdout and exits 0.",
  examples: [
    "sn11 dashboard",
    "sn11 dashboard --view miner --hotkey 5F…",
    "sn11 dashboard --offline --once",
    "sn11 dashboard --json | jq .queue",
  ],
  options,
  async run({ options: o }, ctx) {
    const { netuid, network, dataDir, walletName, walletHotkey, walletPath } = ctx.loaded.config;
    const profile = findProfile(ctx.loaded.config.profile);
    if (!profile) throw new Error(`unknown profile ${ctx.loaded.config.profile}`);
    const store = Store.openReadOnly(dataDir);
    ctx.cleanup.add("dashboard store", () => store.close());
    const hotkey =
      o.hotkey ?? readHotkeyAddress({ name: walletName, hotkey: walletHotkey, path: walletPath }) ?? null;

    let base: BoardBase = { kind: "step" };
    let readMetagraph: (() => Promise<Metagraph>) | undefined;
    if (o.snapshot !== undefined) {
      const file = resolve(ctx.cwd, o.snapshot);
      base = { kind: "file", file, snapshot: readSnapshotFile(file) };
    } else if (!o.offline) {
      readMetagraph = async () => (await ctx.chain()).metagraph(netuid);
      base = { kind: "chain", url: String(network), metagraph: null };
    }
    const interactive =
      !o.once && !ctx.globals.json && Boolean(process.stdin.isTTY) && Boolean(ctx.stderr.isTTY);
    // With --store the queue side is the shared PostgreSQL's; the rest (steps, runs, logs) this data dir's.
    const sharedStore = ctx.loaded.config.store ? await ctx.shared() : null;
    const shared = sharedStore
      ? { store: sharedStore, first: await readSharedQueue(sharedStore, profile.id) }
      : undefined;
    const source = new DashboardSource({
      store,
      shared,
      profile,
      netuid,
      network: String(network),
      dataDir,
      view: o.view,
      hotkey,
      base,
      readMetagraph,
      refreshMs: o.refresh * 1000,
    });
    if (!interactive) {
      await source.refreshChain();
      const data = source.get();
      return { json: dashboardJson(data), text: () => dashboardText(data) };
    }
    // Anything written to stderr behind Ink's back would tear the frame: chain errors show in the header.
    const level = ctx.logger.level;
    ctx.logger.level = "silent";
    try {
      const { runDashboard } = await import("../dashboard/run.js");
      await runDashboard(source, {
        stderr: process.stderr,
        stdin: process.stdin,
        cleanup: ctx.cleanup,
        signal: ctx.signal,
      });
    } finally {
      ctx.logger.level = level;
    }
    return { json: null, text: () => "", raw: true };
  },
});
