import { spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../src/cli.js";
import { STORE_FILE } from "../../src/store/db.js";
import { Store } from "../../src/store/store.js";
import { REPO_ROOT } from "./shared.js";

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function tempDir(prefix = "sn11-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Where the shared llama-server launcher unpacks itself (else under each test's empty $HOME): one copy,
 * unpacked by the global setup, for every test.
 */
export const TEST_ENGINE_CACHE =
  process.env.SN11_TEST_ENGINE_CACHE ?? join(homedir(), ".cache", "sn11-test-engines");

/** A clean environment: an empty HOME, no SN11_* or HF_* from the developer's shell. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const home = tempDir("sn11-home-");
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith("SN11_") && !k.startsWith("HF_") && !k.startsWith("XDG_"))
      env[k] = v;
  }
  // Spawned engines see an allow-listed environment: the test launcher's cache is passed by name.
  return {
    ...env,
    HOME: home,
    SN11_TEST_ENGINE_CACHE: TEST_ENGINE_CACHE,
    SN11_ENGINE_ENV: "SN11_TEST_ENGINE_CACHE",
    ...extra,
  };
}

class Capture {
  text = "";
  isTTY = false;
  write(chunk: string) {
    this.text += chunk;
    return true;
  }
}

/** Runs the CLI in this process, stdout and stderr captured separately. */
export async function runInProcess(
  argv: string[],
  options: { env?: Record<string, string>; cwd?: string; signal?: AbortSignal; stop?: AbortSignal } = {},
): Promise<CliRun> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runCli(argv, {
    stdout,
    stderr,
    env: options.env ?? cleanEnv(),
    cwd: options.cwd ?? REPO_ROOT,
    signal: options.signal ?? new AbortController().signal,
    stop: options.stop,
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/**
 * Runs an executable as a child process (for real exit codes and stream separation). With `killAfterMs`
 * it runs in its own process group, killed as a whole (SIGKILL) at that deadline: exit code -1.
 */
export function runChild(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; killAfterMs?: number } = {},
): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? cleanEnv(),
      cwd: options.cwd ?? REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      detached: options.killAfterMs !== undefined,
    });
    const limit =
      options.killAfterMs === undefined
        ? undefined
        : setTimeout(() => process.kill(-(child.pid as number), "SIGKILL"), options.killAfterMs);
    child.on("close", () => clearTimeout(limit));
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
  });
}

/** The npm entry point (bin/sn11.mjs → dist/sn11.mjs, built by the test setup). */
export function runBin(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}) {
  return runChild(process.execPath, [join(REPO_ROOT, "bin", "sn11.mjs"), ...args], options);
}

/** Reads a data dir's store and closes it again (the process under test may hold it open too). */
export function inStore<T>(dataDir: string, read: (store: Store) => T): T {
  const store = Store.open(dataDir);
  try {
    return read(store);
  } finally {
    store.close();
  }
}

/**
 * The newest score run's sample rows, read beside a running sn11: read-only, since a writer connection's
 * close checkpoints the WAL, which would hold up the process under test. None while the store is missing
 * or not yet migrated.
 */
export function newestRunSamples(dataDir: string): ReturnType<Store["scoreRuns"]["samples"]> {
  if (!existsSync(join(dataDir, STORE_FILE))) return [];
  let store: Store;
  try {
    store = Store.openReadOnly(dataDir);
  } catch {
    return []; // the process under test is still creating it (its migrations not yet committed)
  }
  try {
    const [run] = store.scoreRuns.list(1);
    return run ? store.scoreRuns.samples(run.id) : [];
  } finally {
    store.close();
  }
}

/** `sn11` as a long-running child process: its output so far, and its exit code when it ends. */
export function spawnSn11(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [join(REPO_ROOT, "bin", "sn11.mjs"), ...args], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = { stdout: "", stderr: "" };
  child.stdout.on("data", (d) => {
    output.stdout += d;
  });
  child.stderr.on("data", (d) => {
    output.stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output, exited };
}
