/**
 * The two fixed-point types of Subtensor's epoch (substrate-fixed): I32F32 (an i64 of bits, 32 fractional)
 * and I64F64 (an i128 of bits, 64 fractional), as bigints of their bits. The epoch's consensus is a
 * median of these bits: floats would pick a different pivot on ties the chain breaks by exact equality.
 *
 * Rounding follows the crate: a product drops its low bits with an arithmetic shift (toward −∞), a
 * quotient truncates toward zero, a fixed-to-fixed conversion drops the extra fractional bits (toward −∞).
 */

export type Bits = bigint;

const I64_MAX = (1n << 63n) - 1n;
const I64_MIN = -(1n << 63n);
const FRAC32 = 32n;
const FRAC64 = 64n;

export const ONE_32: Bits = 1n << FRAC32;
export const ZERO: Bits = 0n;

function saturate64(bits: bigint): Bits {
  return bits > I64_MAX ? I64_MAX : bits < I64_MIN ? I64_MIN : bits;
}

/** `I32F32::saturating_from_num(n)` for an integer. */
export function fromInt32(n: number | bigint): Bits {
  return saturate64(BigInt(n) << FRAC32);
}

export function add32(a: Bits, b: Bits): Bits {
  return saturate64(a + b);
}

/** `saturating_sub`. */
export function sub32(a: Bits, b: Bits): Bits {
  return saturate64(a - b);
}

/** `saturating_mul`: the wide product shifted back (toward −∞), clamped. */
export function mul32(a: Bits, b: Bits): Bits {
  return saturate64((a * b) >> FRAC32);
}

/** `safe_div` (safe_math): the checked quotient, or zero where it divides by zero or overflows. */
export function div32(a: Bits, b: Bits): Bits {
  if (b === 0n) return 0n;
  const quotient = (a << FRAC32) / b;
  return quotient > I64_MAX || quotient < I64_MIN ? 0n : quotient;
}

export function sum32(values: Iterable<Bits>): Bits {
  let total = 0n;
  for (const v of values) total = add32(total, v);
  return total;
}

/** `inplace_normalize`: each over the sum, unchanged where the sum is zero. */
export function normalize32(values: readonly Bits[]): Bits[] {
  const total = sum32(values);
  if (total === 0n) return [...values];
  return values.map((v) => div32(v, total));
}

/** `inplace_normalize_64` of integer amounts (rao), then `vec_fixed64_to_fixed32`. */
export function normalizeAmountsTo32(amounts: readonly bigint[]): Bits[] {
  const bits64 = amounts.map((a) => a << FRAC64);
  const total = bits64.reduce((s, v) => s + v, 0n);
  if (total === 0n) return bits64.map((v) => v >> FRAC32);
  return bits64.map((v) => ((v << FRAC64) / total) >> FRAC32);
}

/** `round()`: to the nearest integer, ties away from zero (bits of an integer value). */
export function round32(a: Bits): Bits {
  const half = 1n << (FRAC32 - 1n);
  const floor = (a >> FRAC32) << FRAC32;
  const fraction = a - floor;
  if (a >= 0n) return fraction >= half ? floor + ONE_32 : floor;
  return fraction > half ? floor + ONE_32 : floor;
}

/** `saturating_to_num::<u16>()`: the integer part (toward −∞), clamped to 0..65535. */
export function toU16(a: Bits): number {
  const int = a >> FRAC32;
  return int < 0n ? 0 : int > 65535n ? 65535 : Number(int);
}

/** `vec_u16_max_upscale_to_u16`: what the chain stores of a weights row it was sent. */
export function maxUpscaleU16(values: readonly number[]): number[] {
  if (values.length === 0) return [];
  const bits = values.map((v) => fromInt32(v));
  const u16Max = fromInt32(65535);
  const max = fromInt32(Math.max(...values));
  if (max === 0n) return bits.map((v) => toU16(mul32(v, u16Max)));
  if (max > fromInt32(32768)) return bits.map((v) => toU16(round32(mul32(v, div32(u16Max, max)))));
  return bits.map((v) => toU16(round32(div32(mul32(v, u16Max), max))));
}

/** For display and JSON: the value the bits stand for. */
export function toNumber32(a: Bits): number {
  return Number(a) / 2 ** 32;
}

/** `I32F32::saturating_from_num(x).safe_div(u16::MAX)`: a u16 proportion such as kappa. */
export function u16Proportion(x: number): Bits {
  return div32(fromInt32(x), fromInt32(65535));
}
