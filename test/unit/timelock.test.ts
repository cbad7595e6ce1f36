import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  beaconPublicKey,
  decodeTleCiphertext,
  QUICKNET,
  signRound,
  TimelockError,
  TLE_OVERHEAD,
  tlockDecrypt,
  tlockEncrypt,
  verifyPulse,
} from "../../src/chain/timelock.js";
import { HAS_SHARED, noteMissingShared, sharedFile } from "../support/shared.js";

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/^0x/, ""), "hex"));
const toHex = (b: Uint8Array) => Buffer.from(b).toString("hex");

interface Vectors {
  A: {
    round: number;
    signature: string;
    plaintext: string;
    esk: string;
    sigma: string;
    nonce: string;
    ciphertext: string;
  };
  B: { round: number; signature: string; plaintext: string; ciphertext: string };
  C: { masterSk: string; masterPk: string };
}

noteMissingShared("the commit-reveal vectors");
describe.skipIf(!HAS_SHARED)("drand timelock against COMMIT-REVEAL.md's vectors", () => {
  const v = HAS_SHARED
    ? (JSON.parse(readFileSync(sharedFile("fixtures/commit-reveal-vectors.json"), "utf8")) as Vectors)
    : ({} as Vectors);

  it("vector A: the deterministic encryption is reproduced byte for byte", () => {
    const ct = tlockEncrypt(hex(v.A.plaintext), v.A.round, {
      esk: hex(v.A.esk),
      sigma: hex(v.A.sigma),
      nonce: hex(v.A.nonce),
    });
    expect(toHex(ct)).toBe(v.A.ciphertext);
    expect(toHex(tlockDecrypt(ct, v.A.signature))).toBe(v.A.plaintext);
  });

  it("vector B: a ciphertext made by the compiled Rust timelock decrypts with quicknet's round-1000 pulse", () => {
    expect(toHex(tlockDecrypt(hex(v.B.ciphertext), v.B.signature))).toBe(v.B.plaintext);
  });

  it("the round-1000 pulse verifies against quicknet's key; another round's does not", () => {
    expect(verifyPulse(1000, v.A.signature, QUICKNET.publicKeyHex)).toBe(true);
    expect(verifyPulse(1001, v.A.signature, QUICKNET.publicKeyHex)).toBe(false);
  });

  it("vector C: our master key gives its public key, and round trips over random rounds and payloads", () => {
    const secret = BigInt(`0x${v.C.masterSk}`);
    expect(beaconPublicKey(secret)).toBe(v.C.masterPk);
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 2n ** 40n }),
        fc.uint8Array({ minLength: 0, maxLength: 400 }),
        (round, payload) => {
          const ct = tlockEncrypt(payload, round, { publicKeyHex: v.C.masterPk });
          expect(ct.length).toBe(TLE_OVERHEAD + payload.length);
          expect(TLE_OVERHEAD).toBe(244);
          expect(toHex(tlockDecrypt(ct, signRound(round, secret)))).toBe(toHex(payload));
        },
      ),
      { numRuns: 6 },
    );
  });

  it("a wrong round's signature, a wrong key's and a tampered body are refused", () => {
    const secret = BigInt(`0x${v.C.masterSk}`);
    const ct = tlockEncrypt(hex(v.A.plaintext), 12345, { publicKeyHex: v.C.masterPk });
    expect(() => tlockDecrypt(ct, signRound(12346, secret))).toThrow(TimelockError);
    expect(() => tlockDecrypt(ct, signRound(12345, secret + 1n))).toThrow(TimelockError);
    const tampered = ct.slice();
    tampered[200] = (tampered[200] as number) ^ 1;
    expect(() => tlockDecrypt(tampered, signRound(12345, secret))).toThrow(TimelockError);
  });
});

describe("the ciphertext decoder on hostile input", () => {
  const valid = tlockEncrypt(new Uint8Array(55).fill(7), 42, { publicKeyHex: beaconPublicKey(99n) });
  const signature = toHex(signRound(42, 99n));

  it("reads the layout of a valid ciphertext", () => {
    const parts = decodeTleCiphertext(valid);
    expect(parts.u.length).toBe(96);
    expect(parts.v.length).toBe(32);
    expect(parts.nonce.length).toBe(12);
    expect(Buffer.from(parts.cipherSuite).toString()).toBe("AES_GCM_");
    expect(parts.aesCiphertext.length).toBe(55 + 16);
  });

  it.each([
    ["empty", new Uint8Array()],
    ["U only", valid.slice(0, 96)],
    ["truncated by one byte", valid.slice(0, -1)],
    [
      "a huge length prefix",
      (() => {
        const b = valid.slice();
        b.set(new Uint8Array(8).fill(0xff), 96);
        return b;
      })(),
    ],
    [
      "V of 31 bytes",
      (() => {
        const b = valid.slice();
        b[96] = 31;
        return b;
      })(),
    ],
    [
      "a nonce length of 13",
      (() => {
        const b = valid.slice();
        b[valid.length - 16 - 12 - 8] = 13;
        return b;
      })(),
    ],
  ])("%s is a TimelockError", (_name, bytes) => {
    expect(() => tlockDecrypt(bytes, signature)).toThrow(TimelockError);
  });

  it("random bytes and random mutations never escape as anything but a TimelockError", () => {
    const onlyTimelockErrors = (bytes: Uint8Array) => {
      try {
        tlockDecrypt(bytes, signature);
      } catch (error) {
        expect(error).toBeInstanceOf(TimelockError);
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), onlyTimelockErrors), { numRuns: 200 });
    fc.assert(
      fc.property(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        const b = valid.slice();
        b[at] = (b[at] as number) ^ flip;
        onlyTimelockErrors(b);
      }),
      { numRuns: 40 },
    );
  });

  it("a signature that is not a G1 point is refused", () => {
    expect(() => tlockDecrypt(valid, "00".repeat(48))).toThrow(TimelockError);
    expect(() => tlockDecrypt(valid, "abcd")).toThrow(TimelockError);
  });
});
