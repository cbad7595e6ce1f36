import { CRITERIA, type Criterion, OUTCOMES, type Outcome, type Verdict } from "../../scoring/judge-score.js";

export type ParsedAnswer =
  | { readonly kind: "verdict"; readonly verdict: Verdict }
  | { readonly kind: "skipped"; readonly reason: string }
  | { readonly kind: "unparseable"; readonly reason: string };

/**
 * Reads a judge's answer as strictly as the reference where it decides a score: an outcome other than
 * exactly "original", "generated" or "tie" is a failed call (the reference fails on it), a missing
 * `*_win` key is skipped (the reference skips it). Lenient only where no verdict can change: code fences
 * and text around the one JSON object.
 */
export function parseAnswer(text: string): ParsedAnswer {
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  if (start < 0 || end <= start) return { kind: "unparseable", reason: "no JSON object" };
  let value: unknown;
  try {
    value = JSON.parse(text.slice(start, end + 1));
  } catch {
    return { kind: "unparseable", reason: "invalid JSON" };
  }
  if (!value || typeof value !== "object" || Array.isArray(value))
    return { kind: "unparseable", reason: "not a JSON object" };
  const answer = value as Record<string, unknown>;
  const missing = CRITERIA.filter((c) => !(`${c}_win` in answer));
  if (missing.length > 0)
    return { kind: "skipped", reason: `no ${missing.map((c) => `${c}_win`).join(", ")}` };
  const verdict: Partial<Record<Criterion, Outcome>> = {};
  for (const c of CRITERIA) {
    const outcome = answer[`${c}_win`];
    if (typeof outcome !== "string" || !(OUTCOMES as readonly string[]).includes(outcome))
      return { kind: "unparseable", reason: `${c}_win is ${JSON.stringify(outcome)}` };
    verdict[c] = outcome as Outcome;
  }
  return { kind: "verdict", verdict: verdict as Verdict };
}

/** The verdict of an answer, or null when the answer gives none (skipped or unparseable). */
export function parseVerdict(text: string): Verdict | null {
  const parsed = parseAnswer(text);
  return parsed.kind === "verdict" ? parsed.verdict : null;
}
