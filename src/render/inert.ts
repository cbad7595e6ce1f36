/**
 * Text from strangers (commitments, repo names, dataset text, judge and engine replies) reaches terminals
 * through tables, result lines, errors and logs. Control characters, escape sequences and bidirectional
 * overrides there could rewrite an auditor's screen or hide a line; they are shown as visible escapes
 * instead (`\x1b`, `\u202e`). Newlines and tabs are layout and stay.
 */
// C0 controls but \t and \n, DEL, C1 controls, bidi embeddings/overrides/isolates, line/paragraph separators.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function visible(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

export function inertText(text: string): string {
  return text.replace(UNSAFE, visible);
}

/** One line of a table cell: inert, no newlines, and at most `max` characters (an ellipsis marks the cut). */
export function inertCell(text: string, max = 120): string {
  const flat = inertText(text).replace(/[\n\t]/g, (c) => (c === "\n" ? "\\n" : "\\t"));
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
