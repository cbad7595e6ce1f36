import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CancelledError, EngineError } from "../../errors.js";
import { atExit } from "../../exit-hooks.js";
import type { LogLevel } from "../../log.js";
import type { Progress } from "../progress.js";
import type { EmbeddedOptions } from "./embedded.js";
import { type Engine, GenerationRefused, type GenerationRequest, type GenerationResult } from "./engine.js";
import { signalGroup } from "./process-group.js";

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** How to start embedded-host: from the sources (tsx), the npm bundle, or the single binary's runtime. */
function hostCommand(): { command: string; args: string[]; cwd?: string; env?: Record<string, string> } {
  const runtime = (globalThis as { __SN11_RUNTIME__?: { dir: string } }).__SN11_RUNTIME__;
  // The single executable runs a script of its unpacked runtime when asked by name (sea/launcher.cjs).
  if (runtime) return { command: process.execPath, args: [], env: { SN11_RUN_SCRIPT: "embedded-host" } };
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith(".ts")) {
    // The sources run under tsx, resolved from the checkout's root.
    const root = resolve(dirname(here), "../../..");
    return {
      command: process.execPath,
      args: ["--import", "tsx", join(dirname(here), "embedded-host.ts")],
      cwd: root,
    };
  }
  // The bundle: embedded-host.mjs is an entry point beside sn11.mjs; this module is there or in chunks/.
  const script = [
    join(dirname(here), "embedded-host.mjs"),
    join(dirname(here), "..", "embedded-host.mjs"),
  ].find((path) => existsSync(path));
  if (!script)
    throw new EngineError("embedded-host.mjs is missing from this installation", { hint: "reinstall sn11" });
  return { command: process.execPath, args: [script] };
}

/**
 * The embedded engine in a process of its own: the same llama.cpp through node-llama-cpp, but whatever it
 * allocates (the model, its context, the backends' buffers, which llama.cpp does not give back to the
 * system on dispose) goes when `stop()` ends that process. The validator daemon runs evaluations with it,
 * so its memory after an evaluation returns to what it was before.
 */
export class EmbeddedProcessEngine implements Engine {
  readonly name = "embedded";
  readonly slots = 1;
  readonly takesStopTokenIds = false;
  readonly deterministic = true;
  private child: ChildProcess | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Undoes the registrations with the cleanup registry and the exit hooks once the process is gone. */
  private forget: (() => void)[] = [];

  constructor(
    private readonly options: Omit<EmbeddedOptions, "logger" | "onProgress"> & {
      readonly logLevel: LogLevel;
      readonly onProgress?: Progress;
      /** Called with a stop function once the process runs, so one cleanup registry stops it on exit. */
      readonly onSpawn?: (stop: () => Promise<void>) => () => void;
    },
  ) {}

  get contextTokens(): number {
    return this.options.contextSize;
  }

  async start(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new CancelledError();
    const host = hostCommand();
    const child = spawn(host.command, host.args, {
      cwd: host.cwd,
      env: { ...process.env, ...host.env },
      // Its own process group: the cleanup that stops engines stops it with everything it started.
      detached: true,
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    this.child = child;
    const group = child.pid as number;
    // However sn11 exits (a second signal, an uncaught error), the process group goes with it.
    this.forget.push(atExit(() => signalGroup(group, "SIGKILL")));
    if (this.options.onSpawn) this.forget.push(this.options.onSpawn(() => this.stop()));
    child.on(
      "message",
      (message: { id?: number; ok?: boolean; value?: unknown; error?: RemoteError; progress?: unknown }) => {
        if (message.progress) this.options.onProgress?.(message.progress as never);
        if (message.id === undefined) return;
        const pending = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.ok) pending?.resolve(message.value);
        else pending?.reject(localError(message.error as RemoteError));
      },
    );
    // A process that cannot start (or a channel that breaks) fails what waits on it, never the daemon.
    child.on("error", (error) => {
      const failure = new EngineError(`the embedded engine's process failed: ${error.message}`);
      for (const pending of this.pending.values()) pending.reject(failure);
      this.pending.clear();
    });
    child.once("exit", (code, signalName) => {
      this.child = null;
      for (const undo of this.forget.splice(0)) undo();
      const error = new EngineError(`the embedded engine's process ended (${signalName ?? `exit ${code}`})`, {
        hint: "--verbose shows its log",
      });
      for (const pending of this.pending.values()) pending.reject(error);
      this.pending.clear();
    });
    const { logLevel, onProgress: _progress, onSpawn: _spawn, ...options } = this.options;
    await this.call({ op: "start", options, logLevel }, signal);
  }

  async health(): Promise<boolean> {
    return this.child ? ((await this.call({ op: "health" })) as boolean) : false;
  }

  async version(): Promise<string> {
    return this.child ? ((await this.call({ op: "version" })) as string) : "unknown";
  }

  async countTokens(text: string): Promise<number | null> {
    return this.child ? ((await this.call({ op: "countTokens", text })) as number | null) : null;
  }

  async generate(requests: readonly GenerationRequest[], signal?: AbortSignal): Promise<GenerationResult[]> {
    return (await this.call({ op: "generate", requests }, signal)) as GenerationResult[];
  }

  /** Asks the process to free everything and end; one that does not within 10 s is killed. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    await this.call({ op: "stop" }).catch(() => undefined);
    const timer = setTimeout(() => signalGroup(child.pid as number, "SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private call(request: Record<string, unknown>, signal?: AbortSignal): Promise<unknown> {
    const child = this.child;
    if (!child) return Promise.reject(new EngineError("the embedded engine was not started"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        child.send({ id: this.nextId++, op: "abort" }, () => undefined);
        this.pending.delete(id);
        reject(new CancelledError());
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      this.pending.set(id, {
        resolve: (value) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(value);
        },
        reject: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      });
      child.send({ id, ...request }, (error) => {
        if (!error) return;
        this.pending.delete(id);
        reject(new EngineError(`the embedded engine's process is gone: ${error.message}`));
      });
    });
  }
}

interface RemoteError {
  readonly name: string;
  readonly message: string;
  readonly hint?: string;
}

/** The host's error as the caller expects it: a refused generation stays a failed sample, and so on. */
function localError(error: RemoteError): Error {
  if (error.name === "GenerationRefused") return new GenerationRefused(error.message);
  if (error.name === "CancelledError") return new CancelledError(error.message);
  return new EngineError(error.message, { hint: error.hint });
}
