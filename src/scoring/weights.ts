import { f32, roundHalfEven, sumF32 } from "./float32.js";
import type { ScoringProfile } from "./profile.js";

export interface StepWeights {
  /** The normalised step vector (sum 1, or all 0), one value per uid. */
  readonly normalized: Float32Array;
  /** What the reference holds after its moving average, the vector it hands to `set_weights`. */
  readonly held: Float32Array;
}

/** Softmax in float32 with max subtraction; an all −∞ input gives NaN, as torch does. */
export function softmaxF32(x: Float32Array): Float32Array {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of x) if (v > max) max = v;
  const exps = x.map((v) => f32(Math.exp(f32(v - max))));
  const total = sumF32(exps);
  return exps.map((e) => f32(e / total));
}

function scaleF32(x: Float32Array, factor: number): Float32Array {
  const k = f32(factor);
  return x.map((v) => f32(v * k));
}

/**
 * The reference's weight computation (DIPPY-SPEC §5.6.4) from per-uid win rates (−∞ for no weight):
 * softmax(x / T) → burn overwrite → normalise → scatter → normalise → moving average → NaN to 0.
 * `previous` is only used by a profile whose moving average keeps memory between steps.
 */
export function computeStepWeights(
  winRates: readonly number[],
  profile: ScoringProfile,
  previous?: Float32Array,
): StepWeights {
  const n = winRates.length;
  const temperature = f32(profile.softmaxTemperature);
  const scaled = Float32Array.from(winRates, (r) => f32(f32(r) / temperature));
  let w = softmaxF32(scaled);
  const burn = profile.burn;
  if (burn && burn.uid < n) {
    w = scaleF32(w, 1 - burn.ratio);
    w[burn.uid] = burn.ratio;
  }
  const total = sumF32(w);
  w = w.map((v) => f32(v / total));
  // Scatter into a vector of metagraph length (registry uids are the metagraph's), then normalise again.
  const normalized = scaleF32(w, f32(1 / sumF32(w)));
  const { alpha, resetEachStep } = profile.movingAverage;
  const base = resetEachStep || !previous ? new Float32Array(n) : previous;
  const held = normalized.map((v, i) => f32(f32(alpha * (base[i] ?? 0)) + f32(f32(1 - alpha) * v)));
  return { normalized: nanToZero(normalized), held: nanToZero(held) };
}

function nanToZero(x: Float32Array): Float32Array {
  return x.map((v) => (Number.isNaN(v) ? 0 : v));
}

export interface EmittedWeights {
  readonly uids: number[];
  readonly weights: number[];
}

export const U16_MAX = 65535;

/**
 * The bittensor SDK's `convert_weights_and_uids_for_emit` (9.0.x): float32 inputs, divide by the max in
 * float64, scale to 65535, round half to even, drop zeros. The SDK's `process_weights_for_netuid` is not
 * applied because the reference passes its weights straight to `set_weights`.
 */
export function toEmittedWeights(weights: ArrayLike<number>, uids?: readonly number[]): EmittedWeights {
  const values = Array.from(weights, (w) => f32(w));
  const ids = uids ?? values.map((_, i) => i);
  if (values.length !== ids.length) throw new RangeError("uids and weights differ in length");
  if (values.some((v) => v < 0 || Number.isNaN(v)))
    throw new RangeError("weights must be non-negative numbers");
  let total = 0;
  let max = 0;
  for (const v of values) {
    total += v;
    if (v > max) max = v;
  }
  const out: EmittedWeights = { uids: [], weights: [] };
  if (total === 0) return out;
  const order = ids.map((uid, i) => [uid, i] as const).sort((a, b) => a[0] - b[0]);
  for (const [uid, i] of order) {
    const u16 = roundHalfEven(((values[i] as number) / max) * U16_MAX);
    if (u16 !== 0) {
      out.uids.push(uid);
      out.weights.push(u16);
    }
  }
  return out;
}
