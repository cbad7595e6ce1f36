import { type Db, prepared } from "./db.js";

/** The running daemon as the dashboard sees it: alive while its heartbeat is recent. */
export interface ValidatorStateRecord {
  readonly pid: number;
  readonly startedAt: string;
  readonly heartbeatAt: string;
  readonly stoppedAt: string | null;
  readonly network: string;
  readonly netuid: number;
  readonly workers: number;
  readonly nextStepAt: string | null;
}

interface Row {
  pid: number;
  started_at: string;
  heartbeat_at: string;
  stopped_at: string | null;
  network: string;
  netuid: number;
  workers: number;
  next_step_at: string | null;
}

/** How often a running daemon writes its heartbeat; three missed beats and it counts as gone. */
export const HEARTBEAT_MS = 5000;

/** One row: the daemon that last ran on this data dir (the validate lock makes it the only one). */
export class ValidatorState {
  constructor(private readonly db: Db) {}

  started(
    o: { pid: number; network: string; netuid: number; workers: number },
    now: Date = new Date(),
  ): void {
    const at = now.toISOString();
    prepared(
      this.db,
      `INSERT OR REPLACE INTO validator_state
           (id, pid, started_at, heartbeat_at, stopped_at, network, netuid, workers, next_step_at)
         VALUES (1, ?, ?, ?, NULL, ?, ?, ?, NULL)`,
    ).run(o.pid, at, at, o.network, o.netuid, o.workers);
  }

  /** A heartbeat; with `nextStepAt`, also when the next step is due. */
  beat(nextStepAt?: Date, now: Date = new Date()): void {
    if (nextStepAt) {
      prepared(this.db, "UPDATE validator_state SET heartbeat_at = ?, next_step_at = ? WHERE id = 1").run(
        now.toISOString(),
        nextStepAt.toISOString(),
      );
    } else {
      prepared(this.db, "UPDATE validator_state SET heartbeat_at = ? WHERE id = 1").run(now.toISOString());
    }
  }

  stopped(now: Date = new Date()): void {
    prepared(this.db, "UPDATE validator_state SET stopped_at = ? WHERE id = 1").run(now.toISOString());
  }

  get(): ValidatorStateRecord | undefined {
    const r = prepared(this.db, "SELECT * FROM validator_state WHERE id = 1").get() as Row | undefined;
    return r
      ? {
          pid: r.pid,
          startedAt: r.started_at,
          heartbeatAt: r.heartbeat_at,
          stoppedAt: r.stopped_at,
          network: r.network,
          netuid: r.netuid,
          workers: r.workers,
          nextStepAt: r.next_step_at,
        }
      : undefined;
  }
}
