import type { Logger } from "../../log.js";
import type { Store } from "../store.js";
import type { SharedStore } from "./shared-store.js";
import { sqliteSharedStore } from "./sqlite.js";

/**
 * The shared store a command works on: PostgreSQL when `url` is given (--store, SN11_STORE), else the data
 * dir's own SQLite file. pg is loaded only then.
 */
export async function openSharedStore(
  url: string | undefined,
  o: { readonly local: () => Store; readonly logger: Logger; readonly applicationName: string },
): Promise<SharedStore> {
  if (!url) return sqliteSharedStore(o.local());
  const { openPostgresStore } = await import("./postgres.js");
  return openPostgresStore(url, { logger: o.logger, applicationName: o.applicationName });
}
