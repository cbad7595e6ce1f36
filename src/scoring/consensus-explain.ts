import type { Agreement, Disagreement, YumaConsensus } from "./consensus.js";
import { type Bits, toNumber32 } from "./fixed-point.js";
import { repoId } from "./model-id.js";
import type { ReplayRow } from "./replay.js";

/** Why sn11's weight on a uid parts from consensus, as far as the local store can tell. */
export type DisagreementReason =
  /** The registry rejects it (a duplicate, a bad hash, a commitment after the block…). */
  | { readonly kind: "registry"; readonly reason: string; readonly detail: string | null }
  /** Not evaluated here yet: its place in the evaluation queue (null when it is not waiting). */
  | { readonly kind: "not_evaluated"; readonly queuePosition: number | null }
  | { readonly kind: "evaluating" }
  /** Evaluated here and failed (or stopped at a precheck): weight 0. */
  | { readonly kind: "evaluation_failed"; readonly status: string }
  /** No other validator weights it: they have not scored it yet, or reject it. */
  | { readonly kind: "only_here" }
  /** Scored, and ranked apart from the validators that weight it most. */
  | {
      readonly kind: "ranking";
      readonly ourRank: number | null;
      readonly ourScore: number | null;
      /** Where the validators weighting it most put it, the most they give it, their share of the stake. */
      readonly theirRank: number;
      readonly theirWeight: number;
      readonly validators: readonly number[];
      readonly stakeShare: number;
    };

export interface ExplainedDisagreement extends Disagreement {
  readonly hotkey: string | null;
  readonly repo: string | null;
  readonly reason: DisagreementReason;
}

/** 1 + how many uids a row weights more than `uid`; null where it gives `uid` nothing. */
function rankIn(row: ReadonlyMap<number, number>, uid: number): number | null {
  const w = row.get(uid) ?? 0;
  if (w <= 0) return null;
  let above = 0;
  for (const v of row.values()) if (v > w) above++;
  return above + 1;
}

/** The counted validators (other than `self`) giving `uid` the most, up to three. */
function heaviestOn(result: YumaConsensus, uid: number, self: number) {
  return result.weights
    .map((row, v) => ({ v, w: row.find(([j]) => j === uid)?.[1] ?? 0n }))
    .filter(({ v, w }) => v !== self && w > 0n && result.standing[v] === "counted")
    .sort((a, b) => (b.w > a.w ? 1 : b.w < a.w ? -1 : a.v - b.v))
    .slice(0, 3)
    .map(({ v }) => v);
}

export function explainDisagreement(
  d: Disagreement,
  o: {
    readonly result: YumaConsensus;
    readonly self: number;
    /** sn11's registry and weights now, by uid (from the step's replay). */
    readonly ours: ReadonlyMap<number, ReplayRow>;
    /** Normalised weights sn11 would set, by uid. */
    readonly ourWeights: ReadonlyMap<number, number>;
    /** Each uid's place in the local evaluation queue. */
    readonly queue: ReadonlyMap<number, number>;
  },
): ExplainedDisagreement {
  const row = o.ours.get(d.uid);
  const base = {
    ...d,
    hotkey: row?.hotkey ?? null,
    repo: row?.modelId ? repoId(row.modelId) : null,
  };
  const reason = ((): DisagreementReason => {
    if (row?.duplicateOf) {
      // A duplicate never scores, evaluated or not: that is the reason, whatever the queue says.
      const { uid, match } = row.duplicateOf;
      return {
        kind: "registry",
        reason: "duplicate",
        detail: `same ${match.replace("_", " ")} as uid ${uid}`,
      };
    }
    if (row && !row.valid && row.reason !== "not_scored") {
      return { kind: "registry", reason: row.reason ?? "invalid", detail: row.detail };
    }
    if (row?.status === "RUNNING") return { kind: "evaluating" };
    if (!row || row.status === null || row.status === "QUEUED") {
      return { kind: "not_evaluated", queuePosition: o.queue.get(d.uid) ?? null };
    }
    if (row.status === "FAILED" || row.status === "PRECHECK") {
      return { kind: "evaluation_failed", status: row.status };
    }
    const validators = heaviestOn(o.result, d.uid, o.self);
    if (validators.length === 0) return { kind: "only_here" };
    const rows = validators.map(
      (v) => new Map((o.result.weights[v] ?? []).map(([j, w]) => [j, toNumber32(w)])),
    );
    const ranks = rows.map((row) => rankIn(row, d.uid) ?? 0);
    const share = validators.reduce<Bits>((s, v) => s + (o.result.activeStake[v] ?? 0n), 0n);
    return {
      kind: "ranking",
      ourRank: rankIn(o.ourWeights, d.uid),
      ourScore: row.totalScore,
      theirRank: Math.min(...ranks),
      theirWeight: Math.max(...rows.map((row) => row.get(d.uid) ?? 0)),
      validators,
      stakeShare: toNumber32(share),
    };
  })();
  return { ...base, reason };
}

/** The biggest gaps either way, each with its reason. */
export function explainAgreement(
  agreement: Agreement,
  o: Omit<Parameters<typeof explainDisagreement>[1], "self">,
  top: number,
): ExplainedDisagreement[] {
  return [...agreement.over, ...agreement.under]
    .sort((a, b) => Math.abs(b.gap) - Math.abs(a.gap) || a.uid - b.uid)
    .slice(0, top)
    .map((d) => explainDisagreement(d, { ...o, self: agreement.uid }));
}

/** One line for a person: what sn11 knows of why. */
export function reasonText(reason: DisagreementReason): string {
  switch (reason.kind) {
    case "registry":
      return `sn11's registry rejects it (${reason.reason}${reason.detail ? `: ${reason.detail}` : ""})`;
    case "not_evaluated":
      return reason.queuePosition === null
        ? "not evaluated here yet"
        : `not evaluated here yet (#${reason.queuePosition} in the queue)`;
    case "evaluating":
      return "being evaluated here now";
    case "evaluation_failed":
      return `its evaluation here ended ${reason.status}: weight 0`;
    case "only_here":
      return "no other validator weights it (not scored by them yet, or rejected)";
    case "ranking":
      return (
        `uids ${reason.validators.join(", ")} (${Math.round(reason.stakeShare * 100)}% of the stake) give it at ` +
        `most ${reason.theirWeight.toFixed(3)} (#${reason.theirRank} for them); sn11 ranks it ` +
        `${reason.ourRank === null ? "nowhere" : `#${reason.ourRank}`}` +
        `${reason.ourScore !== null ? ` (score ${reason.ourScore.toFixed(3)})` : ""}`
      );
  }
}
