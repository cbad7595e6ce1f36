import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** Set by the single-binary launcher: where the runtime payload (bundle and native addons) was extracted. */
interface RuntimeInfo {
  readonly dir: string;
}

export function runtimeInfo(): RuntimeInfo | undefined {
  return (globalThis as { __SN11_RUNTIME__?: RuntimeInfo }).__SN11_RUNTIME__;
}

/**
 * The better-sqlite3 addon: from the extracted payload in the single binary, else from node_modules.
 * Passing the path explicitly lets the JS side be bundled (its own lookup relies on its package layout).
 */
export function betterSqliteBinding(): string {
  const runtime = runtimeInfo();
  if (runtime) return join(runtime.dir, "better_sqlite3.node");
  const pkg = createRequire(import.meta.url).resolve("better-sqlite3/package.json");
  return join(dirname(pkg), "build", "Release", "better_sqlite3.node");
}
