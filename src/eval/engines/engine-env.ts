/**
 * What a spawned engine may see of sn11's environment: what it needs to find its libraries, its GPUs
 * and its caches — never the judge key, the dataset token, the Hub token or a wallet password. An engine
 * runs a model a stranger uploaded; it gets no secret it has no use for.
 */
const ALLOWED_NAMES = new Set([
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "LANG",
  "LANGUAGE",
  "TZ",
  "TMPDIR",
  "TERM",
  "LD_LIBRARY_PATH",
  "VIRTUAL_ENV",
  "PYTHONPATH",
  "PYTHONHOME",
  "HF_HOME",
  "HF_HUB_CACHE",
  "HF_HUB_OFFLINE",
  "HF_DATASETS_OFFLINE",
  "TRANSFORMERS_OFFLINE",
  "TRANSFORMERS_CACHE",
]);
const ALLOWED_PREFIXES = [
  "LC_",
  "XDG_",
  "CUDA_",
  "NVIDIA_",
  "NCCL_",
  "CUBLAS_",
  "CUDNN_",
  "TORCH_",
  "TRITON_",
  "VLLM_",
  "OMP_",
  "MKL_",
  "GGML_",
  "LLAMA_",
  "CONDA_",
  "ROCM_",
  "HIP_",
];
/** Never passed, even under an allowed prefix. */
const SECRET_LIKE = /(TOKEN|KEY|SECRET|PASSWORD|PASSWD|CREDENTIAL)/i;

/**
 * The engine's environment. `SN11_ENGINE_ENV` names more variables to pass (comma-separated) for an
 * engine that needs one this list does not know; a secret-like name is refused even there.
 */
export function engineEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const asked = new Set(
    (env.SN11_ENGINE_ENV ?? "")
      .split(",")
      .map((n) => n.trim())
      .filter(Boolean),
  );
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || SECRET_LIKE.test(name)) continue;
    if (ALLOWED_NAMES.has(name) || asked.has(name) || ALLOWED_PREFIXES.some((p) => name.startsWith(p)))
      out[name] = value;
  }
  return { ...out, ...extra };
}
