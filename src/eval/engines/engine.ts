import { EngineError } from "../../errors.js";
import type { ScoringProfile } from "../../scoring/profile.js";

/** Sampling besides the temperature, explicit in every request (the profile's neutral settings). */
export type SamplingSettings = ScoringProfile["generation"]["sampling"];

/**
 * The engine refused this one request (a prompt longer than its context, say; HTTP 400): a failed sample,
 * counted against the error budget, not a failed run.
 */
export class GenerationRefused extends EngineError {}

/** One interface for every inference engine sn11 drives: vLLM, llama-server, embedded llama.cpp. */
export interface GenerationRequest {
  /** The fully rendered prompt (chat template applied): engines never template themselves. */
  readonly prompt: string;
  readonly maxTokens: number;
  readonly temperature: number;
  readonly seed?: number;
  readonly stop?: readonly string[];
  readonly stopTokenIds?: readonly number[];
  readonly sampling?: SamplingSettings;
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
  /**
   * Tokens of a rendered prompt with the model's own tokenizer (vLLM's and llama-server's /tokenize,
   * llama.cpp's vocabulary in process); null when the engine cannot say.
   */
  countTokens(text: string, signal?: AbortSignal): Promise<number | null>;
  /**
   * Whether the engine honours stop token ids (vLLM); llama.cpp's servers ignore them, so they get the
   * template's stop strings instead.
   */
  readonly takesStopTokenIds: boolean;
  /** Whether the same inputs give the same generations on every run. */
  readonly deterministic: boolean;
  /** Tokens one conversation may hold, prompt and reply together. */
  readonly contextTokens: number;
  /** Generates each request; the order of results follows the requests. */
  generate(requests: readonly GenerationRequest[], signal?: AbortSignal): Promise<GenerationResult[]>;
  stop(): Promise<void>;
}
