import { describe, expect, it } from "vitest";
import type { Conversation } from "../../src/eval/conversation.js";
import { stripSpecialTokens } from "../../src/eval/conversation.js";
import { evaluationSeed, SeededRandom } from "../../src/eval/datasets/random.js";
import { MAX_ROW_CHARACTERS, validateRows } from "../../src/eval/datasets/rows.js";
import { cutConversation, sampleJudgeSet } from "../../src/eval/datasets/sampling.js";
import { parseRowsText } from "../../src/eval/datasets/sources.js";

/** A generator that answers `int` with planned values and records what it was asked. */
function planned(...values: number[]) {
  const asked: [number, number][] = [];
  const rng = {
    int(min: number, max: number) {
      asked.push([min, max]);
      const v = values.shift();
      if (v === undefined || v < min || v > max) throw new Error(`planned ${v} outside [${min}, ${max}]`);
      return v;
    },
  };
  return { rng: rng as unknown as SeededRandom, asked };
}

const conv = (system: string | undefined, ...turns: [string, string][]): Conversation => ({
  ...(system === undefined ? {} : { system_prompt: system }),
  messages: turns.map(([role, content]) => ({ role, content })),
});

describe("SeededRandom", () => {
  it("is deterministic per seed and differs between seeds", () => {
    const a = new SeededRandom("s");
    const b = new SeededRandom("s");
    const c = new SeededRandom("t");
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it("int covers both ends; shuffle is a permutation", () => {
    const r = new SeededRandom("ints");
    const seen = new Set(Array.from({ length: 500 }, () => r.int(2, 5)));
    expect([...seen].sort()).toEqual([2, 3, 4, 5]);
    expect(r.shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it("the evaluation seed depends on the model's identity only", () => {
    expect(evaluationSeed("p", "a/b", "sha1")).toBe(evaluationSeed("p", "a/b", "sha1"));
    expect(evaluationSeed("p", "a/b", "sha1")).not.toBe(evaluationSeed("p", "a/b", "sha2"));
  });
});

describe("cutConversation (DIPPY-SPEC §2.4 with the §9.2 alignment fix)", () => {
  const five = conv("CARD", ["user", "u1"], ["assistant", "a1"], ["user", "u2"], ["assistant", "a2"]);

  it.each<[string, Conversation, number, string[] | null, string | null]>([
    ["the whole chat: the reply after the last user turn", five, 5, ["CARD", "u1", "a1", "u2"], "a2"],
    [
      "cut after an assistant turn: trimmed back to the user turn, paired with the reply that followed it",
      five,
      3,
      ["CARD", "u1"],
      "a1",
    ],
    ["cut right after the first user turn", five, 2, ["CARD", "u1"], "a1"],
    ["only the card is left", conv("CARD", ["user", "u1"], ["assistant", "a1"]), 1, null, null],
    ["a user turn with no reply after it", conv("CARD", ["user", "u1"]), 2, null, null],
    [
      "the same user text later in the chat: the later reply wins (the reference's string match)",
      conv("CARD", ["user", "hi"], ["assistant", "a1"], ["user", "hi"], ["assistant", "a2"]),
      2,
      ["CARD", "hi"],
      "a2",
    ],
  ])("%s", (_label, c, cutoff, context, reply) => {
    const { rng } = planned(cutoff);
    const sample = cutConversation(c, 0, rng, 6);
    expect(sample ? sample.messages.map((m) => m.content) : null).toEqual(context);
    expect(sample?.originalReply ?? null).toBe(reply);
  });

  it("draws the cut between max(1, ⌊L/2⌋) and L = min(messages with the card, 6)", () => {
    const long = conv(
      "CARD",
      ...Array.from({ length: 10 }, (_, i): [string, string] => [i % 2 ? "assistant" : "user", `m${i}`]),
    );
    const { rng, asked } = planned(6);
    cutConversation(long, 0, rng, 6);
    expect(asked).toEqual([[3, 6]]);
    const { rng: r2, asked: a2 } = planned(1);
    cutConversation(conv(undefined, ["user", "u"], ["assistant", "a"]), 0, r2, 6);
    expect(a2).toEqual([[1, 2]]);
  });

  it("strips special tokens from the chat but not from the card", () => {
    const { rng } = planned(3);
    const sample = cutConversation(
      conv("<s>CARD</s>", ["user", "<|im_start|>hi</s>"], ["assistant", "[INST]ok"]),
      0,
      rng,
      6,
    );
    expect(sample?.messages.map((m) => m.content)).toEqual(["<s>CARD</s>", "hi"]);
    expect(sample?.originalReply).toBe("ok");
    expect(stripSpecialTokens("<start_of_turn>a<end_of_turn>[/INST]")).toBe("a");
  });
});

describe("sampleJudgeSet", () => {
  const rows = Array.from({ length: 60 }, (_, i) =>
    conv(`card ${i}`, ["user", `u${i}`], ["assistant", `a${i}`], ["user", `v${i}`], ["assistant", `b${i}`]),
  );

  it("the same seed gives the same samples; another seed others", () => {
    const a = sampleJudgeSet(rows, new SeededRandom("x"), { count: 20, maxMessages: 6 });
    const b = sampleJudgeSet(rows, new SeededRandom("x"), { count: 20, maxMessages: 6 });
    const c = sampleJudgeSet(rows, new SeededRandom("y"), { count: 20, maxMessages: 6 });
    expect(a).toEqual(b);
    expect(a).toHaveLength(20);
    expect(c.map((s) => s.source)).not.toEqual(a.map((s) => s.source));
    expect(new Set(a.map((s) => s.source)).size).toBe(20);
  });

  it("rejected samples are replaced by ones that pass the same checks", () => {
    const withEmpty = [...rows, conv("card", ["user", ""], ["assistant", "x"])];
    const fits = (s: { source: number }) => s.source % 2 === 0;
    const picked = sampleJudgeSet(withEmpty, new SeededRandom("z"), { count: 25, maxMessages: 6, fits });
    expect(picked).toHaveLength(25);
    expect(picked.every((s) => s.source % 2 === 0 && s.source !== 60)).toBe(true);
  });

  it("returns fewer when the dataset has fewer usable conversations", () => {
    expect(
      sampleJudgeSet(rows.slice(0, 5), new SeededRandom("x"), { count: 512, maxMessages: 6 }).length,
    ).toBeLessThanOrEqual(5);
  });
});

describe("rows", () => {
  it("counts and skips bad rows, reads messages stored as JSON text", () => {
    const chat = [
      { role: "user", content: "hi" },
      { role: "assistant", content: "hello" },
    ];
    const result = validateRows([
      { system_prompt: "c", messages: chat },
      { system_prompt: "c", messages: JSON.stringify(chat) },
      { system_prompt: "c", messages: [] },
      { messages: [{ role: "user" }] },
      "garbage",
    ]);
    expect(result.rows).toHaveLength(2);
    expect(result.bad).toBe(3);
    expect(result.firstProblems).toHaveLength(3);
  });

  it("numbers problems from 1 and names them: not JSON, an unknown role, no reply to compare with", () => {
    const rows = parseRowsText(
      [
        '{"system_prompt":"c","messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"}]}',
        "{not json",
        '{"system_prompt":"c","messages":[{"role":"wizard","content":"a"},{"role":"assistant","content":"b"}]}',
        '{"system_prompt":"c","messages":[{"role":"user","content":"a"}]}',
      ].join("\n"),
      "chats.jsonl",
    );
    const result = validateRows(rows);
    expect(result.rows).toHaveLength(1);
    expect(result.firstProblems).toEqual([
      "row 2: not valid JSON",
      'row 3: messages: unknown role "wizard" (user or assistant)',
      "row 4: messages: no assistant turn to compare with",
    ]);
  });

  it("skips and counts a row too long for any prompt within the token limit (a 20 MB message is never sent)", () => {
    const huge = "x".repeat(20 * 1024 * 1024);
    const reply = { role: "assistant", content: "ok" };
    const result = validateRows([
      { system_prompt: "c", messages: [{ role: "user", content: huge }, reply] },
      {
        system_prompt: "c",
        messages: [{ role: "user", content: "x".repeat(MAX_ROW_CHARACTERS - 10) }, reply],
      },
    ]);
    expect(result.rows).toHaveLength(1);
    expect(result.bad).toBe(1);
    expect(result.firstProblems[0]).toMatch(/^row 1: 20971523 characters/);
  });

  it("parses JSON arrays, the API's all_convos and JSON Lines (a bad line is a bad row)", () => {
    expect(parseRowsText('[{"a":1},{"a":2}]', "x.json")).toHaveLength(2);
    expect(parseRowsText('{"all_convos":[{"a":1}]}', "x.json")).toHaveLength(1);
    const lines = parseRowsText('{"a":1}\n{broken\n\n{"a":3}\n', "x.jsonl");
    expect(lines).toHaveLength(3);
    expect(validateRows(lines).bad).toBe(3);
  });
});
