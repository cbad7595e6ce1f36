/** Where a judge endpoint is hosted, as far as its model id and key header go. */
export type JudgeHost = "openrouter" | "azure" | "openai-compatible";

export function judgeHost(url: string): JudgeHost {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return "openai-compatible";
  }
  if (host === "openrouter.ai" || host.endsWith(".openrouter.ai")) return "openrouter";
  if (host.endsWith(".openai.azure.com") || host.endsWith(".cognitiveservices.azure.com")) return "azure";
  return "openai-compatible";
}

/** OpenRouter namespaces model ids by vendor; a bare id is resolved by its family. */
const OPENROUTER_VENDORS: readonly [RegExp, string][] = [
  [/^(gpt-|o\d|chatgpt-)/, "openai"],
  [/^claude-/, "anthropic"],
  [/^gemini-/, "google"],
  [/^(mistral|mixtral|ministral|codestral)/, "mistralai"],
  [/^llama-/, "meta-llama"],
  [/^deepseek-/, "deepseek"],
  [/^qwen/, "qwen"],
];

/**
 * The model id a judge endpoint expects for the profile's model: the reference asks OpenRouter for
 * `openai/gpt-4o-2024-11-20` and its Azure deployment `gpt-4o`; any other OpenAI-compatible server gets the
 * id as given. An id that already names its vendor (`openai/…`) or an explicit --judge-model for Azure (a
 * deployment name) is kept.
 */
export function judgeModelFor(url: string, model: string): string {
  const host = judgeHost(url);
  if (host === "openrouter" && !model.includes("/")) {
    const vendor = OPENROUTER_VENDORS.find(([pattern]) => pattern.test(model))?.[1];
    return vendor ? `${vendor}/${model}` : model;
  }
  if (host === "azure") {
    // Azure serves deployments, named by their owner; the reference's is the model family, undated.
    const bare = model.includes("/") ? (model.split("/").at(-1) as string) : model;
    return bare.replace(/-\d{4}-\d{2}-\d{2}$/, "");
  }
  return model;
}

/** Azure OpenAI takes its key in an `api-key` header; everything else a bearer token. */
export function judgeKeyHeader(url: string, key: string): Record<string, string> {
  return judgeHost(url) === "azure" ? { "api-key": key } : { Authorization: `Bearer ${key}` };
}
