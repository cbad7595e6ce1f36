/** Float32 arithmetic as numpy/torch do it: every intermediate rounded to single precision. */
export const f32 = Math.fround;

export function sumF32(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s = f32(s + (values[i] as number));
  return s;
}

/** Python's round(): halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}
