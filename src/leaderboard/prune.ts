/** What deregistration looks at for one uid (subtensor `get_neuron_to_prune`, with emission as the score). */
export interface PruneCandidate {
  readonly uid: number;
  readonly emissionRao: bigint;
  readonly registeredAt: number;
  readonly immune: boolean;
  /** The owner's own hotkeys are never pruned. */
  readonly immortal?: boolean;
}

/** Immune while fewer than `immunityPeriod` blocks have passed since registration (`get_neuron_is_immune`). */
export function isImmune(head: number, registeredAt: number, immunityPeriod: number): boolean {
  return head - registeredAt < immunityPeriod;
}

/**
 * The uid the next registration replaces: the non-immune uid with the lowest emission, ties to the earliest
 * registration, then the lowest uid; only when every uid is immune, the same rule among the immune ones.
 * Null for an empty subnet.
 */
export function pruneNext(candidates: readonly PruneCandidate[]): number | null {
  const pick = (pool: readonly PruneCandidate[]) =>
    pool.reduce<PruneCandidate | null>((best, c) => {
      if (!best) return c;
      if (c.emissionRao !== best.emissionRao) return c.emissionRao < best.emissionRao ? c : best;
      if (c.registeredAt !== best.registeredAt) return c.registeredAt < best.registeredAt ? c : best;
      return c.uid < best.uid ? c : best;
    }, null);
  const mortal = candidates.filter((c) => !c.immortal);
  const open = mortal.filter((c) => !c.immune);
  return (open.length > 0 ? pick(open) : pick(mortal))?.uid ?? null;
}
