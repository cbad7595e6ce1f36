import { z } from "zod";
import type { ConsensusInput } from "./consensus.js";

/**
 * The `consensus` section of a replay snapshot (`sn11 snapshot --consensus`): what Yuma consensus reads
 * at the snapshot's block, so `sn11 consensus --snapshot` works offline. Index = uid, as `hotkeys`.
 */
const u16 = z.number().int().min(0).max(65535);
const block = z.number().int().nonnegative();
const rao = z.string().regex(/^\d+$/, "an amount of rao as a decimal string");

export const consensusSectionSchema = z.object({
  kappa: u16,
  activity_cutoff: block,
  stake_threshold: rao,
  owner_uid: z.number().int().nonnegative().nullable(),
  weights_rate_limit: block,
  weights_version: z.number().int().nonnegative(),
  neurons: z.array(
    z.object({
      stake_rao: rao,
      validator_permit: z.boolean(),
      last_update: block,
      block_at_registration: block,
    }),
  ),
  /** uid → the stored row, [uid, u16] pairs. */
  weights: z.record(z.string().regex(/^\d+$/), z.array(z.tuple([u16, u16]))),
  commit_blocks: z.record(z.string().regex(/^\d+$/), block).default({}),
});

export type ConsensusSection = z.infer<typeof consensusSectionSchema>;

export function consensusSection(
  input: ConsensusInput,
  limits: { weightsRateLimit: number; weightsVersion: number },
): ConsensusSection {
  return {
    kappa: input.kappa,
    activity_cutoff: input.activityCutoff,
    stake_threshold: input.stakeThreshold.toString(),
    owner_uid: input.ownerUid,
    weights_rate_limit: limits.weightsRateLimit,
    weights_version: limits.weightsVersion,
    neurons: input.neurons.map((n) => ({
      stake_rao: n.stakeRao.toString(),
      validator_permit: n.validatorPermit,
      last_update: n.lastUpdate,
      block_at_registration: n.blockAtRegistration,
    })),
    weights: Object.fromEntries(
      [...input.weights].map(([uid, row]) => [String(uid), row.map(([j, v]) => [j, v])]),
    ),
    commit_blocks: Object.fromEntries([...(input.commitBlocks ?? [])].map(([uid, b]) => [String(uid), b])),
  } as ConsensusSection;
}

export function consensusInputOf(section: ConsensusSection, blockNumber: number): ConsensusInput {
  return {
    block: blockNumber,
    kappa: section.kappa,
    activityCutoff: section.activity_cutoff,
    stakeThreshold: BigInt(section.stake_threshold),
    ownerUid: section.owner_uid,
    neurons: section.neurons.map((n, uid) => ({
      uid,
      stakeRao: BigInt(n.stake_rao),
      validatorPermit: n.validator_permit,
      lastUpdate: n.last_update,
      blockAtRegistration: n.block_at_registration,
    })),
    weights: new Map(Object.entries(section.weights).map(([uid, row]) => [Number(uid), row])),
    commitBlocks: new Map(Object.entries(section.commit_blocks).map(([uid, b]) => [Number(uid), b])),
  };
}
