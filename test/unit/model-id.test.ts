import { describe, expect, it } from "vitest";
import {
  commitmentProblems,
  entryHash,
  entryHashMatches,
  formatCommitment,
  type ModelId,
  parseCommitment,
} from "../../src/scoring/model-id.js";
import { CHAT_TEMPLATES } from "../../src/scoring/profile.js";

const HK = "5F3sa2TJAWMqDhXG6jhV4N8ko9SxwGy8TpaNS1repo5EYjQX";

describe("entryHash (the reference's regenerate_hash)", () => {
  // Expected values computed independently with Python's hashlib: int(sha256(s).hexdigest()[:16], 16).
  it.each([
    ["alice", "my-rp-27b", "chatml", HK, "9525395185856227788"],
    [
      "DippyAI",
      "your-model-here",
      "llama3",
      "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
      "10588946261138713635",
    ],
    ["a", "b", "gemma2", "", "10318560525122297968"],
    [
      "alice-lab",
      "rp-mix-22b",
      "chatml",
      "5GpUbRkf98rauHEynCCFLFthPrFz6p2wRybuotehv4F79noR",
      "11735224918934202499",
    ],
  ])("%s/%s %s %s → %s", (ns, name, template, hotkey, expected) => {
    expect(entryHash(ns, name, template, hotkey)).toBe(expected);
  });

  it("is above 2^63 where the digest says so (needs BigInt, not a double)", () => {
    const value = BigInt(entryHash("alice", "my-rp-27b", "chatml", HK));
    expect(value > 2n ** 63n).toBe(true);
    expect(value.toString()).toBe("9525395185856227788");
  });
});

describe("parseCommitment", () => {
  it.each([
    [
      "six fields",
      `ns:name:chatml:${HK}:123:d1`,
      { namespace: "ns", name: "name", chatTemplate: "chatml", hotkey: HK, hash: "123", competitionId: "d1" },
    ],
    [
      "five fields: no competition id",
      `ns:name:chatml:${HK}:123`,
      { namespace: "ns", name: "name", chatTemplate: "chatml", hotkey: HK, hash: "123", competitionId: null },
    ],
    [
      "None tokens: hotkey → empty, hash and competition → null",
      "ns:name:chatml:None:None:None",
      { namespace: "ns", name: "name", chatTemplate: "chatml", hotkey: "", hash: null, competitionId: null },
    ],
    [
      "extra fields are ignored",
      "ns:name:chatml:hk:1:d1:extra:more",
      { namespace: "ns", name: "name", chatTemplate: "chatml", hotkey: "hk", hash: "1", competitionId: "d1" },
    ],
    [
      "empty tokens are kept as empty strings",
      "::chatml::1",
      { namespace: "", name: "", chatTemplate: "chatml", hotkey: "", hash: "1", competitionId: null },
    ],
  ])("%s", (_label, data, expected) => {
    expect(parseCommitment(data)).toEqual({ ok: true, modelId: expected });
  });

  it.each([
    ["not-a-commitment", "1 ':'-separated fields"],
    ["", "1 ':'-separated fields"],
    ["a:b:c:d", "4 ':'-separated fields"],
    ["ns:name:None:hk:1", "chat_template is None"],
  ])("rejects %j", (data, error) => {
    const parsed = parseCommitment(data);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? "" : parsed.error).toContain(error);
  });

  it("rejects a commitment that is not Raw bytes", () => {
    expect(parseCommitment(null).ok).toBe(false);
  });
});

describe("entryHashMatches (rule 6: string comparison with the metagraph hotkey)", () => {
  const hash = entryHash("ns", "name", "chatml", HK);
  const id = (h: string | null, hotkey = HK): ModelId => ({
    namespace: "ns",
    name: "name",
    chatTemplate: "chatml",
    hotkey,
    hash: h,
    competitionId: "d1",
  });
  it.each([
    ["canonical decimal", hash, true],
    ["leading zero", `0${hash}`, false],
    ["plus sign", `+${hash}`, false],
    ["hex form", `0x${BigInt(hash).toString(16)}`, false],
    ["None", null, false],
  ])("%s → %s", (_label, h, expected) => {
    expect(entryHashMatches(id(h), HK)).toBe(expected);
  });

  it("checks the metagraph hotkey, not the hotkey token inside the string", () => {
    expect(entryHashMatches(id(hash, "someone-else"), HK)).toBe(true);
    expect(entryHashMatches(id(hash, HK), "5OtherHotkey")).toBe(false);
  });
});

describe("formatCommitment and commitmentProblems", () => {
  const good: ModelId = {
    namespace: "alice",
    name: "my-rp-27b",
    chatTemplate: "chatml",
    hotkey: HK,
    hash: "9525395185856227788",
    competitionId: "d1",
  };

  it("formats the six fields and parses back to the same id", () => {
    const text = formatCommitment(good);
    expect(text).toBe(`alice:my-rp-27b:chatml:${HK}:9525395185856227788:d1`);
    expect(parseCommitment(text)).toEqual({ ok: true, modelId: good });
    expect(formatCommitment({ ...good, competitionId: null }).endsWith(":None")).toBe(true);
  });

  it("accepts a valid commitment", () => {
    expect(commitmentProblems(good, CHAT_TEMPLATES)).toEqual([]);
  });

  it.each([
    ["unknown template", { chatTemplate: "phi3" }, 'chat template "phi3" is not one of'],
    ["hash for other fields", { hash: "1" }, "hash does not match"],
    ["non-decimal hash", { hash: "0123" }, "canonical decimal"],
    ["colon in the name", { name: "a:b" }, "not a valid Hugging Face name"],
    ["bad namespace", { namespace: "-x" }, "not a valid Hugging Face name"],
    ["too long for the chain", { name: "n".repeat(90) }, "the chain stores at most 128"],
  ])("%s", (_label, change, problem) => {
    const id = { ...good, ...change } as ModelId;
    const withHash =
      "hash" in change ? id : { ...id, hash: entryHash(id.namespace, id.name, id.chatTemplate, id.hotkey) };
    expect(commitmentProblems(withHash, CHAT_TEMPLATES).join("; ")).toContain(problem);
  });
});
