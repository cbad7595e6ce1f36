/** The URL without its password: what banners, logs and errors may show. */
export function redactedStoreUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "postgres://(unparsable URL)";
  }
}

/**
 * The URL as psql reads it. pg 8 takes `sslmode=prefer|require|verify-ca` as `verify-full` (and prints a
 * SECURITY WARNING past sn11's logger each time); an operator who pasted a provider's URL means what libpq
 * means by it, so sn11 asks pg for libpq's semantics. `verify-full` and `disable` are the same either way.
 */
export function withLibpqSslModes(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  if (!u.searchParams.has("sslmode") || u.searchParams.has("uselibpqcompat")) return url;
  u.searchParams.set("uselibpqcompat", "true");
  return u.toString();
}

/** The password in a store URL, so that no log line or error shows it (registered as a secret). */
export function storePassword(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}
