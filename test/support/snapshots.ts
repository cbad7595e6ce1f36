import { entryHash } from "../../src/scoring/model-id.js";
import type { Snapshot } from "../../src/scoring/snapshot.js";

/** Deterministic fake SS58-looking hotkeys: only their identity matters to the scoring core. */
export function hotkey(i: number): string {
  return `5Hk${String(i).padStart(6, "0")}${"x".repeat(39)}`;
}

export interface MinerSpec {
  readonly repo?: string;
  readonly template?: string;
  readonly block?: number;
  /** undefined: no evaluation (queued); a number: COMPLETED with that score. */
  readonly score?: number | null;
  readonly status?: "COMPLETED" | "FAILED" | "QUEUED" | "RUNNING" | "PRECHECK";
  readonly data?: string | null;
  readonly noCommitment?: boolean;
  /** Sign the entry hash for another hotkey. */
  readonly hashFor?: string;
}

/** Builds a snapshot from per-uid specs, computing valid entry hashes unless told otherwise. */
export function buildSnapshot(miners: readonly MinerSpec[], block = 5_100_000): Snapshot {
  const hotkeys = miners.map((_, i) => hotkey(i));
  const commitments: Snapshot["commitments"] = [];
  const evaluations: Snapshot["evaluations"] = [];
  const seen = new Set<string>();
  miners.forEach((m, uid) => {
    if (m.noCommitment) return;
    const hk = hotkeys[uid] as string;
    const repo = m.repo ?? `miner${uid}/model-${uid}`;
    const [ns, name] = repo.split("/") as [string, string];
    const template = m.template ?? "chatml";
    const hash = entryHash(ns, name, template, m.hashFor ?? hk);
    const data = m.data !== undefined ? m.data : `${ns}:${name}:${template}:${hk}:${hash}:d1`;
    commitments.push({ hotkey: hk, block: m.block ?? 5_000_000, data });
    const status = m.status ?? (m.score === undefined ? undefined : "COMPLETED");
    const key = `${repo}\n${hash}`;
    if (status && !seen.has(key)) {
      seen.add(key);
      evaluations.push({ repo, hash, status, total_score: m.score ?? null });
    }
  });
  return {
    netuid: 11,
    block,
    hotkeys,
    commitments,
    evaluations,
    hyperparameters: { min_allowed_weights: 1 },
  };
}
