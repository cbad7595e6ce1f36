import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { EngineError } from "../../errors.js";

export interface GpuMemory {
  readonly index: number;
  readonly totalMiB: number;
  readonly freeMiB: number;
}

/** Parses `nvidia-smi --query-gpu=index,memory.total,memory.free --format=csv,noheader,nounits`. */
export function parseNvidiaSmi(text: string): GpuMemory[] {
  return text
    .split("\n")
    .map((line) => line.split(",").map((v) => Number(v.trim())))
    .filter((cols) => cols.length === 3 && cols.every((n) => Number.isFinite(n)))
    .map(([index, totalMiB, freeMiB]) => ({
      index: index as number,
      totalMiB: totalMiB as number,
      freeMiB: freeMiB as number,
    }));
}

/**
 * vLLM claims a share of the GPU's memory at start and fails late and obscurely when another process holds
 * it: check first. A machine without nvidia-smi has no NVIDIA GPU to check (null).
 */
export async function checkFreeVram(share: number, gpu = 0): Promise<GpuMemory | null> {
  let out: string;
  try {
    out = (
      await promisify(execFile)(
        "nvidia-smi",
        ["--query-gpu=index,memory.total,memory.free", "--format=csv,noheader,nounits"],
        {
          timeout: 10_000,
        },
      )
    ).stdout;
  } catch {
    return null;
  }
  return assertFreeVram(parseNvidiaSmi(out), share, gpu);
}

export function assertFreeVram(gpus: readonly GpuMemory[], share: number, gpu: number): GpuMemory {
  const found = gpus.find((g) => g.index === gpu);
  if (!found)
    throw new EngineError(`GPU ${gpu} is not among ${gpus.map((g) => g.index).join(", ") || "none"}`);
  const needed = Math.ceil(found.totalMiB * share);
  if (found.freeMiB < needed) {
    throw new EngineError(
      `GPU ${gpu} has ${found.freeMiB} MiB free; vLLM needs ${needed} MiB (${Math.round(share * 100)} % of ${found.totalMiB} MiB)`,
      { hint: "stop what else uses the GPU (nvidia-smi lists it) or pick another GPU" },
    );
  }
  return found;
}
