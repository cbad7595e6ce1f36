import { type Conversation, conversationSchema } from "../conversation.js";

export interface ValidatedRows {
  readonly rows: Conversation[];
  /** Rows that were not conversations: counted and skipped, never a crash. */
  readonly bad: number;
  readonly firstProblems: string[];
}

/**
 * A text longer than this cannot fit the profile's 8192-token prompt under any tokenizer (no token spans
 * 32 characters of chat text), so the row is skipped before anything tokenizes or sends it: one 20 MB
 * message would otherwise keep an engine busy for minutes.
 */
export const MAX_ROW_CHARACTERS = 8192 * 32;

function overlong(row: Conversation): string | null {
  const total = (row.system_prompt?.length ?? 0) + row.messages.reduce((n, m) => n + m.content.length, 0);
  return total > MAX_ROW_CHARACTERS
    ? `${total} characters, more than the ${MAX_ROW_CHARACTERS} any prompt within the token limit can hold`
    : null;
}

/** Keeps the rows shaped like `{system_prompt, messages: [{role, content}]}`; `messages` may be JSON text. */
export function validateRows(raw: readonly unknown[]): ValidatedRows {
  const rows: Conversation[] = [];
  const firstProblems: string[] = [];
  let bad = 0;
  raw.forEach((value, index) => {
    let candidate = value;
    if (
      candidate &&
      typeof candidate === "object" &&
      typeof (candidate as { messages?: unknown }).messages === "string"
    ) {
      try {
        candidate = { ...candidate, messages: JSON.parse((candidate as { messages: string }).messages) };
      } catch {
        // left as is: the schema reports it
      }
    }
    const parsed = conversationSchema.safeParse(candidate);
    const tooLong = parsed.success ? overlong(parsed.data) : null;
    if (parsed.success && !tooLong) rows.push(parsed.data);
    else if (parsed.success) {
      bad++;
      if (firstProblems.length < 5) firstProblems.push(`row ${index}: ${tooLong}`);
    } else {
      bad++;
      if (firstProblems.length < 5) {
        const issue = parsed.error.issues[0];
        firstProblems.push(`row ${index}: ${issue?.path.join(".") || "(row)"}: ${issue?.message}`);
      }
    }
  });
  return { rows, bad, firstProblems };
}
