/** One line of `sn11 doctor`: what was checked, how it went, why, and what to do. */
export interface CheckResult {
  readonly id: string;
  readonly title: string;
  readonly status: "ok" | "warn" | "fail";
  readonly reason: string;
  readonly hint?: string;
  /** Facts behind the line, for --json (versions, GPUs, blocks). */
  readonly details?: Record<string, unknown>;
}

export const ok = (
  id: string,
  title: string,
  reason: string,
  details?: Record<string, unknown>,
): CheckResult => ({
  id,
  title,
  status: "ok",
  reason,
  ...(details ? { details } : {}),
});

/** A check that did not pass: the reason and what to do about it. */
const notOk =
  (status: "warn" | "fail") =>
  (
    id: string,
    title: string,
    reason: string,
    hint?: string,
    details?: Record<string, unknown>,
  ): CheckResult => ({
    id,
    title,
    status,
    reason,
    ...(hint ? { hint } : {}),
    ...(details ? { details } : {}),
  });

export const warn = notOk("warn");
export const fail = notOk("fail");

/** Warnings are worth reading, not worth stopping a script for: only a failure is exit 1. */
export function doctorExitCode(results: readonly CheckResult[]): number {
  return results.some((r) => r.status === "fail") ? 1 : 0;
}

const MARK = { ok: "ok  ", warn: "warn", fail: "FAIL" } as const;

export function doctorText(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.title.length));
  const lines = results.flatMap((r) => [
    `${MARK[r.status]}  ${r.title.padEnd(width)}  ${r.reason}`,
    ...(r.hint && r.status !== "ok" ? [`      ${" ".repeat(width)}  hint: ${r.hint}`] : []),
  ]);
  const counts = (s: CheckResult["status"]) => results.filter((r) => r.status === s).length;
  return [...lines, "", `${counts("ok")} ok, ${counts("warn")} warnings, ${counts("fail")} failed`].join(
    "\n",
  );
}
