import type { Writer } from "./log.js";
import { inertText } from "./render/inert.js";
import { redact } from "./secrets.js";

export interface ErrorReport {
  readonly kind: string;
  readonly message: string;
  readonly hint: string | null;
}

/**
 * How every expected failure is told on stderr: `error:` and `hint:` lines, or one JSON line with
 * `--json`; secrets redacted, untrusted text made inert.
 */
export function writeError(stderr: Writer, json: boolean, report: ErrorReport): void {
  if (json) {
    stderr.write(redact(`${JSON.stringify({ error: report })}\n`));
    return;
  }
  stderr.write(`error: ${inertText(redact(report.message))}\n`);
  if (report.hint) stderr.write(`hint: ${inertText(redact(report.hint))}\n`);
}
