import type { Metagraph } from "../chain/types.js";
import type { SharedStore } from "../store/shared/shared-store.js";
import type { Store } from "../store/store.js";
import type { DashboardData, JudgeExample } from "./data.js";
import {
  type BoardBase,
  judgeExamples,
  type ReadOptions,
  readDashboard,
  readSharedQueue,
  type SharedQueue,
} from "./read.js";

export interface SourceOptions extends Omit<ReadOptions, "base" | "chainError" | "now" | "queue"> {
  readonly store: Store;
  /** The PostgreSQL the workers share (--store), read beside the store; its first read given here. */
  readonly shared?: { readonly store: SharedStore; readonly first: SharedQueue };
  readonly base: BoardBase;
  /** Reads the chain again (the board's chain columns); absent offline or from a file. */
  readonly readMetagraph?: () => Promise<Metagraph>;
  readonly refreshMs: number;
  readonly chainRefreshMs?: number;
  readonly now?: () => Date;
}

/**
 * The dashboard's data: the store every `refreshMs` (cheap, indexed reads), the chain every minute. Owns
 * its timers; components read it through useSyncExternalStore, so one refresh is one immutable value.
 */
export class DashboardSource {
  private data: DashboardData;
  private base: BoardBase;
  private chainError: string | null = null;
  private readonly listeners = new Set<() => void>();
  private timers: NodeJS.Timeout[] = [];
  private chainBusy = false;
  private queue: SharedQueue | null;
  private queueBusy = false;

  constructor(private readonly o: SourceOptions) {
    this.base = o.base;
    this.queue = o.shared?.first ?? null;
    this.data = this.read();
  }

  private read(): DashboardData {
    return readDashboard(this.o.store, {
      ...this.o,
      queue: this.queue,
      base: this.base,
      chainError: this.chainError,
      now: this.o.now?.() ?? new Date(),
    });
  }

  readonly get = (): DashboardData => this.data;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The first judged samples of a run, read when the detail view asks. */
  readonly examples = (runId: number): JudgeExample[] => judgeExamples(this.o.store, runId);

  refresh(): void {
    try {
      this.data = this.read();
    } catch (error) {
      // A store being migrated or briefly busy: keep the last frame, say why.
      this.data = { ...this.data, chainError: `store: ${(error as Error).message}` };
    }
    for (const l of this.listeners) l();
  }

  /** The shared store's queue, read again; an unreachable database keeps the last one and says so. */
  async refreshQueue(): Promise<void> {
    const shared = this.o.shared;
    if (!shared || this.queueBusy) return;
    this.queueBusy = true;
    try {
      this.queue = await readSharedQueue(shared.store, this.o.profile.id);
      this.refresh();
    } catch (error) {
      this.data = { ...this.data, chainError: `store: ${(error as Error).message}` };
      for (const l of this.listeners) l();
    } finally {
      this.queueBusy = false;
    }
  }

  async refreshChain(): Promise<void> {
    const read = this.o.readMetagraph;
    if (!read || this.base.kind !== "chain" || this.chainBusy) return;
    this.chainBusy = true;
    try {
      this.base = { ...this.base, metagraph: await read() };
      this.chainError = null;
    } catch (error) {
      // The chain failing never stops the dashboard: the header says so, the last state stays.
      this.chainError = `chain: ${(error as Error).message}`;
    } finally {
      this.chainBusy = false;
    }
    this.refresh();
  }

  start(): void {
    this.timers.push(
      setInterval(() => (this.o.shared ? void this.refreshQueue() : this.refresh()), this.o.refreshMs),
    );
    if (this.o.readMetagraph) {
      this.timers.push(setInterval(() => void this.refreshChain(), this.o.chainRefreshMs ?? 60_000));
    }
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }
}
