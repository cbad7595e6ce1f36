import { createHash } from "node:crypto";
import pLimit from "p-limit";
import { CancelledError, NetworkError, UsageError } from "../errors.js";
import type { Logger } from "../log.js";
import { temperatureOf } from "../scoring/evaluation-draws.js";
import { evaluationOutcome, type StoredVerdict, type Tally, tallyVerdicts } from "../scoring/judge-score.js";
import type { ChatTemplateName, ScoringProfile } from "../scoring/profile.js";
import { canonicalJson } from "../scoring/snapshot.js";
import type { ScoreRunOrigin } from "../store/score-runs.js";
import type { Store } from "../store/store.js";
import type { Conversation } from "./conversation.js";
import { judgeSet, type PromptFilter } from "./datasets/judge-set.js";
import { evaluationSeed, SeededRandom } from "./datasets/random.js";
import type { JudgeSample } from "./datasets/sampling.js";
import { type Engine, GenerationRefused } from "./engines/engine.js";
import type { Judge } from "./judge/judge.js";
import { conversationText, judgeMessages } from "./judge/prompt.js";
import type { JudgedPair } from "./judge/prompt-compare.js";
import type { Progress } from "./progress.js";
import { buildPrompt, stopTokens } from "./templates/render.js";

export interface ScoreInputs {
  readonly repo: string;
  readonly revision: string;
  readonly chatTemplate: ChatTemplateName;
  readonly tokens: { readonly bos: string | null; readonly eos: string | null };
  readonly rows: readonly Conversation[];
  readonly samples: number;
  readonly userSeed: string;
  /** Where the rows came from (a file, api, …), for the card. */
  readonly dataset?: string;
  /** The GGUF file a llama.cpp engine runs (relative to the model), for the card; null for vLLM. */
  readonly gguf?: string | null;
  readonly maxTokens: number;
  readonly profile: ScoringProfile;
  readonly engine: Engine;
  readonly judge: Judge;
  readonly judgeModel: string;
  readonly store: Store;
  readonly fresh: boolean;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  /**
   * A graceful stop: no new sample starts, the ones in flight finish and are committed, then the run
   * ends with CancelledError (a restart resumes it).
   */
  readonly drain?: AbortSignal;
  readonly onProgress?: Progress;
  /** Called once per committed generation, for tests that interrupt a run part-way. */
  readonly afterGeneration?: (done: number) => void;
  /** Who runs it (recorded on the run): `sn11 score` unless the validator daemon says otherwise. */
  readonly origin?: ScoreRunOrigin;
}

export interface ScoreCard {
  readonly repo: string;
  readonly revision: string;
  readonly profile: string;
  readonly status: "COMPLETED" | "FAILED";
  readonly reason: string | null;
  readonly seed: string;
  readonly dataset: string | null;
  /** The GGUF file the engine ran (llama.cpp engines), null when it loaded the safetensors (vLLM). */
  readonly gguf: string | null;
  readonly samples: number;
  readonly valid: number;
  readonly failed: number;
  /** Answers without a verdict key: neither valid nor failed, as the reference counts them. */
  readonly skipped: number;
  readonly tally: Tally;
  readonly win_rate: number;
  readonly total_score: number;
  readonly engine: { readonly name: string; readonly version: string; readonly deterministic: boolean };
  /** What every generation request carried, besides its prompt. */
  readonly generation: GenerationSettings;
  readonly judge: {
    readonly model: string;
    readonly calls: number;
    readonly cached: number;
    readonly tokens_in: number;
    readonly tokens_out: number;
    readonly cost_usd: number;
  };
  readonly timings: Record<string, number>;
  readonly run_id: number;
  readonly resumed: boolean;
  /** The stored judge set's key (sn11 reads the samples back from it, e.g. bench/judge-prompt.ts). */
  readonly sample_set: string;
}

/**
 * One draw per model, as the reference draws one temperature per process, but from the model's seed:
 * the temperature in the profile's range and the engine's sampling seed.
 */
export function samplingParameters(
  seed: string,
  profile: ScoringProfile,
): { temperature: number; engineSeed: number } {
  const params = new SeededRandom(`${seed}\nsampling`);
  const temperature = temperatureOf(params.next(), profile.generation.temperature);
  return { temperature, engineSeed: params.int(0, 2 ** 31 - 1) };
}

export interface GenerationSettings {
  readonly temperature: number;
  /** Before the clamp to what each prompt leaves of the context. */
  readonly max_tokens: number;
  readonly prompt_token_limit: number;
  readonly top_p: number;
  readonly top_k: number;
  readonly min_p: number;
  readonly repetition_penalty: number;
  readonly presence_penalty: number;
  readonly frequency_penalty: number;
  /** The template's stop ids for engines that honour them (vLLM); its stop strings for the others. */
  readonly stop_token_ids: readonly number[];
  readonly stop: readonly string[];
}

function generationSettings(inputs: ScoreInputs, temperature: number): GenerationSettings {
  const { sampling, maxModelLength } = inputs.profile.generation;
  const stop = stopTokens(inputs.chatTemplate);
  const ids = inputs.engine.takesStopTokenIds;
  return {
    temperature,
    max_tokens: inputs.maxTokens,
    prompt_token_limit: maxModelLength,
    top_p: sampling.topP,
    top_k: sampling.topK,
    min_p: sampling.minP,
    repetition_penalty: sampling.repetitionPenalty,
    presence_penalty: sampling.presencePenalty,
    frequency_penalty: sampling.frequencyPenalty,
    stop_token_ids: ids ? stop.ids : [],
    stop: ids ? [] : stop.strings,
  };
}

/**
 * The reference's prompt-length rule (DIPPY-SPEC §2.4): a rendered prompt over the profile's token limit,
 * counted with the model's own tokenizer, is rejected at sampling and replaced. The engine counts (it has
 * loaded that tokenizer); one that cannot count leaves every prompt in, and a prompt it then refuses is a
 * failed sample.
 */
async function promptFilter(
  engine: Engine,
  count: (text: string) => Promise<number | null>,
  render: (sample: JudgeSample) => string,
  limit: number,
  template: string,
  logger: Logger,
): Promise<PromptFilter | null> {
  const probe = await count("x");
  if (probe === null) {
    logger.warn("the engine cannot count tokens: prompts are not checked against the token limit");
    return null;
  }
  return {
    id: `tokens<=${limit} (${template}, ${engine.name})`,
    fits: async (sample) => ((await count(render(sample))) ?? 0) <= limit,
  };
}

/**
 * Waits for every task, then fails with the first failure: a stop must not leave work running behind
 * the caller's back (the engine is stopped right after, under a generation still in flight).
 */
async function settleAll(tasks: readonly Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(tasks);
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  const real = failures.find((f) => !(f.reason instanceof CancelledError));
  if (real || failures[0]) throw (real ?? failures[0])?.reason;
}

/** What the judge compares for one sample: its card, and the chat ending in the original or the new reply. */
export function judgedPair(sample: JudgeSample, generation: string): JudgedPair {
  const withReply = (reply: string) =>
    conversationText([...sample.messages, { role: "assistant", content: reply }]);
  return {
    card: sample.messages[0]?.role === "system" ? sample.messages[0].content : "",
    original: withReply(sample.originalReply),
    generated: withReply(generation),
  };
}

/**
 * The evaluation of one model: sample the conversations (seeded, cached), generate a reply for each,
 * ask the judge to compare it with the original, tally. Every generation and every verdict is committed
 * to the store as it completes; a restart with the same inputs continues where it stopped and ends with
 * the same score as an uninterrupted run.
 */
export async function runScore(inputs: ScoreInputs): Promise<ScoreCard> {
  const { store, profile, logger, signal, drain } = inputs;
  const stopping = () => signal?.aborted || drain?.aborted;
  const timings: Record<string, number> = {};
  const timed = async <T>(stage: string, work: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      timings[stage] = (timings[stage] ?? 0) + (performance.now() - t0) / 1000;
    }
  };
  const seed = evaluationSeed(profile.id, inputs.repo, inputs.revision, inputs.userSeed);
  const render = (sample: JudgeSample) => buildPrompt(inputs.chatTemplate, sample.messages, inputs.tokens);
  const tokenLimit = profile.generation.maxModelLength;
  // Each prompt is counted once: the sampling filter's count is the one generation clamps max_tokens with.
  const counts = new Map<string, Promise<number | null>>();
  const countTokens = (text: string): Promise<number | null> => {
    let counted = counts.get(text);
    if (!counted) {
      counted = inputs.engine.countTokens(text, signal);
      counts.set(text, counted);
      counted.catch(() => counts.delete(text));
    }
    return counted;
  };
  const filter = await promptFilter(
    inputs.engine,
    countTokens,
    render,
    tokenLimit,
    inputs.chatTemplate,
    logger,
  );
  const set = await timed("samples", () =>
    judgeSet(
      inputs.rows,
      seed,
      {
        count: inputs.samples,
        maxMessages: profile.generation.maxContextMessages,
        filter: filter ?? undefined,
      },
      store.sampleSets,
    ),
  );
  if (set.rejected > 0) {
    logger.info({ rejected: set.rejected, limit: tokenLimit }, "prompts over the token limit replaced");
  }
  const samples = set.samples;
  if (samples.length === 0) {
    // Bad input, not a broken engine: every row was unusable or no cut ends in an assistant reply.
    throw new UsageError("the dataset gave no usable conversation to evaluate", {
      hint: "check the dataset's rows (system_prompt, messages with user and assistant turns)",
    });
  }
  if (samples.length < inputs.samples) {
    // Every usable conversation is used once: asking for more does not sample any twice.
    logger.warn(
      { requested: inputs.samples, samples: samples.length, conversations: inputs.rows.length },
      `asked for ${inputs.samples} samples; the dataset gives ${samples.length}: the run uses ${samples.length}`,
    );
  }
  const runKey = createHash("sha256")
    .update(
      canonicalJson({
        repo: inputs.repo,
        revision: inputs.revision,
        profile: profile.id,
        seed,
        set: set.key,
        template: inputs.chatTemplate,
        maxTokens: inputs.maxTokens,
        engine: inputs.engine.name,
      }),
    )
    .digest("hex");
  const existing = inputs.fresh ? undefined : store.scoreRuns.resumable(runKey, inputs.origin);
  const run =
    existing ??
    store.scoreRuns.create({
      runKey,
      repo: inputs.repo,
      revision: inputs.revision,
      profile: profile.id,
      seed,
      origin: inputs.origin,
    });
  if (existing) logger.info({ run: run.id }, "resuming the unfinished run");

  const { temperature, engineSeed } = samplingParameters(seed, profile);
  const generation = generationSettings(inputs, temperature);

  const byIdx = () => new Map(store.scoreRuns.samples(run.id).map((s) => [s.idx, s]));
  let records = byIdx();
  const toGenerate = samples
    .map((_, i) => i)
    .filter((i) => records.get(i)?.generation == null && records.get(i)?.genError == null);
  let generated = samples.length - toGenerate.length;
  const report = (stage: string, done: number) => inputs.onProgress?.({ stage, done, total: samples.length });
  let judgeDown: string | null = null;
  try {
    await timed("generate", async () => {
      report("generate", generated);
      const limit = pLimit(Math.min(profile.generation.maxSequencesInFlight, inputs.engine.slots));
      await settleAll(
        toGenerate.map((i) =>
          limit(async () => {
            if (stopping()) throw new CancelledError();
            const prompt = render(samples[i] as JudgeSample);
            // What the context leaves after the prompt (vLLM refuses a request that asks for more).
            const promptTokens = await countTokens(prompt);
            const room =
              promptTokens === null ? generation.max_tokens : inputs.engine.contextTokens - promptTokens;
            let result: Awaited<ReturnType<Engine["generate"]>>[number] | undefined;
            try {
              if (room < 1)
                throw new GenerationRefused(`the prompt's ${promptTokens} tokens leave no room to reply`);
              [result] = await inputs.engine.generate(
                [
                  {
                    prompt,
                    maxTokens: Math.min(generation.max_tokens, room),
                    temperature,
                    seed: engineSeed,
                    stop: generation.stop,
                    stopTokenIds: generation.stop_token_ids,
                    sampling: profile.generation.sampling,
                  },
                ],
                signal,
              );
            } catch (error) {
              if (!(error instanceof GenerationRefused)) throw error;
              // One sample the engine cannot take is a failed sample, as the reference counts one.
              store.scoreRuns.saveGenerationRefused(run.id, i, error.message);
              logger.warn({ sample: i, reason: error.message }, "generation refused: a failed sample");
              generated++;
              report("generate", generated);
              return;
            }
            if (signal?.aborted) throw new CancelledError();
            store.scoreRuns.saveGeneration(run.id, i, result?.text ?? "", result?.completionTokens ?? 0);
            generated++;
            report("generate", generated);
            inputs.afterGeneration?.(generated);
          }),
        ),
      );
    });

    records = byIdx();
    const toJudge = samples
      .map((_, i) => i)
      .filter((i) => records.get(i)?.verdict == null && records.get(i)?.genError == null);
    let judged = samples.length - toJudge.length;
    // An outage is not a verdict: nothing is recorded for it, the run stays open and a rerun resumes. A
    // call that got no answer is an outage only if the judge answers nothing else either (one shared check).
    let check: Promise<boolean> | null = null;
    const judgeAnswers = async (): Promise<boolean> => {
      check ??= inputs.judge.reachable(signal).finally(() => {
        check = null;
      });
      return check;
    };
    await timed("judge", async () => {
      report("judge", judged);
      // Bounded here, not only inside the judge, so a drain stops calls that have not started yet.
      const limit = pLimit(inputs.judge.concurrency);
      await settleAll(
        toJudge.map((i) =>
          limit(async () => {
            if (stopping()) throw new CancelledError();
            if (judgeDown) return;
            const pair = judgedPair(samples[i] as JudgeSample, records.get(i)?.generation ?? "");
            const prompt = judgeMessages(pair.card, pair.original, pair.generated);
            const outcome = await inputs.judge.judge(prompt, signal);
            if (outcome.failure === "unavailable" && !(await judgeAnswers())) {
              judgeDown ??= outcome.error;
              return;
            }
            store.scoreRuns.saveVerdict(run.id, i, outcome);
            judged++;
            report("judge", judged);
          }),
        ),
      );
    });
  } catch (error) {
    if (!(error instanceof CancelledError)) throw error;
    // What a stop kept is what a rerun does not redo: say it, with how to resume.
    const kept = store.scoreRuns.samples(run.id);
    const replies = kept.filter((r) => r.generation != null).length;
    const verdicts = kept.filter((r) => r.verdict != null).length;
    throw new CancelledError(
      `cancelled: ${replies} of ${samples.length} replies and ${verdicts} verdicts kept — rerun the same command to resume`,
    );
  }

  if (judgeDown) {
    const kept = store.scoreRuns.samples(run.id).filter((r) => r.generation != null).length;
    throw new NetworkError(`interrupted: judge unreachable — rerun to resume (${kept} replies kept)`, {
      hint: `the judge said: ${judgeDown}`,
    });
  }
  const finalRecords = store.scoreRuns.samples(run.id);
  const score = tallyVerdicts(
    finalRecords.map((r) => (r.genError ? null : ((r.verdict as StoredVerdict | null) ?? null))),
    profile.judge.maxErrorRate,
  );
  const outcome = evaluationOutcome(score, finalRecords.length, profile.judge.maxErrorRate);
  const card: ScoreCard = {
    repo: inputs.repo,
    revision: inputs.revision,
    profile: profile.id,
    status: outcome.status,
    reason: outcome.reason,
    seed,
    samples: samples.length,
    valid: score.valid,
    failed: score.failed,
    skipped: score.skipped,
    tally: score.tally,
    win_rate: score.winRate,
    total_score: outcome.totalScore,
    engine: {
      name: inputs.engine.name,
      version: await inputs.engine.version(),
      deterministic: inputs.engine.deterministic,
    },
    generation,
    judge: {
      model: inputs.judgeModel,
      calls: finalRecords.filter((r) => !r.judgeCached).length,
      cached: finalRecords.filter((r) => r.judgeCached).length,
      tokens_in: finalRecords.reduce((s, r) => s + r.judgeTokensIn, 0),
      tokens_out: finalRecords.reduce((s, r) => s + r.judgeTokensOut, 0),
      cost_usd: finalRecords.reduce((s, r) => s + r.judgeCost, 0),
    },
    timings: Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v * 1000) / 1000])),
    run_id: run.id,
    resumed: existing !== undefined,
    sample_set: set.key,
    dataset: inputs.dataset ?? null,
    gguf: inputs.gguf ?? null,
  };
  // A judge that answered nothing is an outage, not a result: the run stays open, so the next attempt
  // keeps the generations and asks the judge again.
  if (score.valid > 0) store.scoreRuns.finish(run.id, card.status, card);
  return card;
}
