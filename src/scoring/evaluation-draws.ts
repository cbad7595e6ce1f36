/**
 * The two random choices of an evaluation that change its score, as rules on a uniform draw (the caller's
 * seeded generator makes the draw): where the judge stage cuts a conversation, and the temperature.
 */

/**
 * The prefix lengths the cut draws from (DIPPY-SPEC §2.4): from half the messages allowed (at least one)
 * to all of them, inclusive; null when the conversation has none.
 */
export function cutWindow(
  messages: number,
  maxMessages: number,
): { readonly from: number; readonly to: number } | null {
  const allowed = Math.min(messages, maxMessages);
  if (allowed <= 0) return null;
  return { from: Math.max(1, Math.floor(allowed / 2)), to: allowed };
}

/** The evaluation's temperature from a draw in [0, 1): uniform over the profile's [min, max). */
export function temperatureOf(unit: number, range: { readonly min: number; readonly max: number }): number {
  return range.min + unit * (range.max - range.min);
}
