/** What sn11 reads from Subtensor, as plain data (no polkadot-js codecs past the chain layer). */

export interface BlockRef {
  readonly number: number;
  readonly hash: string;
}

export interface Neuron {
  readonly uid: number;
  readonly hotkey: string;
  readonly coldkey: string;
  readonly active: boolean;
  readonly validatorPermit: boolean;
  readonly lastUpdate: number;
  /** Total stake in rao (alpha + tao × TaoWeight, as the chain weighs it). */
  readonly stakeRao: bigint;
  readonly blockAtRegistration: number | null;
  /** What the last epoch gave this uid; absent where the runtime did not say. */
  readonly rewards?: NeuronRewards;
}

/** The epoch's outputs per uid (u16 shares as fractions of 65535; emission in rao of the subnet's alpha). */
export interface NeuronRewards {
  readonly incentive: number;
  readonly consensus: number;
  readonly dividends: number;
  readonly emissionRao: bigint;
}

export interface WeightHyperparameters {
  readonly tempo: number;
  readonly weightsRateLimit: number;
  readonly minAllowedWeights: number;
  readonly maxWeightsLimit: number;
  readonly weightsVersion: number;
  readonly commitRevealEnabled: boolean;
  readonly commitRevealPeriod: number;
  readonly immunityPeriod: number | null;
  /** `Kappa` (u16): the stake share whose weights set consensus (32767 ≈ one half); null if not served. */
  readonly kappa: number | null;
  /** `ActivityCutoff`: blocks after its last weights before a validator's stake stops counting. */
  readonly activityCutoff: number | null;
}

export interface ChainCommitment {
  readonly hotkey: string;
  readonly block: number;
  /** The first field's bytes decoded one by one as Latin-1, as the reference does; null when not Raw. */
  readonly data: string | null;
  /** The first field's variant, e.g. `Raw95`, `BigRaw`, `none`. */
  readonly shape: string;
  /** Why `data` is null, when it is. */
  readonly problem: string | null;
}

export interface Metagraph {
  readonly netuid: number;
  readonly block: BlockRef;
  readonly neurons: readonly Neuron[];
  readonly hyperparameters: WeightHyperparameters;
  readonly commitments: readonly ChainCommitment[];
  /** `SubnetOwnerHotkey`, SS58; null where the chain names none. */
  readonly ownerHotkey: string | null;
  /** How it was read: one runtime-API call, or storage reads where the runtime lacks the API. */
  readonly source: "runtime-api" | "storage";
}
