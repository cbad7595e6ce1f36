import { randomBytes } from "node:crypto";
import { compactFromU8a, u8aConcat, u8aToHex } from "@polkadot/util";
import { blake2AsU8a } from "@polkadot/util-crypto";
import { u16Vec } from "./commit-reveal.js";

/**
 * Hash commit-reveal ("v2": `commit_weights`, then `reveal_weights` in the reveal epoch), which the chain
 * still accepts with commit-reveal on (COMMIT-REVEAL.md §4): for runtimes that refuse timelocked commits.
 * Pure but for the salt.
 */

/** The SDK's salt: eight random u16. */
export const SALT_LENGTH = 8;

export function randomSalt(): number[] {
  const bytes = randomBytes(SALT_LENGTH * 2);
  return Array.from({ length: SALT_LENGTH }, (_, i) => bytes.readUInt16LE(i * 2));
}

export interface HashCommitInput {
  /** The committer's 32-byte public key. */
  readonly hotkey: Uint8Array;
  /** The storage index (mechanism 0: the netuid). */
  readonly netuid: number;
  readonly uids: readonly number[];
  readonly values: readonly number[];
  readonly salt: readonly number[];
  readonly versionKey: bigint | number;
}

/** SCALE `(AccountId32, u16, Vec<u16>, Vec<u16>, Vec<u16>, u64)`: what the chain hashes (weights.rs). */
export function hashCommitPreimage(input: HashCommitInput): Uint8Array {
  if (input.hotkey.length !== 32) throw new RangeError("the hotkey is a 32-byte public key");
  const netuid = new Uint8Array(2);
  new DataView(netuid.buffer).setUint16(0, input.netuid, true);
  const version = new Uint8Array(8);
  new DataView(version.buffer).setBigUint64(0, BigInt(input.versionKey), true);
  return u8aConcat(
    input.hotkey,
    netuid,
    u16Vec(input.uids),
    u16Vec(input.values),
    u16Vec(input.salt),
    version,
  );
}

/** `BlakeTwo256::hash_of` the preimage, as `commit_weights` takes it (hex). */
export function weightsCommitHash(input: HashCommitInput): string {
  return u8aToHex(blake2AsU8a(hashCommitPreimage(input), 256));
}

/** Reads back what `hashCommitPreimage` wrote; null when the bytes are not such a preimage. */
export function decodeHashPreimage(bytes: Uint8Array): HashCommitInput | null {
  if (bytes.length < 34) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 34;
  const vec = (): number[] | null => {
    if (offset >= bytes.length) return null;
    const [length, value] = compactFromU8a(bytes.subarray(offset));
    const n = Number(value.toString());
    offset += length;
    if (n * 2 > bytes.length - offset) return null;
    const out = Array.from({ length: n }, (_, i) => view.getUint16(offset + i * 2, true));
    offset += n * 2;
    return out;
  };
  const uids = vec();
  const values = uids && vec();
  const salt = values && vec();
  if (!uids || !values || !salt || bytes.length - offset !== 8) return null;
  return {
    hotkey: bytes.slice(0, 32),
    netuid: view.getUint16(32, true),
    uids,
    values,
    salt,
    versionKey: view.getBigUint64(offset, true),
  };
}

/** What any weights commit carries: the signer and the u16 vector set_weights would carry. */
export interface CommittedWeights {
  readonly hotkey: string;
  readonly uids: readonly number[];
  readonly values: readonly number[];
  readonly versionKey: number;
}

/** One hashed weights commit, as sent and as recorded (its salt stays in the store until the reveal). */
export interface HashedCommit extends CommittedWeights {
  readonly mode: "hash";
  readonly salt: readonly number[];
  readonly preimageHex: string;
  readonly hashHex: string;
}

export function buildHashedCommit(input: {
  hotkey: string;
  hotkeyPublicKey: Uint8Array;
  netuid: number;
  uids: readonly number[];
  values: readonly number[];
  versionKey: number;
  salt?: readonly number[];
}): HashedCommit {
  const fields = {
    hotkey: input.hotkeyPublicKey,
    netuid: input.netuid,
    uids: input.uids,
    values: input.values,
    salt: input.salt ?? randomSalt(),
    versionKey: input.versionKey,
  };
  return {
    mode: "hash",
    hotkey: input.hotkey,
    uids: [...input.uids],
    values: [...input.values],
    versionKey: input.versionKey,
    salt: [...fields.salt],
    preimageHex: u8aToHex(hashCommitPreimage(fields)),
    hashHex: weightsCommitHash(fields),
  };
}
