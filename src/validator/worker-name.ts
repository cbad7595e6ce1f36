import { hostname } from "node:os";

/** A worker's name in the shared queue's leases: the box, the process and its GPU group. */
export function workerName(gpu: string | undefined): string {
  return `${hostname()}/${process.pid}${gpu === undefined ? "" : `/gpu${gpu}`}`;
}
