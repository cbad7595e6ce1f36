import { buildLeaderboard } from "../leaderboard/build.js";
import { leaderboardJson } from "../leaderboard/json.js";
import { defaultSort, selectRows } from "../leaderboard/select.js";
import { lastDelivered, lastRecordedSnapshot, sharedStoreFacts } from "../leaderboard/sources.js";
import type { ScoringProfile } from "../scoring/profile.js";
import { replaySnapshot } from "../scoring/replay.js";
import type { SharedStore } from "../store/shared/shared-store.js";
import type { Store } from "../store/store.js";

/**
 * The leaderboard of `sn11 leaderboard --offline --json` (the chain state the newest step recorded, joined
 * with the store), for `GET /leaderboard`; null before any step recorded one.
 */
export async function offlineLeaderboard(store: Store, shared: SharedStore, profile: ScoringProfile) {
  const recorded = lastRecordedSnapshot(store);
  if (!recorded) return null;
  const { step, snapshot } = recorded;
  const replay = replaySnapshot(snapshot, profile);
  const board = buildLeaderboard({
    replay,
    profile,
    chain: null,
    store: await sharedStoreFacts(store, shared, profile.id),
    owner: null,
    now: new Date(),
  });
  const sort = defaultSort(board.rows);
  return leaderboardJson({
    snapshot,
    blockHash: step.blockHash,
    profile: profile.id,
    sort,
    sources: { chain: null, snapshot: `step #${step.id}`, store: "this score server's", owner: null },
    delivered: lastDelivered(store),
    board,
    selection: selectRows(board.rows, { sort }),
    warnings: replay.warnings,
  });
}
