import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** ../shared beside the checkout: read in place, never copied into the repo. */
/** The Node flags sn11 ships with (the binary's execArgv, the npm entry's shebang). */
export function shippedNodeFlags(): string[] {
  return JSON.parse(readFileSync(join(REPO_ROOT, "sea", "node-flags.json"), "utf8")) as string[];
}

export const SHARED_DIR = resolve(REPO_ROOT, "..", "shared");
export const HAS_SHARED = existsSync(join(SHARED_DIR, "SCORING.md"));

export function sharedFile(relative: string): string {
  return join(SHARED_DIR, relative);
}

/** Call from a describe.skipIf(!HAS_SHARED) block so the skip says why. */
export function noteMissingShared(what: string): void {
  if (!HAS_SHARED) process.stderr.write(`skipping ${what}: ../shared not found at ${SHARED_DIR}\n`);
}
