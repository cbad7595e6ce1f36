import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildHashedCommit,
  decodeHashPreimage,
  hashCommitPreimage,
  randomSalt,
  weightsCommitHash,
} from "../../src/chain/hash-commit.js";

const ALICE = Buffer.from("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d", "hex");

describe("the hash commit (commit_weights / reveal_weights)", () => {
  it("reproduces CHAIN-FACTS.md §2.5's verified preimage and hash", () => {
    const input = {
      hotkey: ALICE,
      netuid: 1,
      uids: [1, 2],
      values: [10, 20],
      salt: [1, 2],
      versionKey: 80000,
    };
    expect(Buffer.from(hashCommitPreimage(input)).toString("hex")).toBe(
      `${ALICE.toString("hex")}0100080100020008` + "0a001400080100020080380100" + "00000000",
    );
    expect(weightsCommitHash(input)).toBe(
      "0xbc34037863b75a0d5c52dcf3c163485c91cf905d6a8bdf5e70ed7dc4378ed199",
    );
  });

  it("the preimage reads back for any weights and salt; anything else reads as null", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 65535 }), { maxLength: 300 }),
        fc.array(fc.integer({ min: 0, max: 65535 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 65535 }),
        (uids, salt, netuid) => {
          const input = { hotkey: ALICE, netuid, uids, values: uids, salt, versionKey: 7n };
          const bytes = hashCommitPreimage(input);
          expect(decodeHashPreimage(bytes)).toEqual({ ...input, hotkey: Uint8Array.from(ALICE) });
          expect(decodeHashPreimage(bytes.slice(0, -1))).toBeNull();
        },
      ),
      { numRuns: 50 },
    );
  });

  it("salts are eight random u16, and a commit's hash covers its salt", () => {
    const salt = randomSalt();
    expect(salt).toHaveLength(8);
    expect(salt.every((v) => Number.isInteger(v) && v >= 0 && v <= 65535)).toBe(true);
    const build = () =>
      buildHashedCommit({
        hotkey: "5Grw",
        hotkeyPublicKey: ALICE,
        netuid: 11,
        uids: [1],
        values: [1],
        versionKey: 7,
      });
    const a = build();
    const b = build();
    expect(a.hashHex).not.toBe(b.hashHex);
    expect(
      weightsCommitHash({ hotkey: ALICE, netuid: 11, uids: [1], values: [1], salt: a.salt, versionKey: 7 }),
    ).toBe(a.hashHex);
  });
});
