import { createHash } from "node:crypto";
import pLimit from "p-limit";
import { CancelledError, ConfigError, NetworkError } from "../../errors.js";
import { jsonBody } from "../../http-json.js";
import type { Logger } from "../../log.js";
import { RetriesExhausted, retrying } from "../../retry.js";
import { SKIPPED, type StoredVerdict } from "../../scoring/judge-score.js";
import { redact } from "../../secrets.js";
import type { JudgeVerdicts } from "../../store/judge-verdicts.js";
import type { ChatMessage } from "../templates/render.js";
import { judgeKeyHeader } from "./endpoint-model.js";
import { verdictSchema } from "./prompt.js";
import { parseAnswer } from "./verdict.js";

export interface JudgeEndpoint {
  /** OpenAI-compatible base URL, e.g. https://openrouter.ai/api/v1 or http://127.0.0.1:8080/v1. */
  readonly url: string;
  readonly model: string;
  /** From env or config only; never logged. */
  readonly apiKey?: string;
  /** USD per million tokens, for the cost report. */
  readonly pricePerMillion?: { readonly input: number; readonly output: number };
}

export interface JudgeOutcome {
  /** The verdict, "skipped" for an answer the reference would skip (a missing verdict key), or null. */
  readonly verdict: StoredVerdict | null;
  readonly cached: boolean;
  readonly tokensIn: number;
  readonly tokensOut: number;
  readonly costUsd: number;
  /** Why it failed after every retry and endpoint, when it did. */
  readonly error: string | null;
  /**
   * What kind of failure: `answer` is this prompt's (unparseable, a 400), and counts against the error
   * budget; `unavailable` (no answer, 429, 5xx on every endpoint) is an outage, not a verdict.
   */
  readonly failure: "answer" | "unavailable" | null;
}

/** The judge's answer to the preflight's one cheap call. */
export interface JudgeProbe {
  readonly url: string;
  readonly structuredOutput: boolean;
}

const KEY_HINT =
  "set SN11_JUDGE_API_KEY (or OPENROUTER_API_KEY, OPENAI_API_KEY) to a key this endpoint accepts";

/** A 401/403: the key is missing or wrong, on every prompt alike. */
export class JudgeKeyRefused extends ConfigError {
  constructor(status: number, url: string, body: string) {
    super(
      `the judge refused the key (HTTP ${status} from ${url}${body ? `: ${redact(body.slice(0, 120))}` : ""})`,
      {
        hint: KEY_HINT,
      },
    );
  }
}

export interface JudgeOptions {
  readonly endpoints: readonly JudgeEndpoint[];
  readonly logger: Logger;
  readonly concurrency?: number;
  /** Attempts per endpoint (429, 5xx, timeouts and unparseable answers are retried). */
  readonly attempts?: number;
  readonly timeoutMs?: number;
  readonly backoffMs?: number;
  /**
   * Bound on the answer's length; none by default, as the reference sends none (a bound cuts off an
   * answer it would have received whole).
   */
  readonly maxTokens?: number;
  /** Bound on each reasoning string in the response schema (see verdictSchema). */
  readonly reasoningMaxLength?: number;
  readonly cache?: JudgeVerdicts;
}

class Retryable extends Error {}

/** No answer, 429 or 5xx: retried, and an outage when it persists. */
class Unavailable extends Retryable {}

/**
 * The LLM judge: OpenAI-compatible endpoints in fallback order, JSON-schema structured output where the
 * endpoint takes it (strict parsing otherwise), bounded concurrency, retries with backoff, and a verdict
 * cache keyed by (prompt digest, judge model). A call counts as failed only after all of that.
 */
export class Judge {
  private readonly structured = new Map<string, boolean>();

  constructor(private readonly options: JudgeOptions) {}

  static digest(messages: readonly ChatMessage[]): string {
    return createHash("sha256").update(JSON.stringify(messages)).digest("hex");
  }

  /** Calls in flight at most: callers that issue many calls bound themselves by it. */
  get concurrency(): number {
    return this.options.concurrency ?? 32;
  }

  judgeAll(prompts: readonly ChatMessage[][], signal?: AbortSignal): Promise<JudgeOutcome[]> {
    const limit = pLimit(this.concurrency);
    return Promise.all(prompts.map((p) => limit(() => this.judge(p, signal))));
  }

  async judge(messages: readonly ChatMessage[], signal?: AbortSignal): Promise<JudgeOutcome> {
    const digest = Judge.digest(messages);
    let lastError = "no judge endpoint configured";
    // Set inside the retry's callbacks: typed by assertion so the checks after it are not narrowed away.
    let refused = null as JudgeKeyRefused | null;
    let answered = false;
    // How the endpoint tried last ended: it answered (badly), was down, or refused the key.
    let ending = "down" as "answered" | "down" | "refused";
    for (const endpoint of this.options.endpoints) {
      const hit = this.options.cache?.get<StoredVerdict>(digest, endpoint.model);
      if (hit)
        return {
          verdict: hit.verdict,
          cached: true,
          tokensIn: hit.tokensIn,
          tokensOut: hit.tokensOut,
          costUsd: 0,
          error: null,
          failure: null,
        };
      try {
        return await retrying(
          async () => {
            const answer = await this.call(endpoint, messages, signal);
            const parsed = parseAnswer(answer.text);
            if (parsed.kind === "unparseable")
              throw new Retryable(`unparseable answer (${parsed.reason}): ${answer.text.slice(0, 80)}`);
            const verdict = parsed.kind === "verdict" ? parsed.verdict : SKIPPED;
            this.options.cache?.put(digest, endpoint.model, {
              verdict,
              tokensIn: answer.tokensIn,
              tokensOut: answer.tokensOut,
            });
            const price = endpoint.pricePerMillion;
            const cost = price ? (answer.tokensIn * price.input + answer.tokensOut * price.output) / 1e6 : 0;
            return {
              verdict,
              cached: false,
              tokensIn: answer.tokensIn,
              tokensOut: answer.tokensOut,
              costUsd: cost,
              error: null,
              failure: null,
            };
          },
          {
            attempts: this.options.attempts ?? 3,
            delayMs: this.options.backoffMs ?? 500,
            signal,
            // A refused key or another 4xx: this endpoint will not do better.
            retryable: (error) => error instanceof Retryable,
            onFailure: (error) => {
              // What the endpoint said is stored with the sample: never with a key it echoed back.
              lastError = redact(error.message);
              ending = error instanceof Unavailable ? "down" : "answered";
              if (error instanceof JudgeKeyRefused) {
                refused ??= error;
                ending = "refused";
              }
            },
          },
        );
      } catch (error) {
        if (error instanceof CancelledError) throw error;
      }
      if (ending === "answered") answered = true;
      this.options.logger.debug(
        { endpoint: endpoint.url, error: lastError },
        "judge endpoint failed, trying the next",
      );
    }
    // No endpoint answered and the last one refused the key: no prompt will do better.
    if (refused && !answered && ending === "refused") throw refused;
    return {
      verdict: null,
      cached: false,
      tokensIn: 0,
      tokensOut: 0,
      costUsd: 0,
      error: lastError,
      failure: answered ? "answer" : "unavailable",
    };
  }

  /**
   * Whether the judge answers at all right now: after a call failed for want of an answer, this tells an
   * outage (stop, resume later) from a prompt the endpoint keeps failing (a failed verdict).
   */
  async reachable(signal?: AbortSignal): Promise<boolean> {
    try {
      await this.probe(signal);
      return true;
    } catch (error) {
      if (error instanceof NetworkError) return false;
      throw error;
    }
  }

  /**
   * One cheap call before any work, with the response format every verdict uses: the endpoint answers,
   * takes the key, knows the model, and takes structured output (or falls back to plain text). An
   * unreachable judge is a NetworkError (69), a refused key or unknown model a ConfigError (78).
   */
  async probe(signal?: AbortSignal): Promise<JudgeProbe[]> {
    const messages: ChatMessage[] = [{ role: "user", content: 'Answer with the JSON object {"ok": true}.' }];
    const probes: JudgeProbe[] = [];
    for (const endpoint of this.options.endpoints) {
      try {
        await retrying(() => this.call(endpoint, messages, signal, 8), {
          attempts: 3,
          delayMs: 0,
          signal,
          // The structured-output refusal is remembered: the next attempt asks in plain text.
          retryable: (error) => error instanceof Retryable && !(error instanceof Unavailable),
        });
      } catch (error) {
        if (error instanceof CancelledError || error instanceof JudgeKeyRefused) throw error;
        if (error instanceof Unavailable) {
          throw new NetworkError(`the judge at ${endpoint.url} is unreachable: ${error.message}`, {
            hint: "check --judge-url (or SN11_JUDGE_URL) and that the judge is up",
          });
        }
        // An answer without content is still an answer: the endpoint, key and model are fine.
        if (!(error instanceof RetriesExhausted)) {
          throw new ConfigError(
            `the judge at ${endpoint.url} refused a test call: ${(error as Error).message}`,
            {
              hint: `check --judge-model (now ${endpoint.model}) and --judge-url`,
            },
          );
        }
      }
      probes.push({ url: endpoint.url, structuredOutput: this.structured.get(endpoint.url) ?? true });
    }
    return probes;
  }

  private async call(
    endpoint: JudgeEndpoint,
    messages: readonly ChatMessage[],
    signal?: AbortSignal,
    maxTokens = this.options.maxTokens,
  ) {
    const useSchema = this.structured.get(endpoint.url) ?? true;
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 60_000);
    let response: Response;
    try {
      response = await fetch(`${endpoint.url.replace(/\/+$/, "")}/chat/completions`, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          ...(endpoint.apiKey ? judgeKeyHeader(endpoint.url, endpoint.apiKey) : {}),
        },
        body: JSON.stringify({
          model: endpoint.model,
          messages,
          // Temperature 0 on purpose: the reference's OpenRouter path sends it (its Azure path leaves the
          // service default of 1), its users asked for it, and it lets two validators' judges agree.
          temperature: 0,
          ...(maxTokens === undefined ? {} : { max_tokens: maxTokens }),
          ...(useSchema
            ? {
                response_format: {
                  type: "json_schema",
                  json_schema: {
                    name: "verdict",
                    strict: true,
                    schema: verdictSchema(this.options.reasoningMaxLength),
                  },
                },
              }
            : {}),
        }),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (signal?.aborted) throw new CancelledError();
      throw new Unavailable(`no answer from ${endpoint.url}: ${(error as Error).message}`);
    }
    if (
      response.status === 400 &&
      useSchema &&
      /response_format|json_schema|schema/i.test(await response.clone().text())
    ) {
      // The endpoint does not take structured output: ask in plain text and parse strictly.
      this.structured.set(endpoint.url, false);
      throw new Retryable("structured output refused; retrying without it");
    }
    if (response.status === 429 || response.status >= 500)
      throw new Unavailable(`HTTP ${response.status} from ${endpoint.url}`);
    if (response.status === 401 || response.status === 403)
      throw new JudgeKeyRefused(response.status, endpoint.url, await response.text());
    if (!response.ok)
      throw new Error(
        `HTTP ${response.status} from ${endpoint.url}: ${(await response.text()).slice(0, 160)}`,
      );
    const body = await jsonBody<{
      choices?: { message?: { content?: string } }[];
      usage?: { prompt_tokens?: number; completion_tokens?: number };
    } | null>(response, (m) => new Retryable(m));
    if (!body || typeof body !== "object") throw new Retryable("the answer is not a JSON object");
    const text = body.choices?.[0]?.message?.content;
    if (typeof text !== "string") throw new Retryable("the answer has no message content");
    return { text, tokensIn: body.usage?.prompt_tokens ?? 0, tokensOut: body.usage?.completion_tokens ?? 0 };
  }
}
