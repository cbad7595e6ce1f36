/**
 * Colour for the words that matter (ok, FAIL, FAILED, ERROR) on a terminal. Text is built with markers
 * from the private-use area, and the CLI turns them into SGR colours or strips them as it prints, after
 * strangers' text has been made inert: a marker can only ever become one of these colours.
 */
export type Tone = "good" | "bad" | "warn" | "dim";

const OPEN = "\u{e000}";
const CLOSE = "\u{e001}";
const TONE_CODE: Readonly<Record<Tone, string>> = { good: "a", bad: "b", warn: "c", dim: "d" };
const SGR: Readonly<Record<string, string>> = { a: "32", b: "31", c: "33", d: "2" };
const MARKED = new RegExp(`${OPEN}([abcd])([^${CLOSE}]*)${CLOSE}`, "g");
const STRAY = new RegExp(`[${OPEN}${CLOSE}]`, "g");

export function toned(text: string, tone: Tone): string {
  return `${OPEN}${TONE_CODE[tone]}${text}${CLOSE}`;
}

/** Colours as SGR sequences, or the plain text. */
export function applyTones(text: string, colour: boolean): string {
  const styled = text.replace(MARKED, (_, code: string, inner: string) =>
    colour ? `\x1b[${SGR[code]}m${inner}\x1b[0m` : inner,
  );
  return styled.replace(STRAY, "");
}

/** no-color.org: a terminal gets colour unless NO_COLOR is set to anything but "". */
export function wantsColour(
  out: { isTTY?: boolean },
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  return out.isTTY === true && !env.NO_COLOR && env.TERM !== "dumb";
}

/** The tone of a verdict word wherever it appears: ok/valid/COMPLETED good, FAIL/FAILED/ERROR bad. */
export function verdictTone(word: string): Tone | null {
  if (/^(ok|valid|COMPLETED|scored|sent|committed|revealed)$/.test(word)) return "good";
  if (/^(FAIL|FAILED|ERROR|error|failed|invalid)\b/.test(word)) return "bad";
  if (/^(warn|warning|QUEUED|RUNNING|queued|running|skipped)\b/.test(word)) return "warn";
  return null;
}
