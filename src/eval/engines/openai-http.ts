import pLimit from "p-limit";
import { CancelledError, EngineError } from "../../errors.js";
import type { GenerationRequest, GenerationResult } from "./engine.js";

/** Generation through an OpenAI-compatible `/v1/completions` endpoint (vLLM, llama-server). */
export class CompletionsClient {
  constructor(
    private readonly baseUrl: string,
    private readonly options: { model?: string; concurrency: number; timeoutMs: number },
  ) {}

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
      throw new EngineError(
        `the engine answered HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`,
      );
    }
    const body = (await response.json()) as {
      choices?: { text?: string; finish_reason?: string }[];
      usage?: { prompt_tokens?: number; completion_tokens?: number };
    };
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
