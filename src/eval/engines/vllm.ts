import type { ScoringProfile } from "../../scoring/profile.js";

/**
 * vLLM's OpenAI server as the reference runs it (DIPPY-SPEC §1.2): max model length 8192, 16 sequences in
 * flight, dtype auto, plus a seed so generation is reproducible. Used for a spawned `vllm serve`.
 */
export function vllmServeArgs(options: {
  model: string;
  port: number;
  profile: ScoringProfile;
  seed: number;
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
    "--disable-log-requests",
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
