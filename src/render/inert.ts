/**
 * Text from strangers (commitments, repo names, dataset text, judge and engine replies) reaches terminals
 * through tables, result lines, errors and logs. Control characters, escape sequences and bidirectional
 * overrides there could rewrite an auditor's screen or hide a line; they are shown as visible escapes
 * instead (`\x1b`, `\u202e`). Newlines and tabs are layout and stay.
 */
/** C0 controls but tab and newline, DEL, C1 controls, line/paragraph separators, bidi controls. */
export function isUnsafeChar(code: number): boolean {
  return (
    (code <= 0x1f && code !== 0x09 && code !== 0x0a) ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x2028 ||
    code === 0x2029 ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

function visible(code: number): string {
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

export function inertText(text: string): string {
  let out = "";
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!isUnsafeChar(code)) continue;
    out += text.slice(from, i) + visible(code);
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** One line of a table cell: inert, no newlines, and at most `max` characters (an ellipsis marks the cut). */
export function inertCell(text: string, max = 120): string {
  const flat = inertText(text).replace(/[\n\t]/g, (c) => (c === "\n" ? "\\n" : "\\t"));
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
