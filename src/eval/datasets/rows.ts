import { type Conversation, conversationSchema } from "../conversation.js";

/** Marks a JSON Lines line that does not parse, so the row check can say so. */
export const NOT_JSON = "__sn11_not_json__";

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

/** The roles a Dippy chat has; a row with another one, or with no assistant reply, cannot be judged. */
const ROLES = new Set(["user", "assistant"]);

function unusable(row: Conversation): string | null {
  const stranger = row.messages.find((m) => !ROLES.has(m.role));
  if (stranger) return `messages: unknown role ${JSON.stringify(stranger.role)} (user or assistant)`;
  if (!row.messages.some((m) => m.role === "assistant")) return "messages: no assistant turn to compare with";
  return overlong(row);
}

/**
 * Keeps the rows shaped like `{system_prompt, messages: [{role, content}]}` (`messages` may be JSON text)
 * with user and assistant turns only and at least one reply. Problems are numbered from 1, as an editor
 * numbers the lines of a JSON Lines file without blank lines.
 */
export function validateRows(raw: readonly unknown[]): ValidatedRows {
  const rows: Conversation[] = [];
  const firstProblems: string[] = [];
  let bad = 0;
  raw.forEach((value, index) => {
    const at = `row ${index + 1}`;
    if (value && typeof value === "object" && NOT_JSON in value) {
      bad++;
      if (firstProblems.length < 5) firstProblems.push(`${at}: not valid JSON`);
      return;
    }
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
    const problem = parsed.success ? unusable(parsed.data) : null;
    if (parsed.success && !problem) rows.push(parsed.data);
    else if (parsed.success) {
      bad++;
      if (firstProblems.length < 5) firstProblems.push(`${at}: ${problem}`);
    } else {
      bad++;
      if (firstProblems.length < 5) {
        const issue = parsed.error.issues[0];
        firstProblems.push(`${at}: ${issue?.path.join(".") || "(row)"}: ${issue?.message}`);
      }
    }
  });
  return { rows, bad, firstProblems };
}
