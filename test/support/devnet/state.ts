import type { Codec } from "@polkadot/types/types";
import { compactStripLength, u8aToHex } from "@polkadot/util";
import type { ChainSpec } from "./metadata.js";

/** Chain state as plain data; every block keeps its own copy so reads pinned to a block hash stay exact. */
export interface Neuron {
  hotkey: string; // 0x-hex public key
  coldkey: string;
  active: boolean;
  validatorPermit: boolean;
  lastUpdate: number;
  alphaStake: bigint; // rao
  taoStake: bigint;
  blockAtRegistration: number;
  /** The last epoch's outputs as the chain stores them (u16 shares, emission in rao); set by tests. */
  incentive?: number;
  consensus?: number;
  dividends?: number;
  emission?: bigint;
}

export interface Hyperparameters {
  tempo: number;
  weightsRateLimit: number;
  weightsVersionKey: number;
  minAllowedWeights: number;
  maxWeightsLimit: number;
  commitRevealEnabled: boolean;
  revealPeriodEpochs: number;
  immunityPeriod: number;
  activityCutoff: number;
  maxAllowedValidators: number;
  /** `Kappa` (u16). */
  kappa: number;
}

export interface Subnet {
  netuid: number;
  neurons: Neuron[]; // index = uid
  hyper: Hyperparameters;
  ownerHotkey: string | null;
  weights: Map<number, [number, number][]>;
}

export interface StoredCommitment {
  block: number;
  /** The SCALE-encoded `CommitmentInfo` as submitted. */
  info: string;
}

/** One entry of `TimelockedWeightCommits[(netuid, epoch)]`. */
export interface TimelockedCommit {
  who: string; // 0x-hex public key
  commitBlock: number;
  commit: string; // 0x-hex ciphertext
  revealRound: number;
}

/** The drand pallet: the beacon the chain verifies pulses against and the pulses it holds. */
export interface DrandState {
  /** null: `BeaconConfig` absent, so the metadata default (quicknet) applies. */
  beacon: { publicKeyHex: string; genesisTime: number; period: number } | null;
  pulses: Map<number, string>; // round → 0x-hex signature (48 raw bytes)
  lastStoredRound: number;
}

/** One entry of `WeightCommits[(netuid, who)]` (hash commit-reveal). */
export interface HashCommit {
  hash: string; // 0x-hex H256
  commitBlock: number;
  firstRevealBlock: number;
  lastRevealBlock: number;
}

export interface ChainState {
  subnets: Map<number, Subnet>;
  hashCommits: Map<string, HashCommit[]>; // `${netuid}:${who}`
  /** `CommitRevealWeightsVersion` (the metadata default is 4). */
  commitRevealVersion: number;
  timelockedCommits: Map<string, TimelockedCommit[]>; // `${netuid}:${epoch}`
  drand: DrandState;
  nonces: Map<string, number>;
  commitments: Map<string, StoredCommitment>; // `${netuid}:${hotkey}`
  usedSpace: Map<string, { lastEpoch: number; used: number }>;
  maxSpace: number;
  /** `StakeThreshold` (rao, global): the stake a validator needs for its weights to count. */
  stakeThreshold: bigint;
  /** `Timestamp::Now` of the block: when it was produced (set by the timestamp inherent on a node). */
  timestampMs?: number;
}

export const DEFAULT_HYPERPARAMETERS: Hyperparameters = {
  tempo: 360,
  weightsRateLimit: 100,
  weightsVersionKey: 0,
  minAllowedWeights: 1,
  maxWeightsLimit: 65535,
  commitRevealEnabled: false,
  revealPeriodEpochs: 1,
  immunityPeriod: 5000,
  activityCutoff: 5000,
  maxAllowedValidators: 64,
  kappa: 32767,
};

export function emptyState(): ChainState {
  return {
    subnets: new Map(),
    commitRevealVersion: 4,
    timelockedCommits: new Map(),
    hashCommits: new Map(),
    drand: { beacon: null, pulses: new Map(), lastStoredRound: 0 },
    nonces: new Map(),
    commitments: new Map(),
    usedSpace: new Map(),
    maxSpace: 3100,
    stakeThreshold: 0n,
  };
}

export function cloneState(state: ChainState): ChainState {
  return structuredClone(state);
}

export function commitmentKey(netuid: number, hotkey: string): string {
  return `${netuid}:${hotkey}`;
}

/** The legacy epoch index the chain used for the commitment space budget: block / (tempo + 1). */
export function epochIndex(subnet: Subnet | undefined, block: number, netuid: number): number {
  const tempo = subnet?.hyper.tempo ?? 360;
  return Math.floor((block + netuid + 1) / (tempo + 1));
}

/** The first block of a legacy epoch (`get_first_block_of_epoch`: epoch·(tempo + 1) − (netuid + 1)). */
export function epochStart(subnet: Subnet, epoch: number, netuid: number): number {
  return Math.max(0, epoch * (subnet.hyper.tempo + 1) - (netuid + 1));
}

/** Storage as a node holds it: real keys from the metadata, real SCALE values. */
export function deriveStorage(
  spec: ChainSpec,
  state: ChainState,
  events: Uint8Array,
  blockNumber: number,
): Map<string, string> {
  const q = spec.decorated.query;
  const storage = new Map<string, string>();
  const put = (
    entry: {
      (...args: unknown[]): Uint8Array;
      meta: { type: Codec & { isPlain: boolean; asPlain: Codec; asMap: { value: Codec } } };
    },
    args: unknown[],
    value: unknown,
  ) => {
    const typeId = entry.meta.type.isPlain ? entry.meta.type.asPlain : entry.meta.type.asMap.value;
    const encoded = spec.registry.createType(spec.registry.createLookupType(typeId as never), value);
    // The decorated key function prefixes the key with its compact length; a node stores the bare key.
    storage.set(u8aToHex(compactStripLength(entry(...args))[1]), u8aToHex(encoded.toU8a()));
  };
  const sm = q.subtensorModule as unknown as Record<string, Parameters<typeof put>[0]>;
  const cm = q.commitments as unknown as Record<string, Parameters<typeof put>[0]>;
  const sys = q.system as unknown as Record<string, Parameters<typeof put>[0]>;
  const entry = (group: Record<string, Parameters<typeof put>[0]>, name: string) =>
    group[name] as Parameters<typeof put>[0];

  put(entry(sys, "events"), [], events);
  if (state.timestampMs !== undefined) {
    put(
      entry(q.timestamp as unknown as Record<string, Parameters<typeof put>[0]>, "now"),
      [],
      state.timestampMs,
    );
  }
  put(entry(sys, "number"), [], blockNumber);
  for (const [account, nonce] of state.nonces) {
    put(entry(sys, "account"), [account], {
      nonce,
      consumers: 0,
      providers: 1,
      sufficients: 0,
      data: { free: 1_000_000_000 },
    });
  }
  for (const subnet of state.subnets.values()) {
    const n = subnet.netuid;
    const h = subnet.hyper;
    put(entry(sm, "subnetworkN"), [n], subnet.neurons.length);
    put(entry(sm, "tempo"), [n], h.tempo);
    put(entry(sm, "weightsSetRateLimit"), [n], h.weightsRateLimit);
    put(entry(sm, "weightsVersionKey"), [n], h.weightsVersionKey);
    put(entry(sm, "minAllowedWeights"), [n], h.minAllowedWeights);
    put(entry(sm, "maxWeightsLimit"), [n], h.maxWeightsLimit);
    put(entry(sm, "commitRevealWeightsEnabled"), [n], h.commitRevealEnabled);
    put(entry(sm, "revealPeriodEpochs"), [n], h.revealPeriodEpochs);
    put(entry(sm, "immunityPeriod"), [n], h.immunityPeriod);
    put(entry(sm, "activityCutoff"), [n], h.activityCutoff);
    put(entry(sm, "kappa"), [n], h.kappa);
    if (subnet.ownerHotkey) put(entry(sm, "subnetOwnerHotkey"), [n], subnet.ownerHotkey);
    put(
      entry(sm, "active"),
      [n],
      subnet.neurons.map((x) => x.active),
    );
    put(
      entry(sm, "validatorPermit"),
      [n],
      subnet.neurons.map((x) => x.validatorPermit),
    );
    put(
      entry(sm, "lastUpdate"),
      [n],
      subnet.neurons.map((x) => x.lastUpdate),
    );
    for (const name of ["incentive", "consensus", "dividends"] as const) {
      put(
        entry(sm, name),
        [n],
        subnet.neurons.map((x) => x[name] ?? 0),
      );
    }
    put(
      entry(sm, "emission"),
      [n],
      subnet.neurons.map((x) => x.emission ?? 0n),
    );
    subnet.neurons.forEach((neuron, uid) => {
      put(entry(sm, "keys"), [n, uid], neuron.hotkey);
      put(entry(sm, "uids"), [n, neuron.hotkey], uid);
      put(entry(sm, "owner"), [neuron.hotkey], neuron.coldkey);
      put(entry(sm, "totalHotkeyAlpha"), [neuron.hotkey, n], neuron.alphaStake);
      put(entry(sm, "blockAtRegistration"), [n, uid], neuron.blockAtRegistration);
    });
    for (const [uid, row] of subnet.weights) put(entry(sm, "weights"), [n, uid], row);
  }
  put(entry(sm, "stakeThreshold"), [], state.stakeThreshold);
  const dr = q.drand as unknown as Record<string, Parameters<typeof put>[0]>;
  put(entry(sm, "commitRevealWeightsVersion"), [], state.commitRevealVersion);
  for (const [key, commits] of state.timelockedCommits) {
    const [netuid, epoch] = key.split(":").map(Number) as [number, number];
    put(
      entry(sm, "timelockedWeightCommits"),
      [netuid, epoch],
      commits.map((c) => [c.who, c.commitBlock, c.commit, c.revealRound]),
    );
  }
  for (const [key, commits] of state.hashCommits) {
    const [netuid, who] = key.split(":") as [string, string];
    put(
      entry(sm, "weightCommits"),
      [Number(netuid), who],
      commits.map((c) => [c.hash, c.commitBlock, c.firstRevealBlock, c.lastRevealBlock]),
    );
  }
  put(entry(dr, "lastStoredRound"), [], state.drand.lastStoredRound);
  for (const [round, signature] of state.drand.pulses) {
    put(entry(dr, "pulses"), [round], { round, randomness: `0x${"00".repeat(32)}`, signature });
  }
  if (state.drand.beacon) {
    const b = state.drand.beacon;
    put(entry(dr, "beaconConfig"), [], {
      publicKey: `0x${b.publicKeyHex}`,
      period: b.period,
      genesisTime: b.genesisTime,
      hash: `0x${"00".repeat(32)}`,
      groupHash: `0x${"00".repeat(32)}`,
      schemeId: "0x",
      metadata: { beaconId: "0x" },
    });
  }
  put(entry(cm, "maxSpace"), [], state.maxSpace);
  for (const [key, c] of state.commitments) {
    const [netuid, hotkey] = key.split(":") as [string, string];
    put(entry(cm, "commitmentOf"), [Number(netuid), hotkey], {
      deposit: 0,
      block: c.block,
      info: spec.registry.createType(registrationInfoType(spec) as never, hexBytes(c.info)),
    });
  }
  for (const [key, u] of state.usedSpace) {
    const [netuid, hotkey] = key.split(":") as [string, string];
    put(entry(cm, "usedSpaceOf"), [Number(netuid), hotkey], { lastEpoch: u.lastEpoch, usedSpace: u.used });
  }
  return storage;
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.slice(2), "hex"));
}

/** The lookup name of `CommitmentInfo` (the `info` field of `Registration`). */
export function registrationInfoType(spec: ChainSpec): string {
  const call = spec.decorated.tx.commitments!.setCommitment!.meta;
  return spec.registry.createLookupType(call.fields[1]?.type as never);
}
