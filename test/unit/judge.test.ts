import { describe, expect, it } from "vitest";
import { conversationText, judgeMessages, verdictSchema } from "../../src/eval/judge/prompt.js";
import { parseVerdict, tallyVerdicts } from "../../src/eval/judge/verdict.js";

const answer = (r: string, e: string, c: string) =>
  JSON.stringify({
    realism_win: r,
    realism_win_reasoning: "x",
    entertainment_win: e,
    entertainment_win_reasoning: "y",
    coherency_win: c,
    coherency_win_reasoning: "z",
  });

describe("parseVerdict", () => {
  it.each<[string, string, unknown]>([
    [
      "plain JSON",
      answer("generated", "tie", "original"),
      { realism: "generated", entertainment: "tie", coherency: "original" },
    ],
    [
      "in a code fence with text around",
      `Sure!\n\`\`\`json\n${answer("tie", "tie", "tie")}\n\`\`\``,
      { realism: "tie", entertainment: "tie", coherency: "tie" },
    ],
    [
      "upper case outcomes",
      answer("Generated", "TIE", "original"),
      { realism: "generated", entertainment: "tie", coherency: "original" },
    ],
    ["an outcome outside the enum", answer("both", "tie", "tie"), null],
    ["a missing key", JSON.stringify({ realism_win: "tie" }), null],
    ["not JSON", "The generated one is better.", null],
    ["truncated JSON", answer("tie", "tie", "tie").slice(0, 40), null],
  ])("%s", (_label, text, expected) => {
    expect(parseVerdict(text)).toEqual(expected);
  });
});

describe("tallyVerdicts", () => {
  it("win rate = generated wins / (3 × valid); failures excluded and counted against the budget", () => {
    const g = { realism: "generated", entertainment: "generated", coherency: "tie" } as const;
    const o = { realism: "original", entertainment: "tie", coherency: "generated" } as const;
    const score = tallyVerdicts([g, o, null], 512, 0.1);
    expect(score.valid).toBe(2);
    expect(score.failed).toBe(1);
    expect(score.winRate).toBeCloseTo(3 / 6, 12);
    expect(score.tally.realism).toEqual({ original: 1, generated: 1, tie: 0 });
    expect(score.overErrorBudget).toBe(false);
  });

  it("more than 10 % of the sample count failing fails the model (51.2 of 512: 52 fails, 51 does not)", () => {
    expect(tallyVerdicts(Array(51).fill(null), 512, 0.1).overErrorBudget).toBe(false);
    expect(tallyVerdicts(Array(52).fill(null), 512, 0.1).overErrorBudget).toBe(true);
    expect(tallyVerdicts([], 512, 0.1).winRate).toBe(0);
  });
});

describe("the judge prompt", () => {
  it("renders the card as one line and other turns as role/content blocks", () => {
    expect(
      conversationText([
        { role: "system", content: "CARD" },
        { role: "user", content: "hi" },
        { role: "assistant", content: "hello" },
      ]),
    ).toBe("System Prompt: CARD\nRole: user\nContent: hi\n\nRole: assistant\nContent: hello\n");
  });

  it("puts the card, both texts (original first) and the six-key schema in two messages", () => {
    const [system, user] = judgeMessages("CARD", "ORIG", "GEN");
    expect(system?.role).toBe("system");
    expect(system?.content).toContain("=====\nCARD\n=====");
    expect(user?.content.indexOf('"original" :\nORIG')).toBeLessThan(
      user?.content.indexOf('"generated" :\nGEN') ?? 0,
    );
    for (const key of ["realism_win", "entertainment_win_reasoning", "coherency_win"])
      expect(user?.content).toContain(key);
  });

  it("the schema bounds the reasoning only when asked", () => {
    expect(JSON.stringify(verdictSchema())).not.toContain("maxLength");
    expect(verdictSchema(8).properties.realism_win_reasoning).toEqual({ type: "string", maxLength: 8 });
  });
});
