import type { Metagraph } from "../../src/chain/types.js";

/**
 * Three neurons at block 1000 of netuid 11: uid 0 a validator with a permit (hotkey `hotkeys[0]`, last
 * update `lastUpdate`), uids 1 and 2 without one; the hyperparameters of a plain subnet unless overridden.
 */
export function testMetagraph(
  options: {
    hyper?: Partial<Metagraph["hyperparameters"]>;
    lastUpdate?: number;
    hotkeys?: readonly string[];
    permit?: boolean;
  } = {},
): Metagraph {
  const hotkeys = options.hotkeys ?? ["hk0", "hk1", "hk2"];
  const neuron = (uid: number) => ({
    uid,
    hotkey: hotkeys[uid] ?? `hk${uid}`,
    coldkey: `ck${uid}`,
    active: true,
    validatorPermit: uid === 0 && (options.permit ?? true),
    lastUpdate: uid === 0 ? (options.lastUpdate ?? 0) : 0,
    stakeRao: 0n,
    blockAtRegistration: 0,
  });
  return {
    netuid: 11,
    block: { number: 1000, hash: "0x" },
    neurons: [neuron(0), neuron(1), neuron(2)],
    hyperparameters: {
      tempo: 360,
      weightsRateLimit: 100,
      minAllowedWeights: 1,
      maxWeightsLimit: 65535,
      weightsVersion: 7,
      commitRevealEnabled: false,
      commitRevealPeriod: 1,
      immunityPeriod: 5000,
      kappa: 32767,
      activityCutoff: 5000,
      ...options.hyper,
    },
    commitments: [],
    ownerHotkey: null,
    source: "runtime-api",
  };
}
