/**
 * The owner's submission rate limit (DIPPY-SPEC §4.2): a hotkey's new entry committed fewer than `limit`
 * blocks after its previous one is FAILED, unless that previous one FAILED (a retry is allowed) or it is
 * the same entry. `freesAt` is the first block a new commitment passes.
 */
export function submissionRateLimit(
  o: {
    readonly previousBlock: number;
    readonly previousFailed: boolean;
    readonly sameEntry: boolean;
    readonly block: number;
  },
  limit: number,
): { readonly limited: false } | { readonly limited: true; readonly gap: number; readonly freesAt: number } {
  const gap = o.block - o.previousBlock;
  if (o.sameEntry || o.previousFailed || gap <= 0 || gap >= limit) return { limited: false };
  return { limited: true, gap, freesAt: o.previousBlock + limit };
}
