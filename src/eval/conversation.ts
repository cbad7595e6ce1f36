import { z } from "zod";
import type { ChatMessage } from "./templates/render.js";

/** A Dippy dataset row: the character card and the chat that follows it. */
export const conversationSchema = z.object({
  system_prompt: z.string().optional(),
  messages: z.array(z.object({ role: z.string().min(1), content: z.string() })).min(1),
});

export type Conversation = z.infer<typeof conversationSchema>;

const messageListSchema = conversationSchema.shape.messages;

export type ConversationParse =
  | { ok: true; messages: ChatMessage[] }
  | { ok: false; path: PropertyKey[]; message: string };

/**
 * A row, or a bare list of messages, as the list the templates see (the card first, as a system turn).
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
  if (Array.isArray(result.data)) return { ok: true, messages: result.data };
  const row = result.data as Conversation;
  const card = row.system_prompt === undefined ? [] : [{ role: "system", content: row.system_prompt }];
  return { ok: true, messages: [...card, ...row.messages] };
}
