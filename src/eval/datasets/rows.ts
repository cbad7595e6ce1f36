import { type Conversation, conversationSchema } from "../conversation.js";

export interface ValidatedRows {
  readonly rows: Conversation[];
  /** Rows that were not conversations: counted and skipped, never a crash. */
  readonly bad: number;
  readonly firstProblems: string[];
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
    if (parsed.success) rows.push(parsed.data);
    else {
      bad++;
      if (firstProblems.length < 5) {
        const issue = parsed.error.issues[0];
        firstProblems.push(`row ${index}: ${issue?.path.join(".") || "(row)"}: ${issue?.message}`);
      }
    }
  });
  return { rows, bad, firstProblems };
}
