import { formatBytes } from "../eval/hub/prechecks.js";
import { type CheckResult, fail, ok, warn } from "./report.js";

export interface GpuInfo {
  readonly index: number;
  readonly name: string;
  readonly driver: string;
  readonly totalMiB: number;
  readonly freeMiB: number;
}

/** The GPU query sn11 asks nvidia-smi (one line per GPU). */
export const GPU_QUERY = [
  "--query-gpu=index,name,driver_version,memory.total,memory.free",
  "--format=csv,noheader,nounits",
];

/** Parses the GPU query's CSV; names may hold spaces but no commas. */
export function parseGpuQuery(text: string): GpuInfo[] {
  return text
    .split("\n")
    .map((line) => line.split(",").map((v) => v.trim()))
    .filter((cols) => cols.length === 5 && /^\d+$/.test(cols[0] as string))
    .map(([index, name, driver, total, free]) => ({
      index: Number(index),
      name: name as string,
      driver: driver as string,
      totalMiB: Number(total),
      freeMiB: Number(free),
    }))
    .filter((g) => Number.isFinite(g.totalMiB) && Number.isFinite(g.freeMiB));
}

/** The CUDA version the driver supports, from plain `nvidia-smi`'s banner ("CUDA Version: 12.4"). */
export function parseCudaVersion(banner: string): string | null {
  return /CUDA Version:\s*([\d.]+)/.exec(banner)?.[1] ?? null;
}

/** What running nvidia-smi gave: its output, or that it is missing, or that it failed (and how). */
export type NvidiaSmi =
  | { readonly kind: "missing" }
  | { readonly kind: "failed"; readonly output: string }
  | { readonly kind: "ran"; readonly query: string; readonly banner: string };

/**
 * The GPU check: the driver answers, and the free memory (the sum over the GPUs, which tensor parallelism
 * splits a model across) holds the largest model the profile accepts, with 10 % for the KV cache at least.
 */
export function gpuCheck(smi: NvidiaSmi, largestModelBytes: number): CheckResult {
  const title = "GPUs";
  if (smi.kind === "missing") {
    return warn(
      "gpus",
      title,
      "no nvidia-smi: no NVIDIA GPU here, only CPU engines (embedded, llama-server)",
      "a validator on finney needs GPUs and vLLM",
    );
  }
  if (smi.kind === "failed" && /no devices were found/i.test(smi.output)) {
    return warn(
      "gpus",
      title,
      "nvidia-smi finds no GPU",
      "check that the GPUs are visible here (a container needs --gpus all)",
    );
  }
  if (smi.kind === "failed") {
    const line = smi.output.trim().split("\n").find(Boolean) ?? "no output";
    const mismatch = /version mismatch/i.test(smi.output);
    return fail(
      "gpus",
      title,
      `nvidia-smi failed: ${line.slice(0, 160)}`,
      mismatch
        ? "the loaded kernel module and the driver libraries differ (an upgrade without a reboot): reboot"
        : "check the NVIDIA driver (nvidia-smi must run)",
    );
  }
  const gpus = parseGpuQuery(smi.query);
  if (gpus.length === 0)
    return warn(
      "gpus",
      title,
      "nvidia-smi lists no GPU",
      "check the driver and that the GPUs are visible to this user",
    );
  const cuda = parseCudaVersion(smi.banner);
  const freeBytes = gpus.reduce((sum, g) => sum + g.freeMiB, 0) * 1024 * 1024;
  const needed = Math.ceil(largestModelBytes * 1.1);
  const names = [...new Set(gpus.map((g) => g.name))].map(
    (n) => `${n} ×${gpus.filter((g) => g.name === n).length}`,
  );
  const summary = `${gpus.length} GPU${gpus.length === 1 ? "" : "s"} (${names.join(", ")}), driver ${gpus[0]?.driver}${cuda ? `, CUDA ${cuda}` : ""}, ${formatBytes(freeBytes)} free`;
  const details = { gpus, cuda };
  if (freeBytes < needed) {
    return warn(
      "gpus",
      title,
      `${summary}: less than the ${formatBytes(needed)} the largest model the profile accepts needs`,
      "free the GPUs (nvidia-smi lists what holds them), or join more GPUs into one engine: --gpus 0,1",
      details,
    );
  }
  return ok("gpus", title, summary, details);
}
