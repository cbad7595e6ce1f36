/** One interface for every inference engine sn11 drives: vLLM, llama-server, embedded llama.cpp. */
export interface GenerationRequest {
  /** The fully rendered prompt (chat template applied): engines never template themselves. */
  readonly prompt: string;
  readonly maxTokens: number;
  readonly temperature: number;
  readonly seed?: number;
  readonly stop?: readonly string[];
  readonly stopTokenIds?: readonly number[];
}

export interface GenerationResult {
  readonly text: string;
  readonly finishReason: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
}

export interface Engine {
  readonly name: string;
  /** Generations it runs at once: callers keep no more in flight, so a graceful stop waits for few. */
  readonly slots: number;
  /** Starts (or connects to) the engine and waits until it answers its health probe. */
  start(signal?: AbortSignal): Promise<void>;
  health(signal?: AbortSignal): Promise<boolean>;
  version(): Promise<string>;
  /** Generates each request; the order of results follows the requests. */
  generate(requests: readonly GenerationRequest[], signal?: AbortSignal): Promise<GenerationResult[]>;
  stop(): Promise<void>;
}
