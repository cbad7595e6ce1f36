import { CancelledError, EngineError, isSn11Error } from "../../errors.js";
import type { Logger } from "../../log.js";
import type { Progress } from "../progress.js";
import { type Engine, GenerationRefused, type GenerationRequest, type GenerationResult } from "./engine.js";
import type { LlamaGpu } from "./llama-binaries.js";

export interface EmbeddedOptions {
  readonly model: string;
  readonly threads: number;
  readonly contextSize: number;
  readonly logger: Logger;
  /** A GPU build of llama.cpp (fetched from npm on first use, digest pinned); CPU when absent. */
  readonly gpu?: { readonly kind: LlamaGpu; readonly registry: string };
  /** Progress of the GPU build's download (hundreds of MB on first use). */
  readonly onProgress?: Progress;
}

type NodeLlamaCpp = typeof import("node-llama-cpp");

/**
 * llama.cpp inside the sn11 process through node-llama-cpp (prebuilt CPU binaries from npm): no server
 * to install, for GGUF dry runs and tests. One sequence, requests one after another, history cleared
 * between them so every prompt is evaluated on its own.
 */
export class EmbeddedEngine implements Engine {
  readonly name = "embedded";
  readonly slots = 1;
  private lib: NodeLlamaCpp | null = null;
  private llama: Awaited<ReturnType<NodeLlamaCpp["getLlama"]>> | null = null;
  private model: Awaited<ReturnType<NonNullable<EmbeddedEngine["llama"]>["loadModel"]>> | null = null;
  private context: Awaited<ReturnType<NonNullable<EmbeddedEngine["model"]>["createContext"]>> | null = null;

  /** One sequence: generations run one at a time whatever the caller's concurrency. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: EmbeddedOptions) {}

  async start(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new CancelledError();
    try {
      const { gpu } = this.options;
      if (gpu) {
        const { ensureLlamaGpu, llamaNodeModules } = await import("./llama-binaries.js");
        await ensureLlamaGpu(gpu.kind, {
          registry: gpu.registry,
          nodeModules: llamaNodeModules(),
          logger: this.options.logger,
          signal,
          onProgress: this.options.onProgress,
        });
      }
      // Loaded here: the native addon is only needed when this engine runs.
      this.lib = await import("node-llama-cpp");
      this.llama = await this.lib.getLlama({
        gpu: gpu?.kind ?? false,
        build: "never",
        logLevel: this.lib.LlamaLogLevel.error,
      });
      this.model = await this.llama.loadModel({ modelPath: this.options.model });
      this.context = await this.model.createContext({
        contextSize: this.options.contextSize,
        threads: this.options.threads,
      });
    } catch (error) {
      await this.stop();
      // Typed errors (a cancelled or failed GPU-build download) already say what happened.
      if (isSn11Error(error)) throw error;
      const gpu = this.options.gpu?.kind;
      const err = error as Error;
      if (gpu && /NoBinaryFoundError/.test(`${err.name} ${err.message} ${err.constructor?.name}`)) {
        throw new EngineError(`llama.cpp's ${gpu} build does not run on this machine`, {
          hint: `${gpu === "cuda" ? "an NVIDIA driver with CUDA 12" : "a Vulkan loader and driver"} is needed; --llama-gpu off runs on the CPU`,
          cause: error,
        });
      }
      throw new EngineError(
        `the embedded engine could not load ${this.options.model}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  async health(): Promise<boolean> {
    return this.context !== null;
  }

  readonly takesStopTokenIds = false;
  /** One sequence at a time, seeded: the same generations on every run. */
  readonly deterministic = true;

  /** The context of each conversation (one sequence at a time). */
  get contextTokens(): number {
    return this.options.contextSize;
  }

  async countTokens(text: string): Promise<number | null> {
    return this.model ? this.model.tokenize(text, true).length : null;
  }

  async version(): Promise<string> {
    return this.llama ? `llama.cpp ${this.llama.llamaCppRelease.release}` : "unknown";
  }

  generate(requests: readonly GenerationRequest[], signal?: AbortSignal): Promise<GenerationResult[]> {
    const run = this.queue.then(() => this.generateNow(requests, signal));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async generateNow(
    requests: readonly GenerationRequest[],
    signal?: AbortSignal,
  ): Promise<GenerationResult[]> {
    const { lib, model, context } = this;
    if (!lib || !model || !context) throw new EngineError("the embedded engine was not started");
    const results: GenerationResult[] = [];
    for (const request of requests) {
      if (signal?.aborted) throw new CancelledError();
      const sequence = context.getSequence();
      try {
        const promptTokens = model.tokenize(request.prompt, true).length;
        if (promptTokens >= context.contextSize) {
          throw new GenerationRefused(
            `the prompt has ${promptTokens} tokens; the embedded engine's context holds ${context.contextSize}`,
          );
        }
        const completion = new lib.LlamaCompletion({ contextSequence: sequence });
        const sampling = request.sampling;
        const neutralPenalty =
          !sampling ||
          (sampling.repetitionPenalty === 1 &&
            sampling.presencePenalty === 0 &&
            sampling.frequencyPenalty === 0);
        const response = await completion.generateCompletionWithMeta(request.prompt, {
          maxTokens: request.maxTokens,
          temperature: request.temperature,
          ...(sampling
            ? {
                topP: sampling.topP,
                // node-llama-cpp turns top-k off with 0.
                topK: Math.max(0, sampling.topK),
                minP: sampling.minP,
                repeatPenalty: neutralPenalty
                  ? false
                  : {
                      penalty: sampling.repetitionPenalty,
                      presencePenalty: sampling.presencePenalty,
                      frequencyPenalty: sampling.frequencyPenalty,
                    },
              }
            : {}),
          ...(request.seed === undefined ? {} : { seed: request.seed }),
          ...(request.stop?.length ? { customStopTriggers: [...request.stop] } : {}),
          signal,
        });
        results.push({
          text: response.response,
          finishReason: response.metadata.stopReason,
          promptTokens: model.tokenize(request.prompt).length,
          completionTokens: model.tokenize(response.response).length,
        });
        completion.dispose();
      } finally {
        sequence.dispose();
      }
    }
    return results;
  }

  async stop(): Promise<void> {
    await this.context?.dispose();
    await this.model?.dispose();
    await this.llama?.dispose();
    this.context = null;
    this.model = null;
    this.llama = null;
  }
}
