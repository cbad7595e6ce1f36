import { buildLeaderboard } from "../leaderboard/build.js";
import { rowJson } from "../leaderboard/json.js";
import { defaultSort, selectRows } from "../leaderboard/select.js";
import { lastDelivered, storeFacts } from "../leaderboard/sources.js";
import type { ScoringProfile } from "../scoring/profile.js";
import { replaySnapshot } from "../scoring/replay.js";
import { parseSnapshot } from "../scoring/snapshot.js";
import type { Store } from "../store/store.js";

/**
 * The leaderboard of `sn11 leaderboard --offline --json` (the chain state the newest step recorded, joined
 * with the store), for `GET /leaderboard`; null before any step recorded one.
 */
export function offlineLeaderboard(store: Store, profile: ScoringProfile) {
  const step = store.validatorSteps.lastWithSnapshot();
  const parsed = step ? parseSnapshot(store.validatorSteps.snapshot(step.id)) : null;
  if (!step || !parsed?.ok) return null;
  const snapshot = parsed.snapshot;
  const replay = replaySnapshot(snapshot, profile);
  const board = buildLeaderboard({
    replay,
    profile,
    chain: null,
    store: storeFacts(store, profile.id),
    owner: null,
    now: new Date(),
  });
  const sort = defaultSort(board.rows);
  const rows = selectRows(board.rows, { sort });
  const sent = lastDelivered(store);
  return {
    netuid: snapshot.netuid,
    block: snapshot.block,
    block_hash: step.blockHash,
    profile: profile.id,
    sort,
    sources: {
      chain: null,
      snapshot: `step #${step.id}`,
      store: "this score server's",
      owner: null,
      last_sent_step: sent
        ? { step: sent.id, outcome: sent.outcome, block: sent.txBlock ?? sent.block, tx_hash: sent.txHash }
        : null,
    },
    prune_next: board.pruneNext,
    warnings: replay.warnings,
    rows: [...rows.top, ...rows.pinned].map((r) => ({ rank: r.rank, ...rowJson(r.row) })),
  };
}
