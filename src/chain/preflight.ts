import { ChainError } from "../errors.js";
import type { Metagraph } from "./types.js";

/**
 * The chain's set_weights checks (CHAIN-FACTS §2.2), applied before sending so the user learns why now.
 * For a timelocked commit (`path: "commit"`) the same checks hold: the commit shares the rate limit, and
 * the reveal runs set_weights' checks as the committer, where a failure is silent.
 */
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
  path: "set_weights" | "commit" = "set_weights",
): WeightsPreflight {
  const problems: { code: string; message: string }[] = [];
  const n = metagraph.neurons.length;
  const h = metagraph.hyperparameters;
  const neuron = metagraph.neurons.find((x) => x.hotkey === hotkey);
  const uid = neuron?.uid ?? null;
  let rateLimitFreesAt: number | null = null;
  const add = (code: string, message: string) => problems.push({ code, message });

  if (path === "set_weights" && h.commitRevealEnabled) {
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
      path === "commit" ? "CommittingWeightsTooFast" : "SettingWeightsTooFast",
      `weights were ${path === "commit" ? "set or committed" : "set"} at block ${neuron.lastUpdate}; the rate limit of ${h.weightsRateLimit} blocks frees at block ${rateLimitFreesAt}`,
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

/** The chain's checks as one error, with the hint a user can act on. */
export function refusal(metagraph: Metagraph, check: WeightsPreflight, call: string): ChainError {
  const codes = check.problems.map((p) => p.code);
  const hint =
    check.rateLimitFreesAt !== null
      ? `wait until block ${check.rateLimitFreesAt} (now ${metagraph.block.number})`
      : `fix the above; chain errors: ${codes.join(", ")}`;
  return new ChainError(
    `${call} would be refused: ${check.problems.map((p) => `${p.code}: ${p.message}`).join("; ")}`,
    { hint },
  );
}
