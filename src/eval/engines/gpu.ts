import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { EngineError, UsageError } from "../../errors.js";

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
export async function checkFreeVram(
  share: number,
  gpus: readonly number[] = [0],
): Promise<GpuMemory[] | null> {
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
  const listed = parseNvidiaSmi(out);
  return gpus.map((gpu) => assertFreeVram(listed, share, gpu));
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

/**
 * `--gpus 0,1:2,3`: groups separated by ":", the GPUs of a group by ",". One evaluation runs per group, its
 * engine sees the group's GPUs (CUDA_VISIBLE_DEVICES) and splits the model over all of them.
 */
export function parseGpuGroups(text: string): string[][] {
  if (!/^\d+(,\d+)*(:\d+(,\d+)*)*$/.test(text)) {
    throw new UsageError(`--gpus ${text}: expected GPU indices like 0, 0,1 or 0,1:2,3`, {
      hint: "',' joins GPUs into one engine (tensor parallel), ':' separates engines",
    });
  }
  const groups = text.split(":").map((group) => group.split(","));
  const seen = new Set<string>();
  for (const gpu of groups.flat()) {
    if (seen.has(gpu)) throw new UsageError(`--gpus ${text}: GPU ${gpu} is given twice`);
    seen.add(gpu);
  }
  return groups;
}
