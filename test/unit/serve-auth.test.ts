import { Keyring } from "@polkadot/keyring";
import { u8aToHex } from "@polkadot/util";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { beforeAll, describe, expect, it } from "vitest";
import {
  bearer,
  checkSignature,
  ReplayGuard,
  SIGNATURE_WINDOW_MS,
  signedMessage,
  tokenMatches,
} from "../../src/serve/auth.js";
import { entryFacts, scoreObject } from "../../src/serve/score-object.js";

describe("admin tokens", () => {
  it.each([
    ["the token", "s3cret-token-value", true],
    ["another token", "s3cret-token-valuX", false],
    ["a prefix", "s3cret", false],
    ["nothing", undefined, false],
    ["empty", "", false],
  ])("%s", (_name, given, ok) => {
    expect(tokenMatches(given, "s3cret-token-value")).toBe(ok);
  });

  it.each([
    ["Bearer abc", "abc"],
    ["bearer   abc ", "abc"],
    ["Basic abc", null],
    [undefined, null],
  ])("bearer(%j) = %j", (header, token) => {
    expect(bearer(header)).toBe(token);
  });
});

describe("signed admin requests", () => {
  let alice: ReturnType<Keyring["addFromUri"]>;
  beforeAll(async () => {
    await cryptoWaitReady();
    alice = new Keyring({ type: "sr25519" }).addFromUri("//Alice");
  });
  const body = Buffer.from('{"hash":"1"}');
  const NOW = 1_800_000_000_000;
  const headers = (o: { timestamp?: number; message?: string; hotkey?: string } = {}) => {
    const timestamp = o.timestamp ?? NOW;
    const message = o.message ?? signedMessage("POST", "/check_model", timestamp, body);
    return {
      "x-sn11-hotkey": o.hotkey ?? alice.address,
      "x-sn11-timestamp": String(timestamp),
      "x-sn11-signature": u8aToHex(alice.sign(message)),
    };
  };
  const check = (h: Record<string, string>, guard = new ReplayGuard(), allowed = [alice.address]) =>
    checkSignature({
      headers: h,
      method: "POST",
      path: "/check_model",
      body,
      allowed: new Set(allowed),
      guard,
      nowMs: NOW,
    });

  it("accepts the allow-listed hotkey's signature once", () => {
    const guard = new ReplayGuard();
    const h = headers();
    expect(check(h, guard)).toEqual({ ok: true, hotkey: alice.address });
    expect(check(h, guard)).toEqual({ ok: false, reason: "replayed signature" });
  });

  it.each([
    ["no headers", () => ({}), "no signature"],
    ["a hotkey not on the list", () => headers(), "hotkey not allowed", []],
    [
      "a timestamp past the window",
      () => headers({ timestamp: NOW - SIGNATURE_WINDOW_MS - 1 }),
      "stale timestamp",
    ],
    [
      "a timestamp ahead of it",
      () => headers({ timestamp: NOW + SIGNATURE_WINDOW_MS + 1 }),
      "stale timestamp",
    ],
    [
      "another body",
      () => headers({ message: signedMessage("POST", "/check_model", NOW, Buffer.from("{}")) }),
      "bad signature",
    ],
    [
      "another path",
      () => headers({ message: signedMessage("POST", "/minerboard_update", NOW, body) }),
      "bad signature",
    ],
  ] as const)("refuses %s", (_name, make, reason, allowed?: readonly string[]) => {
    expect(
      check(make() as Record<string, string>, new ReplayGuard(), allowed ? [...allowed] : undefined),
    ).toEqual({
      ok: false,
      reason,
    });
  });
});

describe("the score object", () => {
  it("an evaluation wins over the queue; ERROR reads as QUEUED; nothing known is undefined", () => {
    const job = { status: "ERROR" as const, modelHash: "mh", lastError: "Hub 503", startedAt: null };
    expect(entryFacts(undefined, job)).toMatchObject({ status: "QUEUED", notes: "Hub 503", modelHash: "mh" });
    expect(entryFacts(undefined, undefined)).toBeUndefined();
    const done = entryFacts(
      {
        repo: "a/b",
        entryHash: "1",
        profile: "p",
        status: "COMPLETED",
        totalScore: 0.25,
        revision: null,
        reason: null,
        updatedAt: "t",
      },
      job,
    );
    expect(scoreObject(done as NonNullable<typeof done>)).toEqual({
      score: {
        model_size_score: 0,
        qualitative_score: 0,
        latency_score: 0,
        total_score: 0.25,
        coherence_score: 1,
        creativity_score: 0,
        post_eval_score: 0,
        judge_score: 0.25,
      },
      details: { model_hash: "mh" },
      status: "COMPLETED",
    });
  });
});
