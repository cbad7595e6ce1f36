import { createHash } from "node:crypto";
import { SeededRandom } from "../../src/eval/datasets/random.js";
import { PROFILES } from "../../src/scoring/profile.js";
import { replaySnapshot, replayToJson } from "../../src/scoring/replay.js";
import { canonicalJson, type Snapshot } from "../../src/scoring/snapshot.js";
import { buildSnapshot, type MinerSpec } from "./snapshots.js";

/**
 * Seeded snapshots of 1 to 600 uids for every profile, made to hit the replay's corners: scores from a
 * few values (ties, the 3 % penalty's edge), few blocks (same-block ties), duplicates, empty uids, failed
 * and queued entries. `test/fixtures/replay-corpus.json` holds each one's replay digest.
 */
export function replayCorpus(): { name: string; profile: string; snapshot: Snapshot }[] {
  const cases: { name: string; profile: string; snapshot: Snapshot }[] = [];
  for (let k = 0; k < 48; k++) {
    const rng = new SeededRandom(`replay-corpus ${k}`);
    const n = k < 8 ? k + 1 : rng.int(9, 600);
    const scores = [0, 0.5, 0.5 / 0.97, 0.485, 0.61, 0.63, 0.7, 1];
    const miners: MinerSpec[] = Array.from({ length: n }, (_, i) => {
      const kind = rng.int(0, 9);
      if (kind === 0) return { noCommitment: true };
      if (kind === 1) return { status: "FAILED", score: 0, block: 5_000_000 + rng.int(0, 3) };
      if (kind === 2) return { block: 5_000_000 + rng.int(0, 3) };
      return {
        score: kind < 6 ? (scores[rng.int(0, scores.length - 1)] as number) : rng.next(),
        block: 5_000_000 + rng.int(0, kind === 9 ? 400 : 3),
        repo: kind === 8 ? `dup/model-${i % 3}` : undefined,
      };
    });
    for (const profile of PROFILES)
      cases.push({ name: `${k} (${n} uids)`, profile: profile.id, snapshot: buildSnapshot(miners) });
  }
  return cases;
}

export function replayDigest(snapshot: Snapshot, profileId: string): string {
  const profile = PROFILES.find((p) => p.id === profileId);
  if (!profile) throw new Error(`no profile ${profileId}`);
  return createHash("sha256")
    .update(canonicalJson(replayToJson(replaySnapshot(snapshot, profile))))
    .digest("hex");
}
