import { compactFromU8a, compactToU8a, u8aConcat } from "@polkadot/util";
import { QUICKNET } from "./timelock.js";

/**
 * The pure half of timelocked commit-reveal (COMMIT-REVEAL.md §1–2): the SCALE payload the chain decrypts,
 * the epochs it reveals in, and the drand round a commit is locked to. No I/O.
 */

/** `CommitRevealWeightsVersion` sn11 produces: the `tle` ciphertext of a `WeightsTlockPayload` with hotkey. */
export const SUPPORTED_COMMIT_REVEAL_VERSION = 4;
/** `MAX_CRV3_COMMIT_SIZE_BYTES`: the chain's bound on a commit. */
export const MAX_COMMIT_BYTES = 5000;
/** The chain keeps at most this many unrevealed commits per hotkey and epoch. */
export const MAX_UNREVEALED_COMMITS = 10;
/** The SDK targets the reveal epoch's first block plus this (bittensor-drand `SECURITY_BLOCK_OFFSET`). */
export const SECURITY_BLOCK_OFFSET = 3;
/** A commit this close before an epoch boundary could land in either epoch: sn11 waits for the boundary. */
export const EPOCH_GUARD_BLOCKS = 3;
/** The block time the SDK assumes when it turns blocks into drand rounds. */
export const BLOCK_TIME_SECONDS = 12;

export interface TlockPayload {
  /** The committer's 32-byte public key; the chain reveals only when it equals the signer. */
  readonly hotkey: Uint8Array;
  readonly uids: readonly number[];
  readonly values: readonly number[];
  readonly versionKey: bigint | number;
}

/** SCALE `Vec<u16>`. */
export function u16Vec(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`${v} is not a u16`);
    view.setUint16(i * 2, v, true);
  });
  return u8aConcat(compactToU8a(values.length), out);
}

/** SCALE `WeightsTlockPayload { hotkey: Vec<u8>, uids: Vec<u16>, values: Vec<u16>, version_key: u64 }`. */
export function encodeTlockPayload(payload: TlockPayload): Uint8Array {
  if (payload.hotkey.length !== 32) throw new RangeError("the hotkey is a 32-byte public key");
  const version = new Uint8Array(8);
  new DataView(version.buffer).setBigUint64(0, BigInt(payload.versionKey), true);
  return u8aConcat(compactToU8a(32), payload.hotkey, u16Vec(payload.uids), u16Vec(payload.values), version);
}

/** The chain's decode of a revealed plaintext; null where SCALE decoding fails, as the chain then skips it. */
export function decodeTlockPayload(bytes: Uint8Array): TlockPayload | null {
  let offset = 0;
  const compact = (): number | null => {
    if (offset >= bytes.length) return null;
    const [length, value] = compactFromU8a(bytes.subarray(offset));
    offset += length;
    const n = Number(value.toString());
    return Number.isSafeInteger(n) ? n : null;
  };
  const hotkeyLength = compact();
  if (hotkeyLength === null || hotkeyLength > bytes.length - offset) return null;
  const hotkey = bytes.slice(offset, offset + hotkeyLength);
  offset += hotkeyLength;
  const vec = (): number[] | null => {
    const n = compact();
    if (n === null || n * 2 > bytes.length - offset) return null;
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset, n * 2);
    offset += n * 2;
    return Array.from({ length: n }, (_, i) => view.getUint16(i * 2, true));
  };
  const uids = vec();
  const values = uids === null ? null : vec();
  if (uids === null || values === null || bytes.length - offset < 8) return null;
  const versionKey = new DataView(bytes.buffer, bytes.byteOffset + offset, 8).getBigUint64(0, true);
  return { hotkey, uids, values, versionKey };
}

/** Which epoch counter the runtime has: the legacy formula (spec ≤ 422) or `SubnetEpochIndex` (≥ 423). */
export type EpochSchedule = "legacy" | "epoch-index";

/** The legacy epoch of a block: (block + netuid + 1) / (tempo + 1). */
export function legacyEpoch(block: number, netuid: number, tempo: number): number {
  return Math.floor((block + netuid + 1) / (tempo + 1));
}

/** The first block of a legacy epoch (saturating at 0). */
export function legacyEpochStart(epoch: number, netuid: number, tempo: number): number {
  return Math.max(0, epoch * (tempo + 1) - (netuid + 1));
}

export interface Beacon {
  readonly publicKeyHex: string;
  readonly genesisTime: number;
  readonly period: number;
}

export const QUICKNET_BEACON: Beacon = QUICKNET;

/** The drand round published at or just before a moment: rounded down, never a not-yet-published round. */
export function roundAt(unixSeconds: number, beacon: Pick<Beacon, "genesisTime" | "period">): number {
  return Math.max(1, Math.floor((unixSeconds - beacon.genesisTime) / beacon.period));
}

export interface RevealPlan {
  readonly schedule: EpochSchedule;
  readonly commitEpoch: number;
  readonly revealEpoch: number;
  /** The first block of the reveal epoch, where the chain starts trying to reveal. */
  readonly firstRevealBlock: number;
  /** The last block of the reveal epoch: a commit not revealed by then is dropped. */
  readonly lastRevealBlock: number;
  readonly revealRound: number;
}

export interface RevealInputs {
  readonly netuid: number;
  readonly tempo: number;
  readonly revealPeriodEpochs: number;
  readonly currentBlock: number;
  readonly nowSeconds: number;
  readonly beacon: Pick<Beacon, "genesisTime" | "period">;
  readonly blockTimeSeconds?: number;
}

function roundForBlock(inputs: RevealInputs, targetBlock: number): number {
  const seconds =
    Math.max(targetBlock - inputs.currentBlock, 0) * (inputs.blockTimeSeconds ?? BLOCK_TIME_SECONDS);
  return roundAt(inputs.nowSeconds + seconds, inputs.beacon);
}

/** The SDK's `reveal_round` (bittensor-drand `generate_commit`) on the legacy epoch formula. */
export function planLegacyReveal(inputs: RevealInputs): RevealPlan {
  const { netuid, tempo } = inputs;
  const commitEpoch = legacyEpoch(inputs.currentBlock, netuid, tempo);
  const revealEpoch = commitEpoch + inputs.revealPeriodEpochs;
  const firstRevealBlock = legacyEpochStart(revealEpoch, netuid, tempo);
  return {
    schedule: "legacy",
    commitEpoch,
    revealEpoch,
    firstRevealBlock,
    lastRevealBlock: legacyEpochStart(revealEpoch + 1, netuid, tempo) - 1,
    revealRound: roundForBlock(inputs, firstRevealBlock + SECURITY_BLOCK_OFFSET),
  };
}

/**
 * The same on runtimes with `SubnetEpochIndex`, where an epoch is `tempo` blocks from the chain's own next
 * epoch start (the SDK's legacy formula drifts a block per epoch there): reveal window S … S + tempo with
 * S = next start + (period − 1)·tempo.
 */
export function planIndexedReveal(
  inputs: RevealInputs & { readonly epochIndex: number; readonly nextEpochStart: number },
): RevealPlan {
  const firstRevealBlock = inputs.nextEpochStart + (inputs.revealPeriodEpochs - 1) * inputs.tempo;
  return {
    schedule: "epoch-index",
    commitEpoch: inputs.epochIndex,
    revealEpoch: inputs.epochIndex + inputs.revealPeriodEpochs,
    firstRevealBlock,
    lastRevealBlock: firstRevealBlock + inputs.tempo - 1,
    revealRound: roundForBlock(inputs, firstRevealBlock + SECURITY_BLOCK_OFFSET),
  };
}

/** The block to wait for before committing, or null when now is safe (not just before an epoch boundary). */
export function commitGuard(currentBlock: number, nextEpochStart: number): number | null {
  return nextEpochStart - currentBlock <= EPOCH_GUARD_BLOCKS ? nextEpochStart : null;
}

/**
 * The plan as the chain will run it, once the commit's inclusion block is known: the chain files a commit
 * under the epoch of the block that includes it, which can be later than the one the plan was made at (the
 * plan is made at the finalized block). The round stays as committed. On `SubnetEpochIndex` runtimes the
 * epoch is not a function of the block, so the plan stays as made.
 */
export function planAtInclusion(
  plan: RevealPlan,
  inclusion: { block: number; netuid: number; tempo: number; revealPeriodEpochs: number },
): RevealPlan {
  if (plan.schedule !== "legacy") return plan;
  const window = legacyRevealWindow(inclusion);
  return window.commitEpoch === plan.commitEpoch ? plan : { ...plan, ...window };
}

/** The epochs and blocks of a commit included at `block`, on the legacy schedule. */
export function legacyRevealWindow(inclusion: {
  block: number;
  netuid: number;
  tempo: number;
  revealPeriodEpochs: number;
}): Pick<RevealPlan, "commitEpoch" | "revealEpoch" | "firstRevealBlock" | "lastRevealBlock"> {
  const { netuid, tempo } = inclusion;
  const commitEpoch = legacyEpoch(inclusion.block, netuid, tempo);
  const revealEpoch = commitEpoch + inclusion.revealPeriodEpochs;
  return {
    commitEpoch,
    revealEpoch,
    firstRevealBlock: legacyEpochStart(revealEpoch, netuid, tempo),
    lastRevealBlock: legacyEpochStart(revealEpoch + 1, netuid, tempo) - 1,
  };
}
