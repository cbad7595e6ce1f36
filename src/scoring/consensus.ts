import {
  add32,
  type Bits,
  div32,
  maxUpscaleU16,
  normalize32,
  normalizeAmountsTo32,
  sub32,
  sum32,
  toNumber32,
  u16Proportion,
} from "./fixed-point.js";

/**
 * Yuma consensus as Subtensor's epoch computes it (pallets/subtensor/src/epoch/run_epoch.rs, the sparse
 * epoch; math.rs), up to the validator trust: stake filter, active stake, the weight masks, the row
 * normalisation, the stake-weighted median per column at kappa, and the clip. Yuma 2 and Yuma 3 share all
 * of this; they differ in bonds and dividends, which agreement does not need.
 */

export interface ConsensusNeuron {
  readonly uid: number;
  /** Total stake in rao as the chain weighs it (alpha + tao × TaoWeight). */
  readonly stakeRao: bigint;
  readonly validatorPermit: boolean;
  readonly lastUpdate: number;
  readonly blockAtRegistration: number;
}

/** A stored `Weights` row: (uid, u16 value) pairs, max-upscaled by the chain. */
export type WeightRow = readonly (readonly [number, number])[];

export interface ConsensusInput {
  /** The block the epoch would run at (the chain's current block). */
  readonly block: number;
  /** `Kappa` (u16; 32767 ≈ 0.5 by default). */
  readonly kappa: number;
  readonly activityCutoff: number;
  /** `StakeThreshold` in rao: stake below it counts as none (the subnet owner is exempt). */
  readonly stakeThreshold: bigint;
  /** The uid of `SubnetOwnerHotkey`, when registered: it keeps its permit and its self-weight. */
  readonly ownerUid: number | null;
  /** Index = uid. */
  readonly neurons: readonly ConsensusNeuron[];
  readonly weights: ReadonlyMap<number, WeightRow>;
  /**
   * On a commit-reveal subnet: each validator's earliest commit that has not expired. The chain drops its
   * weights on uids registered after that commit.
   */
  readonly commitBlocks?: ReadonlyMap<number, number>;
}

export interface YumaConsensus {
  readonly block: number;
  readonly n: number;
  /** Normalised stake after the threshold, per uid. */
  readonly stake: readonly Bits[];
  /** Stake of active, permitted validators, normalised: whose weights count. */
  readonly activeStake: readonly Bits[];
  /** Per uid: why its own weights do or do not count. */
  readonly standing: readonly ValidatorStanding[];
  /** The masked, row-normalised weights the median runs over (index = validator uid). */
  readonly weights: readonly (readonly (readonly [number, Bits])[])[];
  /** The stake-weighted median per column at kappa. */
  readonly consensus: readonly Bits[];
  readonly clipped: readonly (readonly (readonly [number, Bits])[])[];
  /** Row sums of the clipped weights: the chain's validator trust. */
  readonly validatorTrust: readonly Bits[];
}

export type ValidatorStanding = "counted" | "no_permit" | "inactive" | "no_stake" | "no_weights";

/**
 * `weighted_median` of math.rs: a binary search around the middle pivot (deterministic), over the stake
 * integral [lo, hi]; scores equal to the pivot belong to neither side.
 */
export function weightedMedian(
  stake: readonly Bits[],
  score: readonly Bits[],
  partition: readonly number[],
  minority: Bits,
  lo: Bits,
  hi: Bits,
): Bits {
  let part = partition;
  let low = lo;
  let high = hi;
  for (;;) {
    if (part.length === 0) return 0n;
    if (part.length === 1) return score[part[0] as number] as Bits;
    const pivot = score[part[Math.floor(part.length / 2)] as number] as Bits;
    let loStake = 0n;
    let hiStake = 0n;
    const lower: number[] = [];
    const upper: number[] = [];
    for (const idx of part) {
      const s = score[idx] as Bits;
      if (s === pivot) continue;
      if (s < pivot) {
        loStake = add32(loStake, stake[idx] as Bits);
        lower.push(idx);
      } else {
        hiStake = add32(hiStake, stake[idx] as Bits);
        upper.push(idx);
      }
    }
    const loEdge = add32(low, loStake);
    const hiEdge = sub32(high, hiStake);
    if (loEdge <= minority && minority < hiEdge) return pivot;
    if (minority < loEdge && lower.length > 0) {
      part = lower;
      high = loEdge;
    } else if (hiEdge <= minority && upper.length > 0) {
      part = upper;
      low = hiEdge;
    } else {
      return pivot;
    }
  }
}

/** `weighted_median_col_sparse`: the median of each column over the rows with positive stake. */
export function weightedMedianColumns(
  stake: readonly Bits[],
  rows: readonly (readonly (readonly [number, Bits])[])[],
  columns: number,
  majority: Bits,
): Bits[] {
  const positive = stake.map((s, r) => [s, r] as const).filter(([s]) => s > 0n);
  const useStake = normalize32(positive.map(([s]) => s));
  const stakeSum = sum32(useStake);
  const minority = sub32(stakeSum, majority);
  const byColumn: Bits[][] = Array.from({ length: columns }, () => new Array(useStake.length).fill(0n));
  positive.forEach(([, r], k) => {
    for (const [c, value] of rows[r] ?? []) {
      const column = byColumn[c];
      if (column) column[k] = value;
    }
  });
  const all = useStake.map((_, k) => k);
  return byColumn.map((scores) => weightedMedian(useStake, scores, all, minority, 0n, stakeSum));
}

/** Masks a stored weights matrix as the epoch does, before its row normalisation. */
function maskedRow(input: ConsensusInput, uid: number, permitted: readonly boolean[]): [number, Bits][] {
  if (!permitted[uid]) return [];
  const n = input.neurons.length;
  const self = input.neurons[uid] as ConsensusNeuron;
  const commitBlock = input.commitBlocks?.get(uid);
  const row: [number, Bits][] = [];
  for (const [j, value] of input.weights.get(uid) ?? []) {
    if (j >= n) continue;
    if (j === uid && j !== input.ownerUid) continue;
    const registered = input.neurons[j]?.blockAtRegistration ?? 0;
    if (self.lastUpdate <= registered) continue;
    if (commitBlock !== undefined && commitBlock < registered) continue;
    row.push([j, BigInt(value) << 32n]);
  }
  return row;
}

export function yumaConsensus(input: ConsensusInput): YumaConsensus {
  const n = input.neurons.length;
  const filtered = input.neurons.map((neuron, uid) =>
    uid !== input.ownerUid && neuron.stakeRao < input.stakeThreshold ? 0n : neuron.stakeRao,
  );
  const stake = normalizeAmountsTo32(filtered);
  const permitted = input.neurons.map((neuron, uid) => neuron.validatorPermit || uid === input.ownerUid);
  const inactive = input.neurons.map((neuron) => neuron.lastUpdate + input.activityCutoff < input.block);
  const activeStake = normalize32(stake.map((s, uid) => (inactive[uid] || !permitted[uid] ? 0n : s)));

  const weights = input.neurons.map((_, uid) => {
    const row = maskedRow(input, uid, permitted);
    const rowSum = sum32(row.map(([, v]) => v));
    return rowSum > 0n ? row.map(([j, v]) => [j, div32(v, rowSum)] as [number, Bits]) : row;
  });
  const consensus = weightedMedianColumns(activeStake, weights, n, u16Proportion(input.kappa));
  const clipped = weights.map((row) =>
    row.flatMap(([j, v]): [number, Bits][] => {
      const c = consensus[j] as Bits;
      if (c < v) return c > 0n ? [[j, c]] : [];
      return [[j, v]];
    }),
  );
  const validatorTrust = clipped.map((row) => sum32(row.map(([, v]) => v)));
  const standing = input.neurons.map((_, uid): ValidatorStanding => {
    if (!permitted[uid]) return "no_permit";
    if (inactive[uid]) return "inactive";
    if ((activeStake[uid] as Bits) === 0n) return "no_stake";
    if ((weights[uid] as unknown[]).length === 0) return "no_weights";
    return "counted";
  });
  return { block: input.block, n, stake, activeStake, standing, weights, consensus, clipped, validatorTrust };
}

/** One uid where a validator's weight and the consensus part. */
export interface Disagreement {
  readonly uid: number;
  /** The validator's normalised weight on it. */
  readonly weight: number;
  readonly consensus: number;
  /** weight − consensus: above zero the validator loses it to the clip; below, it gives less than most. */
  readonly gap: number;
}

export interface Agreement {
  readonly uid: number;
  readonly standing: ValidatorStanding;
  /** The share of its weight that survives the clip (its validator trust); 0 where its weights do not count. */
  readonly agreement: number;
  readonly agreementBits: Bits;
  /** Uids where it gives more than consensus: weight lost, largest first. */
  readonly over: readonly Disagreement[];
  /** Uids where it gives less than consensus: models it may have missed, largest first. */
  readonly under: readonly Disagreement[];
}

export function agreementOf(result: YumaConsensus, uid: number): Agreement {
  const row = new Map(result.weights[uid] ?? []);
  const over: Disagreement[] = [];
  const under: Disagreement[] = [];
  result.consensus.forEach((c, j) => {
    const w = row.get(j) ?? 0n;
    if (w === c) return;
    const entry = {
      uid: j,
      weight: toNumber32(w),
      consensus: toNumber32(c),
      gap: toNumber32(w) - toNumber32(c),
    };
    (w > c ? over : under).push(entry);
  });
  over.sort((a, b) => b.gap - a.gap || a.uid - b.uid);
  under.sort((a, b) => a.gap - b.gap || a.uid - b.uid);
  const trust = result.validatorTrust[uid] ?? 0n;
  return {
    uid,
    standing: result.standing[uid] ?? "no_permit",
    agreement: toNumber32(trust),
    agreementBits: trust,
    over,
    under,
  };
}

/**
 * The input as it would be once `uid` sets these weights at `input.block`: the chain stores the row
 * max-upscaled and records the block as its last update (so it is active and its weights are fresh).
 */
export function withWeights(
  input: ConsensusInput,
  uid: number,
  sent: { readonly uids: readonly number[]; readonly weights: readonly number[] },
): ConsensusInput {
  const stored = maxUpscaleU16(sent.weights);
  const weights = new Map(input.weights);
  weights.set(
    uid,
    sent.uids.map((j, i) => [j, stored[i] as number] as const),
  );
  const neurons = input.neurons.map((neuron) =>
    neuron.uid === uid ? { ...neuron, lastUpdate: input.block } : neuron,
  );
  // A commit sent now masks nothing (no uid registered after it); an older unexpired one stays the earliest.
  return { ...input, neurons, weights };
}

/** The stake share of validators whose weights count, per uid, as plain fractions. */
export function stakeShares(result: YumaConsensus): number[] {
  return result.activeStake.map(toNumber32);
}
