import { createHash, timingSafeEqual } from "node:crypto";
import { signatureVerify } from "@polkadot/util-crypto";

/** A token compared in constant time (both sides hashed first, so their lengths do not show either). */
export function tokenMatches(given: string | undefined | null, expected: string): boolean {
  if (!given) return false;
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The bearer token of an `Authorization` header, if any. */
export function bearer(header: string | undefined): string | null {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? "");
  return match ? (match[1] as string).trim() : null;
}

/** How far a signed request's timestamp may be from this clock, either way. */
export const SIGNATURE_WINDOW_MS = 60_000;

/** What an allow-listed hotkey signs: the method, the path with its query, the timestamp and the body's sha256. */
export function signedMessage(method: string, path: string, timestampMs: number, body: Buffer): string {
  return `${method.toUpperCase()} ${path}\n${timestampMs}\n${createHash("sha256").update(body).digest("hex")}`;
}

/** Signatures seen within the window: the same signed request twice is refused (no replay). */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();

  /** True the first time; false for a signature already used. Forgets what left the window. */
  firstUse(signature: string, nowMs: number): boolean {
    for (const [s, expires] of this.seen) if (expires < nowMs) this.seen.delete(s);
    if (this.seen.has(signature)) return false;
    this.seen.set(signature, nowMs + 2 * SIGNATURE_WINDOW_MS);
    return true;
  }
}

export type SignatureCheck = { ok: true; hotkey: string } | { ok: false; reason: string };

/**
 * An sr25519 signature by an allow-listed hotkey over `signedMessage`, in the headers `x-sn11-hotkey`,
 * `x-sn11-timestamp` (ms since the epoch) and `x-sn11-signature` (hex).
 */
export function checkSignature(o: {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly method: string;
  readonly path: string;
  readonly body: Buffer;
  readonly allowed: ReadonlySet<string>;
  readonly guard: ReplayGuard;
  readonly nowMs: number;
}): SignatureCheck {
  const header = (name: string) => {
    const v = o.headers[name];
    return typeof v === "string" ? v : undefined;
  };
  const hotkey = header("x-sn11-hotkey");
  const timestamp = Number(header("x-sn11-timestamp"));
  const signature = header("x-sn11-signature");
  if (!hotkey || !signature || !Number.isFinite(timestamp)) return { ok: false, reason: "no signature" };
  if (!o.allowed.has(hotkey)) return { ok: false, reason: "hotkey not allowed" };
  if (Math.abs(o.nowMs - timestamp) > SIGNATURE_WINDOW_MS) return { ok: false, reason: "stale timestamp" };
  let valid = false;
  try {
    valid = signatureVerify(signedMessage(o.method, o.path, timestamp, o.body), signature, hotkey).isValid;
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, reason: "bad signature" };
  if (!o.guard.firstUse(signature, o.nowMs)) return { ok: false, reason: "replayed signature" };
  return { ok: true, hotkey };
}
