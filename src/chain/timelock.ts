import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { bls12_381 as bls } from "@noble/curves/bls12-381.js";
import { sha256 } from "@noble/hashes/sha2.js";

/**
 * drand timelock encryption exactly as Subtensor decrypts it: ideal-lab5 `tle` (Boneh-Franklin FullIdent
 * IBE over "TinyBLS381" — identities and signatures on G1, keys on G2 — with AES-256-GCM), serialized as
 * arkworks' compressed `TLECiphertext<TinyBLS381>` (COMMIT-REVEAL.md §1.5–1.6). Not drand's tlock-js,
 * whose hashes differ: the chain accepts such a commit and can never reveal it. Pure: no I/O.
 */

/** drand quicknet, the beacon the chain's `Drand.BeaconConfig` defaults to. */
export const QUICKNET = {
  publicKeyHex:
    "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a",
  genesisTime: 1692803367,
  period: 3,
} as const;

/** The hash-to-curve suite of `bls-unchained-g1-rfc9380`, the scheme of quicknet. */
export const QUICKNET_DST = "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_";

const G1 = bls.G1.Point;
const G2 = bls.G2.Point;
const { Fr } = bls.fields;
const CIPHER_SUITE = new TextEncoder().encode("AES_GCM_");
const G2_COMPRESSED = 96;
const G1_COMPRESSED = 48;
const NONCE = 12;
const TAG = 16;
/** U, two length-prefixed 32-byte vectors, the body's three length prefixes, nonce, tag and the suite. */
export const TLE_OVERHEAD = G2_COMPRESSED + 2 * (8 + 32) + 3 * 8 + TAG + NONCE + 8 + CIPHER_SUITE.length;

/** A ciphertext or signature that does not decode or decrypt; never anything else escapes the decoder. */
export class TimelockError extends Error {}

export interface TleCiphertext {
  readonly u: Uint8Array;
  readonly v: Uint8Array;
  readonly w: Uint8Array;
  readonly aesCiphertext: Uint8Array;
  readonly nonce: Uint8Array;
  readonly cipherSuite: Uint8Array;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function u64le(n: number | bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  return out;
}

/** arkworks' `Vec<u8>` encoding: a u64 little-endian length, then the bytes. */
function arkVec(bytes: Uint8Array): Uint8Array {
  return concat(u64le(bytes.length), bytes);
}

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  return a.map((x, i) => x ^ (b[i] as number));
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(bytes).toString("hex") || "0"}`);
}

function le48(x: bigint): Uint8Array {
  const out = new Uint8Array(48);
  let rest = x;
  for (let i = 0; i < 48; i++, rest >>= 8n) out[i] = Number(rest & 0xffn);
  return out;
}

interface Fp2 {
  c0: bigint;
  c1: bigint;
}
interface Fp6 {
  c0: Fp2;
  c1: Fp2;
  c2: Fp2;
}
interface Fp12 {
  c0: Fp6;
  c1: Fp6;
}

/** arkworks' serialization of a GT element: c0 then c1 of each extension, each Fp 48 bytes little-endian. */
function gtBytes(gt: Fp12): Uint8Array {
  return concat(
    ...[gt.c0, gt.c1].flatMap((f6) => [f6.c0, f6.c1, f6.c2].flatMap((f2) => [le48(f2.c0), le48(f2.c1)])),
  );
}

const h2 = (gt: Fp12) => sha256(gtBytes(gt));
const h3 = (sigma: Uint8Array, message: Uint8Array) =>
  Fr.create(bytesToBigInt(sha256(concat(sigma, message))));
const h4 = (sigma: Uint8Array) => sha256(sigma);

/** The IBE identity of a drand round: sha256 of the round as a big-endian u64. */
export function roundIdentity(round: number | bigint): Uint8Array {
  const be = new Uint8Array(8);
  new DataView(be.buffer).setBigUint64(0, BigInt(round), false);
  return sha256(be);
}

function identityPoint(round: number | bigint) {
  return bls.G1.hashToCurve(roundIdentity(round), { DST: QUICKNET_DST }) as unknown as InstanceType<
    typeof G1
  >;
}

function parseG2(hex: string) {
  try {
    return G2.fromHex(hex.replace(/^0x/, ""));
  } catch (error) {
    throw new TimelockError(`not a compressed BLS12-381 G2 public key: ${(error as Error).message}`);
  }
}

export interface EncryptOptions {
  /** The beacon's G2 public key (hex); quicknet's when absent. */
  readonly publicKeyHex?: string;
  /** For known-answer tests only: production draws all three at random. */
  readonly esk?: Uint8Array;
  readonly sigma?: Uint8Array;
  readonly nonce?: Uint8Array;
}

/** Encrypts `message` so that it opens with the beacon's signature of `round`. Output: 244 + length bytes. */
export function tlockEncrypt(message: Uint8Array, round: number | bigint, options: EncryptOptions = {}) {
  const esk = options.esk ?? new Uint8Array(randomBytes(32));
  const sigma = options.sigma ?? new Uint8Array(randomBytes(32));
  const nonce = options.nonce ?? new Uint8Array(randomBytes(NONCE));
  if (esk.length !== 32 || sigma.length !== 32 || nonce.length !== NONCE)
    throw new TimelockError("esk and sigma take 32 bytes, the nonce 12");
  const publicKey = parseG2(options.publicKeyHex ?? QUICKNET.publicKeyHex);
  const r = h3(sigma, esk);
  const u = G2.BASE.multiply(r);
  const gId = bls.pairing(identityPoint(round), publicKey.multiply(r)) as unknown as Fp12;
  const v = xor(sigma, h2(gId));
  const w = xor(esk, h4(sigma));
  const cipher = createCipheriv("aes-256-gcm", esk, nonce);
  const aes = concat(cipher.update(message), cipher.final(), cipher.getAuthTag());
  return concat(
    u.toRawBytes(true),
    arkVec(v),
    arkVec(w),
    arkVec(concat(arkVec(aes), arkVec(nonce))),
    arkVec(CIPHER_SUITE),
  );
}

/**
 * Reads the ciphertext layout with every length checked against what is left, so a hostile input fails with
 * a TimelockError and allocates nothing. Trailing bytes are ignored, as the chain's decoder ignores them.
 */
export function decodeTleCiphertext(bytes: Uint8Array): TleCiphertext {
  let offset = 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const take = (n: number, what: string) => {
    if (n > bytes.length - offset) throw new TimelockError(`ciphertext ends inside ${what}`);
    const out = bytes.subarray(offset, offset + n);
    offset += n;
    return out;
  };
  const vec = (what: string, exact?: number) => {
    if (bytes.length - offset < 8) throw new TimelockError(`ciphertext ends before the length of ${what}`);
    const n = view.getBigUint64(offset, true);
    offset += 8;
    if (exact !== undefined && n !== BigInt(exact))
      throw new TimelockError(`${what} has ${n} bytes, expected ${exact}`);
    if (n > BigInt(bytes.length - offset)) throw new TimelockError(`${what} is longer than the ciphertext`);
    return take(Number(n), what);
  };
  const u = take(G2_COMPRESSED, "U");
  const v = vec("V", 32);
  const w = vec("W", 32);
  const body = vec("the body");
  const cipherSuite = vec("the cipher suite");
  const bodyStart = offset - cipherSuite.length - 8 - body.length;
  offset = bodyStart;
  const aesCiphertext = vec("the AES ciphertext");
  if (aesCiphertext.length < TAG) throw new TimelockError("the AES ciphertext is shorter than its tag");
  const nonce = vec("the nonce", NONCE);
  if (offset !== bodyStart + body.length)
    throw new TimelockError("the body's length does not match its parts");
  return { u, v, w, aesCiphertext, nonce, cipherSuite };
}

function parseSignature(signature: Uint8Array | string) {
  const hex =
    typeof signature === "string" ? signature.replace(/^0x/, "") : Buffer.from(signature).toString("hex");
  if (hex.length !== G1_COMPRESSED * 2)
    throw new TimelockError("a drand signature is 48 bytes (G1 compressed)");
  try {
    return G1.fromHex(hex);
  } catch (error) {
    throw new TimelockError(`not a G1 signature: ${(error as Error).message}`);
  }
}

/** Opens a ciphertext with the beacon's signature of its round; a wrong round or a forged ciphertext throws. */
export function tlockDecrypt(ciphertext: Uint8Array, signature: Uint8Array | string): Uint8Array {
  const ct = decodeTleCiphertext(ciphertext);
  if (Buffer.from(ct.cipherSuite).toString("latin1") !== "AES_GCM_")
    throw new TimelockError("unknown cipher suite");
  let u: InstanceType<typeof G2>;
  try {
    u = G2.fromHex(Buffer.from(ct.u).toString("hex"));
  } catch (error) {
    throw new TimelockError(`U is not a G2 point: ${(error as Error).message}`);
  }
  const sig = parseSignature(signature);
  const sigma = xor(ct.v, h2(bls.pairing(sig, u) as unknown as Fp12));
  const esk = xor(ct.w, h4(sigma));
  if (!G2.BASE.multiply(h3(sigma, esk)).equals(u))
    throw new TimelockError("the signature does not open this ciphertext (wrong round or key)");
  try {
    const decipher = createDecipheriv("aes-256-gcm", esk, ct.nonce);
    decipher.setAuthTag(ct.aesCiphertext.subarray(-TAG));
    return new Uint8Array(
      Buffer.concat([decipher.update(ct.aesCiphertext.subarray(0, -TAG)), decipher.final()]),
    );
  } catch {
    throw new TimelockError("AES-GCM authentication failed");
  }
}

/** drand's own pulse check: e(sig, g2) == e(H(round), pk). */
export function verifyPulse(
  round: number | bigint,
  signature: Uint8Array | string,
  publicKeyHex: string,
): boolean {
  try {
    const sig = parseSignature(signature);
    const left = bls.pairing(sig, G2.BASE);
    const right = bls.pairing(identityPoint(round), parseG2(publicKeyHex));
    return bls.fields.Fp12.eql(left, right);
  } catch {
    return false;
  }
}

/** A beacon's signature of a round from its master secret: what a devnet or a test beacon publishes. */
export function signRound(round: number | bigint, masterSecret: bigint): Uint8Array {
  return identityPoint(round).multiply(masterSecret).toRawBytes(true);
}

/** The G2 public key of a master secret (hex), as `Drand.BeaconConfig.public_key` carries it. */
export function beaconPublicKey(masterSecret: bigint): string {
  return G2.BASE.multiply(masterSecret).toHex(true);
}
