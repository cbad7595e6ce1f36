import { CRITERIA, OUTCOMES } from "../../scoring/judge-score.js";
import type { ChatMessage } from "../templates/render.js";

/**
 * The six keys in the reference's order (DIPPY-SPEC §1.3.1): the three verdicts first, then the three
 * reasonings. With strict structured output the judge writes them in this order, so it decides every
 * verdict before it writes any reasoning, as the reference's judge does.
 */
export const ANSWER_KEYS = [
  ...CRITERIA.map((c) => `${c}_win`),
  ...CRITERIA.map((c) => `${c}_win_reasoning`),
] as const;

/**
 * The reference's answer schema. A bound on the reasoning strings is optional: OpenAI's strict mode
 * rejects maxLength, a local grammar-constrained judge needs it.
 */
export function verdictSchema(reasoningMaxLength?: number) {
  const reasoning =
    reasoningMaxLength === undefined ? { type: "string" } : { type: "string", maxLength: reasoningMaxLength };
  return {
    type: "object",
    properties: Object.fromEntries(
      ANSWER_KEYS.map((key) => [
        key,
        key.endsWith("_reasoning") ? reasoning : { type: "string", enum: [...OUTCOMES] },
      ]),
    ),
    required: [...ANSWER_KEYS],
    additionalProperties: false,
  };
}

/** A conversation as the judge reads it: the card on one line, then role/content blocks. */
export function conversationText(messages: readonly ChatMessage[]): string {
  return messages
    .flatMap((m) =>
      m.role === "system"
        ? [`System Prompt: ${m.content}`]
        : [`Role: ${m.role}`, `Content: ${m.content}`, ""],
    )
    .join("\n");
}

const SCHEMA_TEXT = `"""
{
  "realism_win": "original" | "generated" | "tie",
  "entertainment_win": "original" | "generated" | "tie",
  "coherency_win": "original" | "generated" | "tie",
  "realism_win_reasoning": string,
  "entertainment_win_reasoning": string,
  "coherency_win_reasoning": string
}
"""`;

/**
 * The comparison prompt, written for sn11 with the reference's structure, criteria and answer schema:
 * the character card, the two versions of the chat (original first, as in the reference) and the schema
 * (verdicts first). Its words are not the reference's: what that does to a score is measured with
 * bench/judge-prompt.ts against the reference's text pasted into a prompt file (README, "Fidelity").
 */
export function judgeMessages(card: string, original: string, generated: string): ChatMessage[] {
  const system = [
    "An assistant was asked to play a character described by the following card:",
    "=====",
    card,
    "=====",
    'You will compare what the assistant wrote in two versions of the same chat: the "original" and the "generated" one.',
    "Decide which version is better on each of three criteria:",
    "- realism: the assistant stays fully in character, as the card describes it;",
    "- entertainment: the replies are engaging and do not repeat themselves;",
    "- coherency: the writing is clear, with correct grammar, spelling and punctuation, in a consistent style.",
    "Rules: ignore what the user wrote and judge every assistant message, not only the last one. Reason before",
    "you decide, quoting examples in single quotes, and dwell on problems. Your verdicts must follow from your",
    "reasoning. Do not judge politeness or aggression. Be very critical: a clear win should be rare.",
    `Answer with a JSON object of exactly this shape:\n${SCHEMA_TEXT}`,
    "Keep the JSON valid: escape quotes inside strings.",
  ].join("\n");
  const user = [
    "Judge which version of the chat is better. Reply with the JSON object only.",
    `"original" :\n${original}\n( end of original text )`,
    `"generated" :\n${generated}\n( end of generated text )`,
    `The answer's shape:\n${SCHEMA_TEXT}`,
  ].join("\n\n");
  return [
    { role: "system", content: system },
    { role: "user", content: user },
  ];
}
