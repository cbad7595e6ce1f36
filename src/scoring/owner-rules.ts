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

/**
 * The owner's copied-weights rule (DIPPY-SPEC §4.2): an entry whose model hash an entry committed at an
 * earlier block already has is a copy of the earliest of those (COMPLETED with 0, as the reference records
 * it). `sameHash` in queue order, which breaks a tie on the block; null when the entry is the original.
 */
export function copiedFrom<T extends { readonly commitBlock: number }>(
  sameHash: readonly T[],
  block: number,
): T | null {
  let original: T | null = null;
  for (const entry of sameHash) {
    if (entry.commitBlock < block && (original === null || entry.commitBlock < original.commitBlock))
      original = entry;
  }
  return original;
}
