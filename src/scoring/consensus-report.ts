import {
  type Agreement,
  agreementOf,
  type ConsensusInput,
  type ValidatorStanding,
  withWeights,
  type YumaConsensus,
  yumaConsensus,
} from "./consensus.js";
import { type ExplainedDisagreement, explainAgreement } from "./consensus-explain.js";
import { toNumber32 } from "./fixed-point.js";
import type { Replay } from "./replay.js";

/** One validator's standing against the subnet's consensus at one block: what `sn11 consensus` prints. */
export interface ConsensusReport {
  readonly netuid: number;
  readonly block: number;
  readonly kappa: number;
  /** Validators whose weights count (permit, active, stake). */
  readonly counted: number;
  readonly hotkey: string;
  readonly uid: number | null;
  readonly standing: ValidatorStanding | null;
  /** With its weights on chain now; null without a uid. */
  readonly agreementNow: number | null;
  /** With the weights sn11 would set now; null when it would set none. */
  readonly agreementComputed: number | null;
  readonly lastUpdate: number | null;
  readonly blocksSinceUpdate: number | null;
  readonly activityCutoff: number;
  /** Blocks until its stake stops counting (below zero: it already has). */
  readonly activeFor: number | null;
  readonly rateLimit: { readonly blocks: number; readonly freesAt: number | null };
  readonly versionKey: { readonly chain: number; readonly ours: number; readonly accepted: boolean };
  /** Which weights the disagreements compare: the ones sn11 would set, or those on chain. */
  readonly compared: "computed" | "chain";
  readonly disagreements: readonly (ExplainedDisagreement & { readonly onChain: number })[];
  /** The counted validators by stake, with their agreement: what "in consensus" looks like here. */
  readonly peers: readonly { uid: number; stake: number; agreement: number }[];
}

export interface ConsensusReportInput {
  readonly netuid: number;
  readonly input: ConsensusInput;
  readonly hotkeys: readonly string[];
  readonly hotkey: string;
  /** The step sn11 would run now (registry, weights, emit); null when there is none. */
  readonly replay: Replay | null;
  /** Each uid's place in the local evaluation queue. */
  readonly queue: ReadonlyMap<number, number>;
  readonly weightsRateLimit: number;
  readonly weightsVersion: number;
  readonly versionKey: number;
  readonly top: number;
}

/** What `uid`'s agreement would be with the weights sn11 computed, or null when it sends none. */
export function computedAgreement(
  input: ConsensusInput,
  uid: number,
  emit: { readonly uids: readonly number[]; readonly weights: readonly number[] },
): { result: YumaConsensus; agreement: Agreement } | null {
  if (emit.uids.length === 0) return null;
  const result = yumaConsensus(withWeights(input, uid, emit));
  return { result, agreement: agreementOf(result, uid) };
}

export function consensusReport(o: ConsensusReportInput): ConsensusReport {
  const uidIndex = o.hotkeys.indexOf(o.hotkey);
  const uid = uidIndex >= 0 ? uidIndex : null;
  const now = yumaConsensus(o.input);
  const counted = now.standing.filter((s) => s === "counted").length;
  const neuron = uid === null ? undefined : o.input.neurons[uid];
  const own = uid === null ? null : agreementOf(now, uid);
  const computed = uid !== null && o.replay ? computedAgreement(o.input, uid, o.replay.emit) : null;
  const compared = computed ?? (own ? { result: now, agreement: own } : null);
  const ours = new Map((o.replay?.rows ?? []).map((r) => [r.uid, r]));
  const ourWeights = new Map((o.replay?.rows ?? []).map((r) => [r.uid, r.weight]));
  const onChain = new Map(
    uid === null ? [] : (now.weights[uid] ?? []).map(([j, w]) => [j, toNumber32(w)] as const),
  );
  const disagreements = compared
    ? explainAgreement(
        compared.agreement,
        { result: compared.result, ours, ourWeights, queue: o.queue },
        o.top,
      ).map((d) => ({ ...d, onChain: onChain.get(d.uid) ?? 0 }))
    : [];
  const lastUpdate = neuron?.lastUpdate ?? null;
  const block = o.input.block;
  return {
    netuid: o.netuid,
    block,
    kappa: o.input.kappa / 65535,
    counted,
    hotkey: o.hotkey,
    uid,
    standing: own?.standing ?? null,
    agreementNow: own?.agreement ?? null,
    agreementComputed: computed?.agreement.agreement ?? null,
    lastUpdate,
    blocksSinceUpdate: lastUpdate === null ? null : block - lastUpdate,
    activityCutoff: o.input.activityCutoff,
    activeFor: lastUpdate === null ? null : lastUpdate + o.input.activityCutoff - block,
    rateLimit: {
      blocks: o.weightsRateLimit,
      freesAt: lastUpdate === null ? null : lastUpdate === 0 ? block : lastUpdate + o.weightsRateLimit,
    },
    versionKey: {
      chain: o.weightsVersion,
      ours: o.versionKey,
      accepted: o.weightsVersion === 0 || o.versionKey >= o.weightsVersion,
    },
    compared: computed ? "computed" : "chain",
    disagreements,
    peers: now.activeStake
      .map((s, v) => ({ uid: v, stake: toNumber32(s), agreement: toNumber32(now.validatorTrust[v] ?? 0n) }))
      .filter((p) => now.standing[p.uid] === "counted")
      .sort((a, b) => b.stake - a.stake || a.uid - b.uid),
  };
}
