/**
 * The embedded engine's own process (see embedded-process.ts): node-llama-cpp loaded here, driven over
 * the IPC channel, so everything llama.cpp allocates goes when this process ends. It ends on "stop", and
 * when the channel closes (its parent gone, however it went).
 */
import { createLogger, type LogLevel } from "../../log.js";
import { EmbeddedEngine, type EmbeddedOptions } from "./embedded.js";
import type { GenerationRequest } from "./engine.js";

type Request =
  | { id: number; op: "start"; options: Omit<EmbeddedOptions, "logger" | "onProgress">; logLevel: LogLevel }
  | { id: number; op: "generate"; requests: GenerationRequest[] }
  | { id: number; op: "countTokens"; text: string }
  | { id: number; op: "version" | "health" | "stop" }
  | { id: number; op: "abort" };

let engine: EmbeddedEngine | null = null;
let controller = new AbortController();
const reply = (message: unknown) => process.send?.(message);

async function handle(request: Request): Promise<unknown> {
  switch (request.op) {
    case "start":
      engine = new EmbeddedEngine({
        ...request.options,
        logger: createLogger(process.stderr, request.logLevel),
        onProgress: (event) => reply({ progress: event }),
      });
      await engine.start(controller.signal);
      return null;
    case "generate":
      return (engine as EmbeddedEngine).generate(request.requests, controller.signal);
    case "countTokens":
      return engine ? engine.countTokens(request.text) : null;
    case "version":
      return engine ? engine.version() : "unknown";
    case "health":
      return engine ? engine.health() : false;
    case "stop":
      await engine?.stop();
      return null;
    case "abort":
      controller.abort();
      controller = new AbortController();
      return null;
  }
}

process.on("message", (request: Request) => {
  void handle(request).then(
    (value) => {
      reply({ id: request.id, ok: true, value });
      if (request.op === "stop") process.disconnect();
    },
    (error: Error & { hint?: string }) =>
      reply({
        id: request.id,
        ok: false,
        error: { name: error.constructor.name, message: error.message, hint: error.hint },
      }),
  );
});
process.on("disconnect", () => process.exit(0));
