import { accessSync, constants, existsSync, mkdirSync, statfsSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { ConfigError } from "./errors.js";

/**
 * Creates a directory and its parents, after checking that the nearest existing ancestor is a writable
 * directory: Node 20's recursive mkdirSync spins for ever under a path like /proc/1/x.
 */
export function ensureDir(path: string, what = "the data dir"): void {
  let ancestor = path;
  for (;;) {
    try {
      const stat = statSync(ancestor);
      if (!stat.isDirectory()) throw new Error(`${ancestor} is not a directory`);
      if (ancestor !== path) accessSync(ancestor, constants.W_OK | constants.X_OK);
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" && dirname(ancestor) !== ancestor) {
        ancestor = dirname(ancestor);
        continue;
      }
      throw new ConfigError(`cannot create ${what} ${path}: ${(error as Error).message}`, {
        hint: "check --data-dir (or SN11_DATA_DIR) and its permissions",
      });
    }
  }
  try {
    mkdirSync(path, { recursive: true });
  } catch (error) {
    throw new ConfigError(`cannot create ${what} ${path}: ${(error as Error).message}`, {
      hint: "check --data-dir (or SN11_DATA_DIR) and its permissions",
    });
  }
}

/** The path itself when it exists, else its nearest existing ancestor (for statfs, access checks). */
export function nearestExisting(path: string): string {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

/** Bytes free to this user on the filesystem that holds (or would hold) `path`. */
export function freeBytesAt(path: string): number {
  const s = statfsSync(nearestExisting(path));
  return Number(s.bavail) * Number(s.bsize);
}
