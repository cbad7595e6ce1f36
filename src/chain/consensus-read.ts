import type { ApiPromise } from "@polkadot/api";
import type { Codec } from "@polkadot/types/types";
import { u8aToHex } from "@polkadot/util";
import { decodeAddress } from "@polkadot/util-crypto";
import { ChainError } from "../errors.js";
import type { ConsensusInput, WeightRow } from "../scoring/consensus.js";
import { legacyEpoch } from "./commit-reveal.js";
import { decodeValue, type EntryLike, type RawRpc, storageEntry, storageValuesAt } from "./storage.js";
import type { Metagraph } from "./types.js";

/** What the epoch needs beyond the metagraph, read at the metagraph's block. */
export interface ConsensusFacts {
  /** `Weights[(netuid, uid)]` of every uid whose weights can count (permit, or the subnet owner). */
  readonly weights: ReadonlyMap<number, WeightRow>;
  /** `StakeThreshold` (rao). */
  readonly stakeThreshold: bigint;
  /** On a commit-reveal subnet: each validator's earliest commit that has not expired. */
  readonly commitBlocks: ReadonlyMap<number, number>;
}

type Num = Codec & { toNumber(): number; toBigInt(): bigint };

function entry(api: ApiPromise, name: string): EntryLike {
  const found = storageEntry(api, "subtensorModule", name);
  if (!found) throw new Error(`the chain's metadata has no subtensorModule.${name}`);
  return found;
}

/** The uids whose rows the epoch reads: permitted validators and the owner (whose permit is forced). */
export function countedUids(metagraph: Metagraph): number[] {
  return metagraph.neurons
    .filter((n) => n.validatorPermit || n.hotkey === metagraph.ownerHotkey)
    .map((n) => n.uid);
}

/**
 * One `state_queryStorageAt` at the metagraph's block: the weight rows (their keys are Identity-hashed, so
 * no key paging), `StakeThreshold`, and on a commit-reveal subnet the commit queues the epoch's column
 * mask reads (the timelocked queues of the unexpired epochs, each validator's hash commits).
 */
export async function readConsensusFacts(
  api: ApiPromise,
  rpc: RawRpc,
  metagraph: Metagraph,
): Promise<ConsensusFacts> {
  const { netuid, block, hyperparameters: h } = metagraph;
  const uids = countedUids(metagraph);
  const weights = entry(api, "weights");
  const threshold = entry(api, "stakeThreshold");
  const keys = [threshold.key(), ...uids.map((uid) => weights.key(netuid, uid))];
  // The epoch index of the unexpired commits; runtimes with `SubnetEpochIndex` keep no legacy epochs.
  const legacy = !storageEntry(api, "subtensorModule", "subnetEpochIndex");
  const currentEpoch = legacyEpoch(block.number, netuid, h.tempo);
  const maskEpochs =
    h.commitRevealEnabled && legacy
      ? Array.from({ length: h.commitRevealPeriod + 1 }, (_, i) => currentEpoch - i).filter((e) => e >= 0)
      : [];
  const timelocked = entry(api, "timelockedWeightCommits");
  const hashed = entry(api, "weightCommits");
  const validators = maskEpochs.length > 0 ? uids.map((uid) => metagraph.neurons[uid]?.hotkey ?? "") : [];
  keys.push(...maskEpochs.map((e) => timelocked.key(netuid, e)));
  keys.push(...validators.map((hotkey) => hashed.key(netuid, hotkey)));

  const values = await storageValuesAt(rpc, keys, block.hash);
  const stakeThreshold = (decodeValue(api, threshold, values[0] ?? null) as Num).toBigInt();
  const rows = new Map<number, WeightRow>();
  uids.forEach((uid, i) => {
    const row = decodeValue(api, weights, values[1 + i] ?? null) as unknown as [Num, Num][];
    rows.set(
      uid,
      [...row].map(([j, v]) => [j.toNumber(), v.toNumber()] as const),
    );
  });

  const commitBlocks = new Map<number, number>();
  const uidOf = new Map(metagraph.neurons.map((n) => [accountHex(n.hotkey), n.uid]));
  const keep = (uid: number | undefined, commitBlock: number) => {
    if (uid === undefined) return;
    commitBlocks.set(uid, Math.min(commitBlocks.get(uid) ?? commitBlock, commitBlock));
  };
  let at = 1 + uids.length;
  for (const _epoch of maskEpochs) {
    const queue = decodeValue(api, timelocked, values[at++] ?? null) as unknown as [Codec, Num][];
    for (const [who, commitBlock] of queue) keep(uidOf.get(u8aToHex(who.toU8a())), commitBlock.toNumber());
  }
  for (const hotkey of validators) {
    const queue = decodeValue(api, hashed, values[at++] ?? null) as unknown as [Codec, Num][];
    // `(hash, commit block, first reveal, last reveal)`; the first unexpired commit is the earliest.
    for (const [, commitBlock] of queue) {
      const b = commitBlock.toNumber();
      if (currentEpoch > legacyEpoch(b, netuid, h.tempo) + h.commitRevealPeriod) continue;
      keep(uidOf.get(accountHex(hotkey)), b);
      break;
    }
  }
  return { weights: rows, stakeThreshold, commitBlocks };
}

function accountHex(address: string): string {
  return address.startsWith("0x") ? address : u8aToHex(decodeAddress(address));
}

/** The epoch's input at the metagraph's block. */
export function consensusInput(metagraph: Metagraph, facts: ConsensusFacts): ConsensusInput {
  const { kappa, activityCutoff } = metagraph.hyperparameters;
  if (kappa === null || activityCutoff === null) {
    throw new ChainError(
      "the chain's metagraph does not say kappa and activity_cutoff: consensus cannot be computed",
      {
        hint: "this runtime's selective metagraph lacks fields 23 and 28",
      },
    );
  }
  const owner = metagraph.ownerHotkey
    ? (metagraph.neurons.find((n) => n.hotkey === metagraph.ownerHotkey)?.uid ?? null)
    : null;
  return {
    block: metagraph.block.number,
    kappa,
    activityCutoff,
    stakeThreshold: facts.stakeThreshold,
    ownerUid: owner,
    neurons: metagraph.neurons.map((n) => ({
      uid: n.uid,
      stakeRao: n.stakeRao,
      validatorPermit: n.validatorPermit,
      lastUpdate: n.lastUpdate,
      blockAtRegistration: n.blockAtRegistration ?? 0,
    })),
    weights: facts.weights,
    commitBlocks: facts.commitBlocks,
  };
}
