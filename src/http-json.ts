import type { Sn11Error } from "./errors.js";
import { inertText } from "./render/inert.js";

/**
 * A response body that must be JSON: anything else (an HTML error page, a proxy's text, a truncated body)
 * is a typed error naming the URL and the first bytes, never a crash.
 */
export async function jsonBody<T>(
  response: Response,
  fail: (message: string) => Sn11Error | Error,
): Promise<T> {
  const text = await response.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    const start = inertText(text.slice(0, 80).replace(/\s+/g, " ").trim());
    throw fail(
      `${response.url || "the server"} answered something other than JSON: ${JSON.stringify(start)}`,
    );
  }
}
