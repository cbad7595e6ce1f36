import { commitToJson } from "../chain/commit-weights.js";
import { toned, verdictTone } from "../render/style.js";
import type { StepResult } from "./step.js";
import type { JobReport } from "./worker.js";

/** What the daemon says when it starts: where it runs, as whom, with what, and when it steps next. */
export interface Banner {
  readonly mode: "live" | "dry-run" | "offline";
  readonly profile: string;
  readonly network: string;
  readonly netuid: number;
  /** The chain's head at start; null when the chain could not be read (the daemon retries). */
  readonly block: number | null;
  readonly chain_error: string | null;
  readonly hotkey: string | null;
  readonly uid: number | null;
  readonly permit: boolean | null;
  readonly score_source: string;
  /** Preflight lines (engine and version, GPUs, judge, dataset); empty for remote scores. */
  readonly checks: readonly string[];
  readonly engine: { readonly name: string; readonly version: string } | null;
  readonly gpu_groups: readonly string[];
  readonly next_step_at: string;
}

export function bannerLines(banner: Banner): string[] {
  const who = banner.hotkey
    ? `hotkey ${banner.hotkey}${banner.uid === null ? " (not registered)" : ` · uid ${banner.uid}`}${banner.permit === false ? " · NO validator permit: the chain refuses its weights until it has one" : banner.permit ? " · permit" : ""}`
    : `no hotkey (${banner.mode})`;
  return [
    `sn11 validate · ${banner.mode} · profile ${banner.profile} · netuid ${banner.netuid} on ${banner.network}`,
    `  chain: ${banner.block === null ? `unreachable (${banner.chain_error}); retried every sync` : `block ${banner.block}`} · ${who}`,
    `  scores: ${banner.score_source}${banner.gpu_groups.length > 0 ? ` · GPU groups ${banner.gpu_groups.join(" : ")}` : ""}`,
    ...banner.checks.map((line) => `  ${line}`),
    `  next step: ${banner.next_step_at}`,
  ];
}

export function stepJson(s: StepResult) {
  return {
    step: s.step,
    outcome: s.outcome,
    reason: s.reason,
    block: s.block,
    snapshot_digest: s.snapshotDigest,
    tx_hash: s.txHash,
    tx_block: s.txBlock,
    ...(s.commit ? { commit: commitToJson(s.commit) } : {}),
    reveals: s.reveals.map((r) => ({
      commit_tx: r.commit.txHash,
      reveal_round: r.commit.revealRound,
      status: r.update.status,
      reveal_block: r.update.revealBlock ?? null,
      reason: r.update.reason ?? null,
      self_check: r.update.selfCheck ?? null,
    })),
    agreement: s.agreement ? { chain: s.agreement.chain, computed: s.agreement.computed } : null,
    seconds: Math.round(s.seconds * 1000) / 1000,
  };
}

export function evaluationJson(e: JobReport) {
  return {
    repo: e.job.repo,
    hash: e.job.entryHash,
    uid: e.job.uid,
    outcome: e.outcome,
    total_score: e.card?.total_score ?? null,
    engine: e.card?.engine ?? null,
    reason: e.reason,
    seconds: Math.round(e.seconds * 10) / 10,
  };
}

function commitLine(commit: ReturnType<typeof commitToJson>): string {
  if (commit.mode === "hash") return `commit: hash ${commit.hash}; sn11 reveals it in the reveal epoch`;
  return (
    `commit: ${commit.ciphertext_bytes} bytes, drand round ${commit.reveal_round}` +
    (commit.reveal_epoch !== undefined
      ? `, revealed by the chain in epoch ${commit.reveal_epoch} (blocks ${commit.first_reveal_block}–${commit.last_reveal_block})`
      : "")
  );
}

function toneOf(word: string): string {
  const tone = verdictTone(word);
  return tone ? toned(word, tone) : word;
}

export function evaluationLine(e: ReturnType<typeof evaluationJson>): string {
  return `evaluated ${e.repo} (uid ${e.uid}): ${toneOf(e.outcome)}${e.total_score === null ? "" : ` score ${e.total_score.toFixed(4)}`}${e.reason ? ` — ${e.reason}` : ""} · ${e.seconds.toFixed(1)} s`;
}

/** A step's line, after one line per reveal it checked and before its commit's line. */
export function stepLines(s: ReturnType<typeof stepJson>): string[] {
  const lines = s.reveals.map(
    (r) =>
      `commit ${r.commit_tx.slice(0, 18)}… (round ${r.reveal_round}): ${r.status}${r.reveal_block ? ` in block ${r.reveal_block}` : ""}${r.reason ? ` — ${r.reason}` : ""}`,
  );
  const call = !s.commit
    ? "set_weights"
    : s.commit.mode === "hash"
      ? "commit_weights"
      : "commit_timelocked_weights";
  lines.push(
    `step ${s.step}: ${toneOf(s.outcome)}${s.block === null ? "" : ` at block ${s.block}`}${s.tx_hash ? ` · ${call} ${s.tx_hash} in block ${s.tx_block}` : ""}${s.reason ? ` — ${s.reason}` : ""}`,
  );
  if (s.commit) lines.push(`  ${commitLine(s.commit)}`);
  if (s.agreement) {
    const computed =
      s.agreement.computed === null ? "" : `, ${s.agreement.computed.toFixed(3)} with these weights`;
    lines.push(`  consensus agreement: ${s.agreement.chain.toFixed(3)} with its weights on chain${computed}`);
  }
  return lines;
}
