/**
 * Start-up cost where users feel it: `--version`, `--help` and `weights --snapshot examples/demo-step.json`
 * each divided by `node -e 0` on the same Node, paired and alternating (15 pairs × 3 rounds), for the npm
 * install (bin/sn11.mjs) and, when it was built, the single binary (dist/sn11). Prints min/median/max of
 * the ratio with the goal next to the median (`--version` ≤ 1.5×).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

const ROOT = join(import.meta.dirname, "..");
const PAIRS = 15;
const ROUNDS = 3;
const entries: [string, string[]][] = [
  ["npm (bin/sn11.mjs)", [process.execPath, join(ROOT, "bin/sn11.mjs")]],
];
const binary = join(ROOT, "dist/sn11");
if (existsSync(binary)) {
  entries.push(["single binary (dist/sn11)", [binary]]);
  // A single executable cannot run `-e`: its baseline is this machine's node, whichever version that is.
  console.log(
    `the binary runs its own Node (24); its baseline is this machine's node ${process.versions.node}`,
  );
} else console.log("dist/sn11 not built (npm run build): the single binary is left out");
const commands: [string, string[], number | null][] = [
  ["--version", ["--version"], 1.5],
  ["--help", ["--help"], null],
  [
    "weights --snapshot",
    ["weights", "--snapshot", join(ROOT, "examples/demo-step.json"), "--no-record"],
    null,
  ],
];

const time = (argv: string[]): number => {
  const t0 = performance.now();
  const run = spawnSync(argv[0] as string, argv.slice(1), { stdio: "ignore", cwd: ROOT });
  if (run.status !== 0) throw new Error(`${argv.join(" ")} exited ${run.status}`);
  return performance.now() - t0;
};
const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    min: sorted[0] as number,
    median: sorted[Math.floor(sorted.length / 2)] as number,
    max: sorted.at(-1) as number,
  };
};

console.log(
  `start-up ÷ node -e 0 (node ${process.versions.node}, ${PAIRS} pairs × ${ROUNDS} rounds, alternating)`,
);
for (const [entry, prefix] of entries) {
  for (const [name, args, goal] of commands) {
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < PAIRS; i++) {
        // Alternate which of the pair runs first, so a warming cache favours neither.
        if (i % 2 === 0) {
          const base = time([process.execPath, "-e", "0"]);
          ratios.push(time([...prefix, ...args]) / base);
        } else {
          const run = time([...prefix, ...args]);
          ratios.push(run / time([process.execPath, "-e", "0"]));
        }
      }
    }
    const s = stats(ratios);
    const verdict = goal === null ? "" : ` (goal median ≤ ${goal}×: ${s.median <= goal ? "ok" : "OVER"})`;
    console.log(
      `${entry.padEnd(26)} ${name.padEnd(20)} min ${s.min.toFixed(2)}  median ${s.median.toFixed(2)}  max ${s.max.toFixed(2)}${verdict}`,
    );
  }
}
