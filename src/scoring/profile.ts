/**
 * Scoring profiles: every constant that decides a score or a weight, as versioned data.
 * A scoring reset is a new profile, never an edit of an existing one (stored scores name their profile).
 */

export const CHAT_TEMPLATES = [
  "vicuna",
  "chatml",
  "zephyr",
  "mistral",
  "alpaca",
  "llama2",
  "llama3",
  "llama3dot1",
  "gemma2",
  "qwen2dot5",
] as const;
export type ChatTemplateName = (typeof CHAT_TEMPLATES)[number];

export interface ScoringProfile {
  readonly id: string;
  readonly description: string;
  readonly netuid: number;
  readonly competitionId: string;
  /** Commitments before this block are rejected (the reference's NEW_EPOCH_BLOCK). */
  readonly firstValidBlock: number;
  /** Seed-era halving of scores committed before a reset block; null when the profile has none. */
  readonly scoreReset: { readonly block: number; readonly factor: number } | null;
  /** The strictly later of two submissions has its score multiplied by (1 − penalty) when compared. */
  readonly laterBlockPenalty: number;
  readonly softmaxTemperature: number;
  /** The burn uid's softmax share is replaced by `ratio`; null for a plain softmax. */
  readonly burn: { readonly uid: number; readonly ratio: number } | null;
  readonly movingAverage: {
    readonly alpha: number;
    /** The reference zeroes its weights before blending each step, so the average has no memory. */
    readonly resetEachStep: boolean;
  };
  readonly weightsVersionKey: number;
  /** How an evaluation's total score is derived: the judge win rate is the reference's only live stage. */
  readonly totalScore: "judge_score";
  readonly judge: {
    readonly samples: number;
    readonly maxErrorRate: number;
    readonly model: string;
  };
  readonly generation: {
    /** The judge stage's cut: a prefix of at most this many messages (card included). */
    readonly maxContextMessages: number;
    /** One temperature per evaluation, drawn uniformly from [min, max) (the reference's U[0, 0.2)). */
    readonly temperature: { readonly min: number; readonly max: number };
    /** The engine's context (vLLM max_model_len): a prompt longer than this is rejected at sampling. */
    readonly maxModelLength: number;
    readonly maxSequencesInFlight: number;
    /** Tokens to generate per reply, clamped to what the context leaves after the prompt. */
    readonly maxTokens: number;
    /**
     * Sampling besides the temperature, sent explicitly to every engine: the reference's SamplingParams
     * leave vLLM's neutral defaults, which an engine (llama-server) or a model's generation_config.json
     * (vLLM's `--generation-config auto`) would otherwise replace. top_k -1 is "off".
     */
    readonly sampling: {
      readonly topP: number;
      readonly topK: number;
      readonly minP: number;
      readonly repetitionPenalty: number;
      readonly presencePenalty: number;
      readonly frequencyPenalty: number;
    };
  };
  readonly chatTemplates: readonly ChatTemplateName[];
  readonly repoSizeBytes: { readonly min: number; readonly max: number };
  /**
   * The owner's precheck fails a hotkey's new submission within this many blocks of its previous one
   * (unless that one FAILED): seed 28800, later 57600.
   */
  readonly submissionRateLimitBlocks: number;
  /** The reference steps when the UTC minute modulo `everyMinutes` is at most `windowMinutes`. */
  readonly schedule: { readonly everyMinutes: number; readonly windowMinutes: number };
}

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

const seedEra: ScoringProfile = Object.freeze({
  id: "dippy-2025-03",
  description: "the reference at its seed commit (2025-03): 75 % burn, score reset at block 4853456",
  netuid: 11,
  competitionId: "d1",
  firstValidBlock: 4853456,
  scoreReset: Object.freeze({ block: 4853456, factor: 0.5 }),
  laterBlockPenalty: 0.03,
  // The reference writes 0.005 * 15; in IEEE doubles that is exactly 0.075.
  softmaxTemperature: 0.075,
  burn: Object.freeze({ uid: 74, ratio: 0.75 }),
  movingAverage: Object.freeze({ alpha: 0.9, resetEachStep: true }),
  weightsVersionKey: 7,
  totalScore: "judge_score",
  judge: Object.freeze({ samples: 512, maxErrorRate: 0.1, model: "gpt-4o-2024-11-20" }),
  generation: Object.freeze({
    maxContextMessages: 6,
    temperature: Object.freeze({ min: 0, max: 0.2 }),
    maxModelLength: 8192,
    maxSequencesInFlight: 16,
    maxTokens: 8192,
    sampling: Object.freeze({
      topP: 1,
      topK: -1,
      minP: 0,
      repetitionPenalty: 1,
      presencePenalty: 0,
      frequencyPenalty: 0,
    }),
  }),
  chatTemplates: CHAT_TEMPLATES,
  repoSizeBytes: Object.freeze({ min: 40 * MIB, max: 80 * GIB }),
  submissionRateLimitBlocks: 28800,
  schedule: Object.freeze({ everyMinutes: 20, windowMinutes: 2 }),
});

const laterReference: ScoringProfile = Object.freeze({
  ...seedEra,
  id: "dippy-2025-07",
  description: "the later reference (2025-07): epoch block 5623610, no score reset, ~100 % burn",
  firstValidBlock: 5623610,
  scoreReset: null,
  burn: Object.freeze({ uid: 74, ratio: 0.99999999999 }),
  submissionRateLimitBlocks: 57600,
});

export const PROFILES: readonly ScoringProfile[] = Object.freeze([seedEra, laterReference]);
export const DEFAULT_PROFILE_ID = seedEra.id;
export const PROFILE_IDS: readonly string[] = PROFILES.map((p) => p.id);

export function findProfile(id: string): ScoringProfile | undefined {
  return PROFILES.find((p) => p.id === id);
}
