import { resolve } from "node:path";
import { z } from "zod";
import { readStepSnapshot } from "../chain/step-snapshot.js";
import { readHotkeyAddress } from "../chain/wallet-files.js";
import { UsageError } from "../errors.js";
import { buildLeaderboard, type ChainFacts, chainFacts, type OwnerFacts } from "../leaderboard/build.js";
import { leaderboardJson } from "../leaderboard/json.js";
import { defaultSort, ROW_STATES, SORT_KEYS, selectRows } from "../leaderboard/select.js";
import { lastDelivered, ownerFacts, sharedStoreFacts } from "../leaderboard/sources.js";
import { leaderboardTable } from "../render/leaderboard.js";
import { joinFitting, outputWidth, plural } from "../render/table.js";
import { findProfile } from "../scoring/profile.js";
import { replaySnapshot } from "../scoring/replay.js";
import { parseSnapshot, type Snapshot } from "../scoring/snapshot.js";
import type { Store } from "../store/store.js";
import { defineCommand } from "./define.js";
import { scoreUrlOption } from "./evaluation-options.js";
import { readSnapshotFile } from "./snapshot-file.js";

/** A comma-separated flag value as a list. */
const commaList = () =>
  z.string().transform((s) =>
    s
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean),
  );

const options = z.object({
  top: z.coerce.number().int().positive().optional().describe("only the first N rows after sorting"),
  hotkey: commaList()
    .optional()
    .describe("these hotkeys (comma-separated); alone: only them, with --top: always shown")
    .meta({ valueName: "ss58,…" }),
  mine: z.boolean().default(false).describe("always show the wallet's hotkey, also outside the top"),
  uid: commaList()
    .pipe(z.array(z.string().regex(/^\d+$/, "expected uids like 3,17").transform(Number)))
    .optional()
    .describe("only these uids (comma-separated)"),
  status: commaList()
    .pipe(z.array(z.enum(ROW_STATES)))
    .optional()
    .describe(`only rows in these states: ${ROW_STATES.join(", ")}`),
  sort: z
    .enum(SORT_KEYS)
    .optional()
    .describe("weight (default when something is scored), incentive, emission, score, block or uid"),
  scores: z
    .enum(["local", "remote", "none"])
    .default("local")
    .describe("local: this data dir's evaluations; remote: also the owner's verdicts; none: chain only"),
  scoreUrl: scoreUrlOption("the owner's score API for --scores remote"),
  snapshot: z.string().optional().describe("rank a replay snapshot file offline (no chain, no store)"),
  step: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .describe("rank the chain state a recorded validator step saw, with this store"),
  offline: z.boolean().default(false).describe("no chain: the last recorded step's state, with this store"),
  all: z.boolean().default(false).describe("list the uids without a commitment too"),
  wide: z.boolean().default(false).describe("more columns: coldkey, hashes, revision, u16, last sent weight"),
});

export const leaderboardCommand = defineCommand({
  name: "leaderboard",
  uses: ["chain", "wallet", "store", "shared", "profile"],
  description:
    "Joins, at one block: the chain (metagraph, incentive, emission, consensus, immunity), the replay of\n" +
    "this validator's step (registry verdict, duplicates, win rate, the weight it would set now), this data\n" +
    "dir's store (score, queue position and ETA, last error, the weights last sent) and, with --scores\n" +
    "remote, the owner's verdicts. The header says where each number comes from. ⚠ next marks the uid the\n" +
    "chain would deregister at the next registration.",
  examples: [
    "sn11 leaderboard",
    "sn11 leaderboard --top 10 --mine",
    "sn11 leaderboard --status queued,error --json",
    "sn11 leaderboard --snapshot examples/demo-step.json",
    "sn11 leaderboard --offline --wide",
  ],
  options,
  async run({ options: o }, ctx) {
    if ([o.snapshot !== undefined, o.step !== undefined, o.offline].filter(Boolean).length > 1) {
      throw new UsageError("give at most one of --snapshot FILE, --step N and --offline");
    }
    if (o.snapshot !== undefined && o.scores === "remote") {
      throw new UsageError("--scores remote needs the chain's commitments: drop --snapshot");
    }
    const { netuid, walletName, walletHotkey, walletPath } = ctx.loaded.config;
    const profile = findProfile(ctx.loaded.config.profile);
    if (!profile) throw new Error(`unknown profile ${ctx.loaded.config.profile}`);
    const hotkeys = [...(o.hotkey ?? [])];
    if (o.mine) {
      const mine = readHotkeyAddress({ name: walletName, hotkey: walletHotkey, path: walletPath });
      if (!mine) throw new UsageError("--mine needs a wallet: point --wallet.* at one, or pass --hotkey");
      hotkeys.push(mine);
    }

    let snapshot: Snapshot;
    let chain: ChainFacts | null = null;
    let opened: Store | null = null;
    let source: { kind: string; ref: string; blockHash: string | null };
    const warnings: string[] = [];
    if (o.snapshot !== undefined) {
      const file = resolve(ctx.cwd, o.snapshot);
      snapshot = readSnapshotFile(file);
      source = { kind: "snapshot", ref: file, blockHash: null };
    } else if (o.step !== undefined || o.offline) {
      const s = ctx.store();
      opened = s;
      const step = o.step !== undefined ? s.validatorSteps.get(o.step) : s.validatorSteps.lastWithSnapshot();
      const recorded = step ? s.validatorSteps.snapshot(step.id) : undefined;
      if (!step || recorded === undefined) {
        throw new UsageError(
          o.step !== undefined
            ? `step ${o.step} recorded no chain state in this store`
            : "no step recorded its chain state in this store",
          { hint: "sn11 validate --once --offline records one; or use --snapshot FILE" },
        );
      }
      const parsed = parseSnapshot(recorded);
      if (!parsed.ok) throw new UsageError(`step ${step.id}'s snapshot: ${parsed.path}: ${parsed.message}`);
      snapshot = parsed.snapshot;
      source = { kind: `step #${step.id}`, ref: ctx.loaded.config.dataDir, blockHash: step.blockHash };
    } else {
      const client = await ctx.chain();
      const local = o.scores !== "none";
      const s = local ? ctx.store() : null;
      opened = s;
      const read = await readStepSnapshot(client, netuid, async () =>
        s ? (await ctx.shared()).evaluations(profile.id) : [],
      );
      snapshot = read.snapshot;
      chain = chainFacts(read.metagraph);
      source = { kind: "finalized", ref: client.endpoint, blockHash: read.metagraph.block.hash };
    }
    // The store's side of the join, whenever this run opened the store (never for --snapshot).
    const shared = opened ? await ctx.shared() : null;
    const store = opened && shared ? await sharedStoreFacts(opened, shared, profile.id) : null;
    const replay = replaySnapshot(snapshot, profile);
    warnings.push(...replay.warnings);
    for (const hotkey of hotkeys) {
      if (!snapshot.hotkeys.includes(hotkey))
        warnings.push(`hotkey ${hotkey} has no uid on netuid ${snapshot.netuid}`);
    }
    let owner: OwnerFacts | null = null;
    if (o.scores === "remote") {
      const fetched = await ownerFacts(o.scoreUrl, replay.rows, { timeoutMs: 15_000, signal: ctx.signal });
      owner = fetched.owner;
      if (fetched.warning) {
        warnings.push(fetched.warning);
        ctx.logger.warn({ url: o.scoreUrl }, fetched.warning);
      }
    }
    const board = buildLeaderboard({ replay, profile, chain, store, owner, now: new Date() });
    const sort = o.sort ?? defaultSort(board.rows);
    const filtered = o.top !== undefined || hotkeys.length > 0 || !!o.status?.length || !!o.uid?.length;
    const select = { sort, top: o.top, hotkeys, states: o.status, uids: o.uid };
    const all = selectRows(board.rows, select);
    const json = leaderboardJson({
      snapshot,
      blockHash: source.blockHash,
      profile: profile.id,
      sort,
      sources: {
        chain: chain ? source.ref : null,
        snapshot: chain ? null : `${source.kind} ${source.ref}`,
        store: store ? ctx.loaded.config.dataDir : null,
        owner: o.scores === "remote" ? (owner ? o.scoreUrl : null) : null,
      },
      delivered: opened ? lastDelivered(opened) : undefined,
      board,
      selection: all,
      warnings,
    });
    const text = () => {
      const shown = filtered || o.all ? all : selectRows(board.rows, { ...select, hideEmpty: true });
      const hidden = board.rows.length - shown.matched - shown.pinned.length;
      const width = outputWidth(ctx.stdout);
      const table = leaderboardTable(shown, {
        wide: o.wide,
        head: chain?.head ?? null,
        owner: o.scores === "remote",
        width,
      });
      const lines = [
        headerLine(
          {
            netuid: snapshot.netuid,
            block: snapshot.block,
            source: source.kind,
            profile: profile.id,
            scores: store
              ? `local (${shared?.kind === "postgres" ? shared.location : ctx.loaded.config.dataDir}, ${plural(store.evaluations.length, "evaluation")})`
              : o.scores === "none"
                ? "none"
                : "snapshot",
            delivered: json.sources.last_sent_step,
            owner: o.scores !== "remote" ? "off" : owner ? o.scoreUrl : "unavailable",
          },
          width,
        ),
        "",
        table.text,
      ];
      if (table.dropped.length > 0)
        lines.push("", `columns left out: ${table.dropped.join(", ")} (--wide shows them)`);
      if (!filtered && !o.all && hidden > 0)
        lines.push("", `${hidden} uids without a commitment not shown (--all lists them)`);
      lines.push(...warnings.map((w) => `warning: ${w}`));
      return lines.join("\n");
    };
    return { json, text };
  },
});

function headerLine(
  h: {
    netuid: number;
    block: number;
    source: string;
    profile: string;
    scores: string;
    delivered: { step: number; outcome: string; block: number | null; tx_hash: string | null } | null;
    owner: string;
  },
  width: number,
): string {
  const step = h.delivered
    ? `last step #${h.delivered.step} ${h.delivered.outcome} at ${h.delivered.block ?? "?"}${h.delivered.tx_hash ? ` (${h.delivered.tx_hash.slice(0, 10)}…)` : ""}`
    : "no step sent weights from this store";
  return joinFitting(
    [
      `netuid ${h.netuid}`,
      `block ${h.block} (${h.source})`,
      `profile ${h.profile}`,
      `scores: ${h.scores}`,
      step,
      `owner API: ${h.owner}`,
    ],
    width,
  );
}
