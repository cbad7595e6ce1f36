/**
 * Replay cost by metagraph size, measured side by side in one run: 256, 1024 and 4096 uids.
 * Prints the median compute time (registry + win rates + weights + emit) and the growth ratios, the
 * 1024 → 4096 growth against its goal (≤ ×5: O(n log n) win counting; the pairwise count grew ×9–×13).
 */
import { performance } from "node:perf_hooks";
import { findProfile } from "../src/scoring/profile.js";
import { replaySnapshot } from "../src/scoring/replay.js";
import { parseSnapshot } from "../src/scoring/snapshot.js";
import { buildSnapshot, type MinerSpec } from "../test/support/snapshots.js";

const profile = findProfile("dippy-2025-03")!;
const SIZES = [256, 1024, 4096];
const ROUNDS = 7;

function miners(n: number): MinerSpec[] {
  // Most uids are scored miners (the worst case for the pairwise wins), some empty, some duplicates.
  return Array.from({ length: n }, (_, i) =>
    i % 11 === 0
      ? { noCommitment: true }
      : {
          score: ((i * 7919) % 1000) / 1000,
          block: 4_900_000 + (i % 50),
          repo: i % 13 === 0 ? "dup/model" : undefined,
        },
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const inputs = SIZES.map((n) => JSON.parse(JSON.stringify(buildSnapshot(miners(n)))));
const times = new Map<number, { parse: number[]; compute: number[] }>(
  SIZES.map((n) => [n, { parse: [], compute: [] }]),
);
// Interleave sizes round by round so machine noise hits every size alike.
for (let round = 0; round < ROUNDS + 1; round++) {
  SIZES.forEach((n, i) => {
    const t0 = performance.now();
    const parsed = parseSnapshot(inputs[i]);
    const t1 = performance.now();
    if (!parsed.ok) throw new Error(parsed.message);
    const replay = replaySnapshot(parsed.snapshot, profile);
    const t2 = performance.now();
    if (replay.weights.length !== n) throw new Error("wrong length");
    if (round > 0) {
      times.get(n)?.parse.push(t1 - t0);
      times.get(n)?.compute.push(t2 - t1);
    }
  });
}

console.log(`replay compute (median of ${ROUNDS}, node ${process.versions.node})`);
console.log("uids   validate ms   compute ms   growth vs previous size");
let previous: number | null = null;
for (const n of SIZES) {
  const t = times.get(n)!;
  const compute = median(t.compute);
  const ratio = previous === null ? null : compute / previous;
  const growth =
    ratio === null
      ? ""
      : `×${ratio.toFixed(2)} for ×4 uids${n === 4096 ? ` (goal ≤ ×5: ${ratio <= 5 ? "ok" : "OVER"})` : ""}`;
  console.log(
    `${String(n).padStart(4)}   ${median(t.parse).toFixed(2).padStart(11)}   ${compute.toFixed(2).padStart(10)}   ${growth}`,
  );
  previous = compute;
}
const largest = median(times.get(4096)!.compute) + median(times.get(4096)!.parse);
console.log(
  `4096 uids: ${largest.toFixed(1)} ms of compute (goal < 1000 ms): ${largest < 1000 ? "ok" : "OVER"}`,
);
