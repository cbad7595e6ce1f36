import type { Metagraph } from "./types.js";

/** The chain's set_weights checks (CHAIN-FACTS §2.2), applied before sending so the user learns why now. */
export interface WeightsPreflight {
  readonly ok: boolean;
  readonly uid: number | null;
  readonly problems: readonly { code: string; message: string }[];
  /** When the rate limit blocks the call: the first block at which it is allowed. */
  readonly rateLimitFreesAt: number | null;
}

export function preflightSetWeights(
  metagraph: Metagraph,
  hotkey: string,
  uids: readonly number[],
  values: readonly number[],
  versionKey: number,
): WeightsPreflight {
  const problems: { code: string; message: string }[] = [];
  const n = metagraph.neurons.length;
  const h = metagraph.hyperparameters;
  const neuron = metagraph.neurons.find((x) => x.hotkey === hotkey);
  const uid = neuron?.uid ?? null;
  let rateLimitFreesAt: number | null = null;
  const add = (code: string, message: string) => problems.push({ code, message });

  if (h.commitRevealEnabled) {
    add(
      "CommitRevealEnabled",
      `netuid ${metagraph.netuid} has commit-reveal weights on: plain set_weights is refused`,
    );
  }
  if (!neuron)
    add("HotKeyNotRegisteredInSubNet", `hotkey ${hotkey} is not registered on netuid ${metagraph.netuid}`);
  if (uids.length !== values.length) add("WeightVecNotEqualSize", "uids and weights differ in length");
  if (uids.length > n) add("UidsLengthExceedUidsInSubNet", `${uids.length} weights for ${n} uids`);
  if (h.weightsVersion !== 0 && versionKey < h.weightsVersion) {
    add("IncorrectWeightVersionKey", `version key ${versionKey} is below the chain's ${h.weightsVersion}`);
  }
  const block = metagraph.block.number;
  if (neuron && neuron.lastUpdate !== 0 && block - neuron.lastUpdate < h.weightsRateLimit) {
    rateLimitFreesAt = neuron.lastUpdate + h.weightsRateLimit;
    add(
      "SettingWeightsTooFast",
      `weights were set at block ${neuron.lastUpdate}; the rate limit of ${h.weightsRateLimit} blocks frees at block ${rateLimitFreesAt}`,
    );
  }
  const selfWeight = uids.length === 1 && uids[0] === uid;
  if (neuron && !selfWeight && !neuron.validatorPermit) {
    add("NeuronNoValidatorPermit", `uid ${uid} has no validator permit`);
  }
  if (new Set(uids).size !== uids.length) add("DuplicateUids", "a uid appears twice");
  if (uids.some((u) => u >= n || u < 0)) add("UidVecContainInvalidOne", `a uid is not below ${n}`);
  if (!selfWeight && uids.length < Math.min(h.minAllowedWeights, n)) {
    add(
      "WeightVecLengthIsLow",
      `${uids.length} weights, the chain wants at least ${Math.min(h.minAllowedWeights, n)}`,
    );
  }
  return { ok: problems.length === 0, uid, problems, rateLimitFreesAt };
}

/**
 * The first block of the next commitment-space epoch (legacy epoch arithmetic of spec ≤ 343:
 * epoch = (block + netuid + 1) / (tempo + 1)).
 */
export function nextEpochStart(block: number, netuid: number, tempo: number): number {
  const epoch = Math.floor((block + netuid + 1) / (tempo + 1));
  return (epoch + 1) * (tempo + 1) - netuid - 1;
}
