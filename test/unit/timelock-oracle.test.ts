import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { initSync, tld, tle } from "@ideallabs/timelock_wasm_wrapper";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { buildTimelockedCommit } from "../../src/chain/commit-weights.js";
import {
  beaconPublicKey,
  roundIdentity,
  signRound,
  tlockDecrypt,
  tlockEncrypt,
} from "../../src/chain/timelock.js";

/**
 * An independent oracle: ideal-lab5's `timelock` crate compiled to wasm (0.2.0-dev, the last release with
 * the chain's `TLECiphertext` layout; later ones drop V's and W's length prefixes). What sn11 encrypts
 * must open in the Rust code, and what the Rust code encrypts must open in sn11.
 */
const secret = 0xfeedbeef1234n;
const publicKey = beaconPublicKey(secret);
const hex = (b: Uint8Array | number[]) => Buffer.from(b).toString("hex");

beforeAll(() => {
  const require = createRequire(import.meta.url);
  const wasm = require.resolve("@ideallabs/timelock_wasm_wrapper/timelock_wasm_wrapper_bg.wasm");
  initSync({ module: readFileSync(wasm) });
});

describe("sn11's timelock against the compiled Rust timelock crate", () => {
  it("sn11 → Rust and Rust → sn11 over random rounds and payloads", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 2n ** 40n }),
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (round, payload, esk) => {
          const signature = signRound(round, secret);
          const ours = tlockEncrypt(payload, round, { publicKeyHex: publicKey });
          expect(hex(tld(ours, signature, "bls12_381") as number[])).toBe(hex(payload));
          const theirs = new Uint8Array(
            tle(roundIdentity(round), payload, esk, Buffer.from(publicKey, "hex"), "bls12_381") as number[],
          );
          expect(theirs.length).toBe(ours.length);
          expect(hex(tlockDecrypt(theirs, signature))).toBe(hex(payload));
        },
      ),
      { numRuns: 5 },
    );
  });

  it("a 256-uid weights commit opens in Rust to exactly its payload; another round's pulse does not open it", () => {
    const commit = buildTimelockedCommit({
      hotkey: "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
      emit: {
        uids: Array.from({ length: 256 }, (_, i) => i),
        weights: Array.from({ length: 256 }, (_, i) => 65535 - i),
      },
      versionKey: 7,
      revealRound: 20_000_000,
      beaconPublicKeyHex: publicKey,
    });
    expect(commit.ciphertext.length).toBe(1313);
    const opened = tld(commit.ciphertext, signRound(20_000_000, secret), "bls12_381") as number[];
    expect(`0x${hex(opened)}`).toBe(commit.payloadHex);
    expect(() => tld(commit.ciphertext, signRound(20_000_001, secret), "bls12_381")).toThrow();
  });
});
