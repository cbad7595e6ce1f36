import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

interface ChatRequest {
  readonly messages?: readonly { role: string; content: string }[];
  readonly max_tokens?: number;
  readonly temperature?: number;
  readonly seed?: number;
  readonly response_format?: { type?: string; json_schema?: { schema?: unknown } };
}

/**
 * An OpenAI-compatible judge on the embedded llama.cpp (node-llama-cpp, prebuilt from npm): the demo's
 * judge where ../shared's llama-server is missing, as in a public clone. A `json_schema` response format
 * becomes a grammar, as llama-server makes it one; requests run one at a time on one sequence.
 */
export async function startEmbeddedJudge(modelPath: string, contextSize = 8192) {
  const { getLlama, LlamaCompletion, LlamaLogLevel } = await import("node-llama-cpp");
  const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ contextSize, threads: 1 });
  let queue: Promise<unknown> = Promise.resolve();

  const complete = async (request: ChatRequest) => {
    const prompt = `${(request.messages ?? []).map((m) => `${m.role}: ${m.content}`).join("\n")}\nassistant: `;
    const schema =
      request.response_format?.type === "json_schema"
        ? request.response_format.json_schema?.schema
        : undefined;
    // node-llama-cpp types the schema it takes; the judge's is plain JSON Schema within that subset.
    const grammar = schema ? await llama.createGrammarForJsonSchema(schema as never) : undefined;
    const sequence = context.getSequence();
    const completion = new LlamaCompletion({ contextSequence: sequence });
    try {
      const text = await completion.generateCompletion(prompt, {
        maxTokens: request.max_tokens ?? 1024,
        temperature: request.temperature ?? 0,
        seed: request.seed ?? 0,
        ...(grammar ? { grammar } : {}),
      });
      return {
        object: "chat.completion",
        model: "tiny",
        choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
        usage: {
          prompt_tokens: model.tokenize(prompt).length,
          completion_tokens: model.tokenize(text).length,
        },
      };
    } finally {
      completion.dispose();
      sequence.dispose();
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (req.method === "GET" && req.url?.endsWith("/models")) return reply(200, { data: [{ id: "tiny" }] });
      if (req.method !== "POST" || !req.url?.endsWith("/chat/completions"))
        return reply(404, { error: { message: `no route ${req.method} ${req.url}` } });
      let request: ChatRequest;
      try {
        request = JSON.parse(Buffer.concat(chunks).toString());
      } catch {
        return reply(400, { error: { message: "the body is not JSON" } });
      }
      const run = queue.then(() => complete(request));
      queue = run.catch(() => undefined);
      run.then(
        (body) => reply(200, body),
        (error: Error) => reply(500, { error: { message: error.message } }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    async stop() {
      await new Promise<void>((r) => server.close(() => r()));
      await context.dispose();
      await model.dispose();
      await llama.dispose();
    },
  };
}
