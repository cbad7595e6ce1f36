import { describe, expect, it } from "vitest";
import { judgeKeyHeader, judgeModelFor } from "../../src/eval/judge/endpoint-model.js";
import { conversationText, judgeMessages, verdictSchema } from "../../src/eval/judge/prompt.js";
import { parseAnswer, parseVerdict } from "../../src/eval/judge/verdict.js";
import { evaluationOutcome, SKIPPED, tallyVerdicts } from "../../src/scoring/judge-score.js";

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
    // The reference tallies by exact value: "Generated" is no outcome of its (a failed call here).
    ["upper case outcomes", answer("Generated", "TIE", "original"), null],
    ["an outcome outside the enum", answer("both", "tie", "tie"), null],
    ["a missing key", JSON.stringify({ realism_win: "tie" }), null],
    ["not JSON", "The generated one is better.", null],
    ["truncated JSON", answer("tie", "tie", "tie").slice(0, 40), null],
  ])("%s", (_label, text, expected) => {
    expect(parseVerdict(text)).toEqual(expected);
  });
});

describe("tallyVerdicts", () => {
  const g = { realism: "generated", entertainment: "generated", coherency: "tie" } as const;
  const o = { realism: "original", entertainment: "tie", coherency: "generated" } as const;

  it("win rate = generated wins / (3 × valid); failures excluded and counted against the budget", () => {
    const score = tallyVerdicts([g, o, ...Array(8).fill(g), null], 0.1);
    expect(score.valid).toBe(10);
    expect(score.failed).toBe(1);
    expect(score.winRate).toBeCloseTo(19 / 30, 12);
    expect(score.tally.realism).toEqual({ original: 1, generated: 9, tie: 0 });
    expect(score.overErrorBudget).toBe(false);
  });

  it.each([
    // [samples, failed, over the budget]: the reference's 512 (51.2: 52 fails, 51 does not) and local runs.
    [512, 51, false],
    [512, 52, true],
    [8, 0, false],
    [8, 1, true],
    [20, 2, false],
    [20, 3, true],
  ])("of %i samples, %i failed calls: over the 10 %% budget %s", (samples, failed, over) => {
    const verdicts = [...Array(samples - failed).fill(g), ...Array(failed).fill(null)];
    expect(tallyVerdicts(verdicts, 0.1).overErrorBudget).toBe(over);
  });

  it("nothing judged is a win rate of 0", () => {
    expect(tallyVerdicts([], 0.1).winRate).toBe(0);
  });
});

describe("evaluationOutcome", () => {
  const g = { realism: "generated", entertainment: "tie", coherency: "tie" } as const;
  it.each([
    ["judged", [g, g, g], { status: "COMPLETED", totalScore: 1 / 3, reason: null }],
    [
      "no valid verdict",
      [null, null],
      {
        status: "FAILED",
        totalScore: 0,
        reason: "no judge call succeeded (2 failed): is the judge reachable?",
      },
    ],
    [
      "over the budget",
      [g, g, g, g, g, g, g, null],
      { status: "FAILED", totalScore: 0, reason: "1 judge calls failed, more than 10 % of 8" },
    ],
  ] as const)("%s", (_name, verdicts, expected) => {
    const outcome = evaluationOutcome(tallyVerdicts(verdicts, 0.1), verdicts.length, 0.1);
    expect(outcome.status).toBe(expected.status);
    expect(outcome.totalScore).toBeCloseTo(expected.totalScore, 12);
    expect(outcome.reason).toBe(expected.reason);
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

  it("asks for the three verdicts first, then the three reasonings, as the reference (schema and text)", () => {
    const order = [
      "realism_win",
      "entertainment_win",
      "coherency_win",
      "realism_win_reasoning",
      "entertainment_win_reasoning",
      "coherency_win_reasoning",
    ];
    expect(Object.keys(verdictSchema().properties)).toEqual(order);
    expect(verdictSchema().required).toEqual(order);
    const [system] = judgeMessages("card", "a", "b");
    const positions = order.map((key) => system?.content.indexOf(`"${key}"`) ?? -1);
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((x, y) => x - y)).toEqual(positions);
  });

  it("the schema bounds the reasoning only when asked", () => {
    expect(JSON.stringify(verdictSchema())).not.toContain("maxLength");
    expect(verdictSchema(8).properties.realism_win_reasoning).toEqual({ type: "string", maxLength: 8 });
  });
});

describe("parseAnswer: as strict as the reference where it decides a score", () => {
  it.each<[string, string, string]>([
    ["six keys", answer("generated", "tie", "original"), "verdict"],
    [
      "a verdict key missing (the reference skips the item)",
      JSON.stringify({ realism_win: "tie", entertainment_win: "tie" }),
      "skipped",
    ],
    ["a value outside the three", answer("both", "tie", "tie"), "unparseable"],
    ["a value of another case", answer("Tie", "tie", "tie"), "unparseable"],
    ["not an object", "[1, 2]", "unparseable"],
    ["no JSON", "generated wins", "unparseable"],
  ])("%s → %s", (_label, text, kind) => {
    expect(parseAnswer(text).kind).toBe(kind);
  });
  it("a skipped answer is neither valid nor failed in the tally", () => {
    const v = { realism: "generated", entertainment: "tie", coherency: "original" } as const;
    const score = tallyVerdicts([v, SKIPPED, SKIPPED, null], 0.1);
    expect([score.valid, score.failed, score.skipped]).toEqual([1, 1, 2]);
    expect(score.winRate).toBeCloseTo(1 / 3);
  });
});

describe("the judge model per endpoint", () => {
  it.each<[string, string, string]>([
    ["https://openrouter.ai/api/v1", "gpt-4o-2024-11-20", "openai/gpt-4o-2024-11-20"],
    ["https://openrouter.ai/api/v1", "openai/gpt-4o-2024-11-20", "openai/gpt-4o-2024-11-20"],
    ["https://openrouter.ai/api/v1", "claude-3.5-sonnet", "anthropic/claude-3.5-sonnet"],
    ["https://openrouter.ai/api/v1", "some-local-finetune", "some-local-finetune"],
    ["https://dippy.openai.azure.com/openai/v1", "gpt-4o-2024-11-20", "gpt-4o"],
    ["https://dippy.openai.azure.com/openai/v1", "openai/gpt-4o-2024-11-20", "gpt-4o"],
    ["https://dippy.openai.azure.com/openai/v1", "my-deployment", "my-deployment"],
    ["http://127.0.0.1:8080/v1", "gpt-4o-2024-11-20", "gpt-4o-2024-11-20"],
    ["https://api.openai.com/v1", "gpt-4o-2024-11-20", "gpt-4o-2024-11-20"],
  ])("%s with %s → %s", (url, model, resolved) => {
    expect(judgeModelFor(url, model)).toBe(resolved);
  });
  it("Azure takes its key as api-key, everything else as a bearer token", () => {
    expect(judgeKeyHeader("https://x.openai.azure.com/openai/v1", "k")).toEqual({ "api-key": "k" });
    expect(judgeKeyHeader("https://openrouter.ai/api/v1", "k")).toEqual({ Authorization: "Bearer k" });
  });
});
