import { z } from "zod";
import type { ChatMessage } from "./templates/render.js";

/** A Dippy dataset row: the character card and the chat that follows it. */
export const conversationSchema = z.object({
  system_prompt: z.string().optional(),
  messages: z.array(z.object({ role: z.string().min(1), content: z.string() })).min(1),
});

export type Conversation = z.infer<typeof conversationSchema>;

const messageListSchema = conversationSchema.shape.messages;

/** Strings the reference removes from every chat message (not from the character card), in this order. */
export const SPECIAL_TOKENS = [
  "<unk>",
  "<s>",
  "</s>",
  "[INST]",
  "[/INST]",
  "[AVAILABLE_TOOLS]",
  "[/AVAILABLE_TOOLS]",
  "[TOOL_RESULTS]",
  "[/TOOL_RESULTS]",
  "[TOOL_CALLS]",
  "[IMG]",
  "<pad>",
  "[IMG_BREAK]",
  "[IMG_END]",
  "[PREFIX]",
  "[MIDDLE]",
  "[SUFFIX]",
  "[SYSTEM_PROMPT]",
  "[/SYSTEM_PROMPT]",
  "[TOOL_CONTENT]",
  "<|im_start|>",
  "<|im_end|>",
  "<|object_ref_start|>",
  "<|object_ref_end|>",
  "<|box_start|>",
  "<|box_end|>",
  "<|quad_start|>",
  "<|quad_end|>",
  "<|vision_start|>",
  "<|vision_end|>",
  "<|vision_pad|>",
  "<|image_pad|>",
  "<|video_pad|>",
  "<start_of_turn>",
  "<end_of_turn>",
] as const;

export function stripSpecialTokens(text: string): string {
  return SPECIAL_TOKENS.reduce((s, token) => s.split(token).join(""), text);
}

/**
 * The messages a validator renders for a row (DIPPY-SPEC §2.3): the character card as a system turn, as
 * is, then every chat message with the special tokens removed. `sn11 render` and the sampling share it.
 */
export function validatorMessages(row: {
  system_prompt?: string;
  messages: readonly { role: string; content: string }[];
}): ChatMessage[] {
  return [
    ...(row.system_prompt === undefined ? [] : [{ role: "system", content: row.system_prompt }]),
    ...row.messages.map((m) => ({ role: m.role, content: stripSpecialTokens(m.content) })),
  ];
}

export type ConversationParse =
  | { ok: true; messages: ChatMessage[] }
  | { ok: false; path: PropertyKey[]; message: string };

/**
 * A row, or a bare list of messages, as the list the templates see: the validator's messages (above).
 * The two shapes are told apart first so that an error names the path inside the one that was meant.
 */
export function parseConversation(value: unknown): ConversationParse {
  const result = Array.isArray(value)
    ? messageListSchema.safeParse(value)
    : conversationSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    return { ok: false, path: issue?.path ?? [], message: issue?.message ?? "invalid conversation" };
  }
  // A bare list's leading system turn is the card: kept as is, like a row's system_prompt.
  const list = Array.isArray(result.data) ? result.data : null;
  const row = !list
    ? (result.data as Conversation)
    : list[0]?.role === "system"
      ? { system_prompt: list[0].content, messages: list.slice(1) }
      : { messages: list };
  return { ok: true, messages: validatorMessages(row) };
}
