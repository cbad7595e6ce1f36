import pLimit from "p-limit";
import { CancelledError, EngineError } from "../../errors.js";
import { jsonBody } from "../../http-json.js";
import { redact } from "../../secrets.js";
import {
  GenerationRefused,
  type GenerationRequest,
  type GenerationResult,
  type SamplingSettings,
} from "./engine.js";

/** vLLM and llama-server name their sampling extensions differently; each gets only its own names. */
export type Dialect = "vllm" | "llama-server";

export function samplingFields(
  sampling: SamplingSettings | undefined,
  dialect: Dialect,
): Record<string, number> {
  if (!sampling) return {};
  const common = {
    top_p: sampling.topP,
    top_k: sampling.topK,
    min_p: sampling.minP,
    presence_penalty: sampling.presencePenalty,
    frequency_penalty: sampling.frequencyPenalty,
  };
  return dialect === "vllm"
    ? { ...common, repetition_penalty: sampling.repetitionPenalty }
    : { ...common, repeat_penalty: sampling.repetitionPenalty };
}

/** Generation through an OpenAI-compatible `/v1/completions` endpoint (vLLM, llama-server). */
export class CompletionsClient {
  constructor(
    private readonly baseUrl: string,
    private readonly options: { model?: string; concurrency: number; timeoutMs: number; dialect: Dialect },
  ) {}

  /**
   * The prompt's tokens by the server's own tokenizer: vLLM answers {count}, llama-server {tokens}; null
   * when the server has no /tokenize.
   */
  async countTokens(text: string, signal?: AbortSignal): Promise<number | null> {
    const timeout = AbortSignal.timeout(30_000);
    const body =
      this.options.dialect === "vllm"
        ? { model: this.options.model ?? "model", prompt: text, add_special_tokens: false }
        : { content: text, add_special: false };
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/tokenize`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (signal?.aborted) throw new CancelledError();
      throw new EngineError(
        `the engine at ${this.baseUrl} did not answer /tokenize: ${(error as Error).message}`,
      );
    }
    // A server without the endpoint (not vLLM, not llama-server) cannot count: null, not a failure.
    if ([404, 405, 501].includes(response.status)) return null;
    if (!response.ok) throw new EngineError(`/tokenize answered HTTP ${response.status}`);
    const answer = await jsonBody<{ count?: number; tokens?: unknown[] }>(
      response,
      (m) => new EngineError(m),
    );
    if (typeof answer.count === "number") return answer.count;
    return Array.isArray(answer.tokens) ? answer.tokens.length : null;
  }

  async one(request: GenerationRequest, signal?: AbortSignal): Promise<GenerationResult> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/v1/completions`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          model: this.options.model ?? "model",
          prompt: request.prompt,
          max_tokens: request.maxTokens,
          temperature: request.temperature,
          ...samplingFields(request.sampling, this.options.dialect),
          ...(request.seed === undefined ? {} : { seed: request.seed }),
          ...(request.stop?.length ? { stop: request.stop } : {}),
          ...(request.stopTokenIds?.length ? { stop_token_ids: request.stopTokenIds } : {}),
        }),
        signal: combined,
      });
    } catch (error) {
      if (signal?.aborted) throw new CancelledError();
      throw new EngineError(`the engine at ${this.baseUrl} did not answer: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (!response.ok) {
      const message = `the engine answered HTTP ${response.status}: ${redact((await response.text()).slice(0, 200))}`;
      // A 400 is about this request (its prompt does not fit, say), not the engine.
      throw response.status === 400 ? new GenerationRefused(message) : new EngineError(message);
    }
    const body = await jsonBody<{
      choices?: { text?: string; finish_reason?: string }[];
      usage?: { prompt_tokens?: number; completion_tokens?: number };
    } | null>(response, (m) => new EngineError(m));
    if (!body || typeof body !== "object") throw new EngineError("the engine's answer is not a JSON object");
    const choice = body.choices?.[0];
    if (!choice || typeof choice.text !== "string")
      throw new EngineError("the engine's answer has no completion text");
    return {
      text: choice.text,
      finishReason: choice.finish_reason ?? "unknown",
      promptTokens: body.usage?.prompt_tokens ?? 0,
      completionTokens: body.usage?.completion_tokens ?? 0,
    };
  }

  /** Requests in flight at once up to the engine's sequence limit; results in request order. */
  batch(requests: readonly GenerationRequest[], signal?: AbortSignal): Promise<GenerationResult[]> {
    const limit = pLimit(this.options.concurrency);
    return Promise.all(requests.map((r) => limit(() => this.one(r, signal))));
  }
}
