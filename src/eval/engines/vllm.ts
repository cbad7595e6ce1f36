import type { ScoringProfile } from "../../scoring/profile.js";

/**
 * vLLM's OpenAI server as the reference runs it (DIPPY-SPEC §1.2): max model length 8192, 16 sequences in
 * flight, dtype auto, plus a seed so generation is reproducible, on every GPU of the group at once.
 * Only flags that vLLM 0.8 and the current release both accept: `--disable-log-requests` was removed
 * (request logging is off by default since 0.10), and argparse exits on a flag it does not know.
 */
export function vllmServeArgs(options: {
  model: string;
  port: number;
  profile: ScoringProfile;
  seed: number;
  /** GPUs of the group the server gets (CUDA_VISIBLE_DEVICES); one model is split over all of them. */
  tensorParallelSize?: number;
  gpuMemoryUtilization?: number;
  servedName?: string;
}): string[] {
  return [
    "serve",
    options.model,
    "--host",
    "127.0.0.1",
    "--port",
    String(options.port),
    "--max-model-len",
    String(options.profile.generation.maxModelLength),
    "--max-num-seqs",
    String(options.profile.generation.maxSequencesInFlight),
    "--dtype",
    "auto",
    "--seed",
    String(options.seed),
    "--served-model-name",
    options.servedName ?? "model",
    "--tensor-parallel-size",
    String(options.tensorParallelSize ?? 1),
    // Sampling defaults are vLLM's own, as the reference's, not the model's generation_config.json.
    "--generation-config",
    "vllm",
    ...(options.gpuMemoryUtilization === undefined
      ? []
      : ["--gpu-memory-utilization", String(options.gpuMemoryUtilization)]),
  ];
}

/** vLLM is ready when /health answers 200 and /v1/models lists the served model. */
export function vllmReady(health: number, models: unknown, servedName = "model"): boolean {
  if (health !== 200) return false;
  const data = (models as { data?: { id?: string }[] } | null)?.data;
  return Array.isArray(data) && data.some((m) => m.id === servedName);
}

/** `vllm --version` prints the bare version ("0.11.0"), after any warnings the import printed. */
export function parseVllmVersion(output: string): string | null {
  const lines = output.trim().split("\n").reverse();
  for (const line of lines) {
    const match = /^\s*v?(\d+\.\d+(?:\.\d+)?(?:[.+-][\w.+-]*)?)\s*$/.exec(line);
    if (match) return match[1] as string;
  }
  return null;
}

/**
 * `llama-server --version` prints "version: 6471 (3f4ad9c1)" upstream, "version: 0.7.0 (build 11669, commit
 * Debian)" in Debian's build, then a compiler line, on stderr.
 */
export function parseLlamaServerVersion(output: string): string | null {
  return /^version:\s*(.+)$/m.exec(output)?.[1]?.trim() ?? null;
}
