import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { CancelledError, EngineError, EngineStartError } from "../../errors.js";
import { atExit } from "../../exit-hooks.js";
import type { Logger } from "../../log.js";
import { isProcessAlive } from "../../process-alive.js";
import type { Progress } from "../progress.js";
import { type Engine, GenerationRefused, type GenerationRequest, type GenerationResult } from "./engine.js";
import { engineEnvironment } from "./engine-env.js";
import { CompletionsClient } from "./openai-http.js";
import { signalGroup } from "./process-group.js";

export interface LlamaServerOptions {
  /** A running server to use, or a binary to spawn with a GGUF model. */
  readonly url?: string;
  readonly binary?: string;
  readonly model?: string;
  readonly threads?: number;
  readonly contextSize?: number;
  readonly parallel?: number;
  readonly startTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly logger: Logger;
  /**
   * Where the spawned server's pid is kept: a process killed with -9 cannot stop its children, so the next
   * start stops a server a previous run left behind.
   */
  readonly pidFile?: string;
  /** Called with a stop function when a child is spawned, so one cleanup registry can kill it on exit. */
  readonly onSpawn?: (stop: () => Promise<void>) => () => void;
  /**
   * Another OpenAI-compatible server supervised the same way (vLLM): its name and its arguments for a
   * port. Without it, llama-server's arguments are used.
   */
  readonly launch?: { readonly name: string; readonly args: (port: number) => string[] };
  /** Extra environment for the spawned server (e.g. CUDA_VISIBLE_DEVICES to pin it to one GPU). */
  readonly env?: Readonly<Record<string, string>>;
  /** Whether this run's generations are reproducible (one slot, vLLM's batch invariance). */
  readonly deterministic?: boolean;
  /** The version the preflight read (`--version`): recorded on the card instead of asking the server. */
  readonly knownVersion?: string;
  /** Told how the start goes (vLLM loads for minutes): stage "engine start". */
  readonly onProgress?: Progress;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/**
 * llama.cpp's `llama-server`, spawned in its own process group (or reached at a URL): health-probed
 * before use, killed with its group on stop, restarted once when it dies mid-run, then an engine error.
 */
export class LlamaServerEngine implements Engine {
  readonly name: string;
  private child: ChildProcess | null = null;
  private baseUrl: string | null = null;
  private client: CompletionsClient | null = null;
  private restarts = 0;
  /** Counts the servers started in this run: a request sent to an earlier one is retried on the new one. */
  private generation = 0;
  private restarting: Promise<void> | null = null;
  private unregister: (() => void) | null = null;
  private exitedEarly: string | null = null;
  /** Argparse exits 2 on a flag it does not know; a binary that cannot be executed never starts. */
  private refusedArguments = false;

  constructor(private readonly options: LlamaServerOptions) {
    this.name = options.launch?.name ?? "llama-server";
  }

  get deterministic(): boolean {
    return this.options.deterministic ?? false;
  }

  get slots(): number {
    return this.options.parallel ?? 1;
  }

  /** One slot's context: vLLM's max model length, or llama-server's --context-size. */
  get contextTokens(): number {
    return this.options.contextSize ?? 2048;
  }

  /** vLLM honours stop_token_ids; llama-server ignores them (it stops on the model's end-of-generation tokens). */
  get takesStopTokenIds(): boolean {
    return this.name === "vllm";
  }

  countTokens(text: string, signal?: AbortSignal): Promise<number | null> {
    return this.survivingRestart((client) => client.countTokens(text, signal), signal);
  }

  async start(signal?: AbortSignal): Promise<void> {
    if (this.options.url) this.baseUrl = this.options.url.replace(/\/+$/, "");
    else await this.spawnChild();
    this.client = new CompletionsClient(this.baseUrl as string, {
      concurrency: this.options.parallel ?? 1,
      timeoutMs: this.options.requestTimeoutMs ?? 600_000,
      dialect: this.takesStopTokenIds ? "vllm" : "llama-server",
    });
    await this.waitHealthy(signal);
    this.generation++;
  }

  private async spawnChild(): Promise<void> {
    const { binary, model } = this.options;
    if (!binary || !model)
      throw new EngineError(`${this.name} needs --engine-bin and a model, or --engine-url`);
    this.reapLeftover();
    const port = await freePort();
    const args = this.options.launch?.args(port) ?? [
      "-m",
      model,
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "-t",
      String(this.options.threads ?? 2),
      // llama-server divides its context among its slots: each conversation gets the whole context size.
      "-c",
      String((this.options.contextSize ?? 2048) * (this.options.parallel ?? 1)),
      "--parallel",
      String(this.options.parallel ?? 1),
    ];
    this.exitedEarly = null;
    this.refusedArguments = false;
    const child = spawn(binary, args, {
      detached: true,
      stdio: ["ignore", "ignore", "pipe"],
      env: engineEnvironment(process.env, this.options.env),
    });
    let tail = "";
    child.stderr?.on("data", (d: Buffer) => {
      tail = (tail + d.toString()).slice(-2000);
    });
    // However sn11 ends, the engine's whole process group (it may hold GPU memory) ends with it.
    const group = child.pid;
    const forget = group
      ? atExit(() => {
          if (this.options.pidFile) rmSync(this.options.pidFile, { force: true });
          signalGroup(group, "SIGKILL");
        })
      : () => {};
    child.once("exit", (code, sig) => {
      forget();
      this.refusedArguments = code === 2;
      this.exitedEarly = `${this.name} exited (${sig ?? `code ${code}`}): ${tail.trim().split("\n").slice(-4).join(" ").trim()}`;
      if (this.child === child) this.child = null;
    });
    child.once("error", (error) => {
      this.refusedArguments = true;
      this.exitedEarly = `${this.name} could not start: ${error.message}`;
    });
    this.child = child;
    if (this.options.pidFile && child.pid)
      writeFileSync(this.options.pidFile, `${child.pid} ${process.pid}\n`);
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.unregister?.();
    this.unregister = this.options.onSpawn?.(() => this.stop()) ?? null;
    this.options.logger.debug({ pid: child.pid, port }, "llama-server spawned");
  }

  private async waitHealthy(signal?: AbortSignal): Promise<void> {
    const t0 = Date.now();
    const deadline = t0 + (this.options.startTimeoutMs ?? 120_000);
    const seconds = () => Math.round((Date.now() - t0) / 1000);
    let reported = -1;
    while (Date.now() < deadline) {
      if (signal?.aborted) throw new CancelledError();
      if (this.exitedEarly && !this.options.url)
        throw new EngineStartError(this.exitedEarly, this.refusedArguments, {
          hint: this.refusedArguments
            ? `${this.name} refused its command line: check --engine-bin and that it is a supported version`
            : `${this.name} died while it loaded the model: its last stderr lines are above`,
        });
      if (await this.health()) {
        this.options.onProgress?.({
          stage: "engine start",
          done: 1,
          total: 1,
          detail: `ready in ${seconds()} s`,
        });
        return;
      }
      if (seconds() !== reported) {
        reported = seconds();
        this.options.onProgress?.({
          stage: "engine start",
          done: 0,
          total: 0,
          detail: `waiting for ${this.name} (${reported} s)`,
        });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new EngineStartError(
      `${this.name} did not become healthy at ${this.baseUrl} within ${seconds()} s`,
      false,
    );
  }

  async health(): Promise<boolean> {
    if (!this.baseUrl) return false;
    try {
      const response = await fetch(`${this.baseUrl}/health`, { signal: AbortSignal.timeout(2000) });
      return response.ok;
    } catch {
      return false;
    }
  }

  async version(): Promise<string> {
    if (this.options.knownVersion) return this.options.knownVersion;
    try {
      const response = await fetch(`${this.baseUrl}/props`, { signal: AbortSignal.timeout(2000) });
      const props = (await response.json()) as { build_info?: string };
      return props.build_info ?? "unknown";
    } catch {
      return "unknown";
    }
  }

  /**
   * A spawned server that dies mid-run is restarted once, and every request that was in flight on it is
   * sent again to the new one (they all fail together; one restart serves them all); a second death in
   * the same run is final.
   */
  generate(requests: readonly GenerationRequest[], signal?: AbortSignal): Promise<GenerationResult[]> {
    return this.survivingRestart((client) => client.batch(requests, signal), signal);
  }

  /** One call to the server; if the server died under it, once more on the restarted server. */
  private async survivingRestart<T>(
    call: (client: CompletionsClient) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    if (!this.client) throw new EngineError("the engine was not started");
    const generation = this.generation;
    try {
      return await call(this.client);
    } catch (error) {
      if (error instanceof CancelledError || error instanceof GenerationRefused || this.options.url)
        throw error;
      const retry = () => call(this.client as CompletionsClient);
      // A reset connection can be seen before the child's exit: give the exit a moment to arrive.
      if (!this.restarting && this.child && generation === this.generation) await this.childExit(1000);
      if (this.restarting) {
        await this.restarting;
        return retry();
      }
      if (generation !== this.generation) return retry(); // restarted meanwhile
      if (this.child) throw error; // the server is alive: the error is not its death
      if (this.restarts >= 1)
        throw new EngineError(`${this.name} died again: ${this.exitedEarly ?? (error as Error).message}`);
      this.restarts++;
      this.options.logger.warn({ reason: this.exitedEarly }, `${this.name} died; restarting it once`);
      this.restarting = this.start(signal).finally(() => {
        this.restarting = null;
      });
      await this.restarting;
      return retry();
    }
  }

  /** Resolves when the current child exits, or after `ms`. */
  private childExit(ms: number): Promise<void> {
    const child = this.child;
    if (!child) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Stops a llama-server whose sn11 died without stopping it (the pid file names both; the server's
   * cmdline confirms it). A server whose sn11 still runs is left alone.
   */
  private reapLeftover(): void {
    const file = this.options.pidFile;
    if (!file || !existsSync(file)) return;
    const [pid = 0, owner = 0] = readFileSync(file, "utf8").trim().split(/\s+/).map(Number);
    if (owner && owner !== process.pid && isProcessAlive(owner)) return;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (pid > 0 && cmdline.includes(this.name)) {
        process.kill(-pid, "SIGKILL");
        this.options.logger.warn({ pid }, "stopped a llama-server left behind by an earlier run");
      }
    } catch {
      // gone already
    }
    rmSync(file, { force: true });
  }

  /** Where the server answers (set once started). */
  get url(): string | null {
    return this.baseUrl;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    this.unregister?.();
    this.unregister = null;
    if (this.options.pidFile) rmSync(this.options.pidFile, { force: true });
    if (!child?.pid) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    if (!signalGroup(child.pid, "SIGTERM")) return;
    const timer = setTimeout(() => signalGroup(child.pid as number, "SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
}
