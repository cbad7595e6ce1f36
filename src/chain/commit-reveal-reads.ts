import type { ApiPromise } from "@polkadot/api";
import type { Codec } from "@polkadot/types/types";
import { u8aToHex } from "@polkadot/util";
import { decodeAddress } from "@polkadot/util-crypto";
import {
  type Beacon,
  type EpochSchedule,
  legacyEpoch,
  legacyEpochStart,
  QUICKNET_BEACON,
} from "./commit-reveal.js";
import { decodeValue, type EntryLike, type RawRpc, storageEntry, storageValuesAt } from "./storage.js";
import type { BlockRef } from "./types.js";

/** What a timelocked commit needs from the chain, read at the step's pinned block. */
export interface CommitRevealState {
  readonly block: BlockRef;
  /** `CommitRevealWeightsVersion`: the commit's `commit_reveal_version` must equal it. */
  readonly version: number;
  /** `Drand.LastStoredRound`: the pool refuses a reveal round below it. */
  readonly lastStoredRound: number;
  /** `Drand.BeaconConfig` (quicknet's when absent). */
  readonly beacon: Beacon;
  readonly schedule: EpochSchedule;
  /** The epoch a commit sent now is stored under. */
  readonly epoch: number;
  /** The first block of the next epoch. */
  readonly nextEpochStart: number;
  /** This hotkey's commits the chain holds for the current epoch. */
  readonly unrevealedCommits: number;
  /** This hotkey's hash commits (`WeightCommits`) the chain holds, expired ones included. */
  readonly hashCommits: readonly { readonly hash: string; readonly commitBlock: number }[];
}

type Num = Codec & { toNumber(): number };
type CommitEntry = [Codec, Num, Codec & { toU8a(bare?: boolean): Uint8Array }, Num];

function entry(api: ApiPromise, section: string, name: string): EntryLike {
  const found = storageEntry(api, section, name);
  if (!found) throw new Error(`the chain's metadata has no ${section}.${name}`);
  return found;
}

function epochScheduleOf(api: ApiPromise): EpochSchedule {
  return storageEntry(api, "subtensorModule", "subnetEpochIndex") ? "epoch-index" : "legacy";
}

function decodeBeacon(api: ApiPromise, raw: Uint8Array | null): Beacon {
  const config = decodeValue(api, entry(api, "drand", "beaconConfig"), raw) as unknown as {
    publicKey: Codec & { toU8a(bare?: boolean): Uint8Array };
    period: Num;
    genesisTime: Num;
  };
  const key = config.publicKey.toU8a(true);
  if (key.length !== 96) return QUICKNET_BEACON;
  return {
    publicKeyHex: Buffer.from(key).toString("hex"),
    genesisTime: config.genesisTime.toNumber(),
    period: config.period.toNumber() || QUICKNET_BEACON.period,
  };
}

function commitsOf(value: Codec): CommitEntry[] {
  return value as unknown as CommitEntry[];
}

/**
 * `WeightCommits[(netuid, hotkey)]`: `VecDeque<(H256, commit block, first reveal, last reveal)>`; an absent
 * entry decodes from the metadata default, an empty queue.
 */
function decodeHashCommits(api: ApiPromise, entry: EntryLike, raw: Uint8Array | null) {
  const list = decodeValue(api, entry, raw) as unknown as [Codec, Num, Num, Num][];
  return [...list].map(([hash, commitBlock]) => ({
    hash: hash.toHex(),
    commitBlock: commitBlock.toNumber(),
  }));
}

function hexAccount(account: string): string {
  return u8aToHex(decodeAddress(account));
}

/**
 * The commit-reveal facts at one block. Legacy runtimes: one `state_queryStorageAt`. Runtimes with
 * `SubnetEpochIndex`: the index and the next epoch start first (one round trip, two calls), then the same.
 */
export async function readCommitRevealState(
  api: ApiPromise,
  rpc: RawRpc,
  query: { netuid: number; block: BlockRef; tempo: number; hotkey: string },
): Promise<CommitRevealState> {
  const { netuid, block, tempo } = query;
  const schedule = epochScheduleOf(api);
  let epoch: number;
  let nextEpochStart: number;
  if (schedule === "legacy") {
    epoch = legacyEpoch(block.number, netuid, tempo);
    nextEpochStart = legacyEpochStart(epoch + 1, netuid, tempo);
  } else {
    const indexEntry = entry(api, "subtensorModule", "subnetEpochIndex");
    const args = api.registry.createType("u16", netuid).toHex();
    const [raw, next] = await Promise.all([
      storageValuesAt(rpc, [indexEntry.key(netuid)], block.hash),
      rpc("state_call", ["SubnetInfoRuntimeApi_get_next_epoch_start_block", args, block.hash]).catch(
        () => null,
      ),
    ]);
    epoch = (decodeValue(api, indexEntry, raw[0] ?? null) as Num).toNumber();
    const decoded = next
      ? (api.registry.createType("Option<u64>", next as string) as unknown as {
          isSome: boolean;
          unwrap(): Num;
        })
      : null;
    // Without the runtime API the boundary is unknown; a tempo ahead is the latest it can be.
    nextEpochStart = decoded?.isSome ? decoded.unwrap().toNumber() : block.number + tempo;
  }
  const versionEntry = entry(api, "subtensorModule", "commitRevealWeightsVersion");
  const lastStoredEntry = entry(api, "drand", "lastStoredRound");
  const commits = entry(api, "subtensorModule", "timelockedWeightCommits");
  const hashCommits = entry(api, "subtensorModule", "weightCommits");
  const keys = [
    versionEntry.key(),
    lastStoredEntry.key(),
    entry(api, "drand", "beaconConfig").key(),
    commits.key(netuid, epoch),
    hashCommits.key(netuid, query.hotkey),
  ];
  const [version, lastStored, beacon, pending, hashed] = await storageValuesAt(rpc, keys, block.hash);
  const own = hexAccount(query.hotkey);
  return {
    block,
    version: (decodeValue(api, versionEntry, version ?? null) as Num).toNumber(),
    lastStoredRound: (decodeValue(api, lastStoredEntry, lastStored ?? null) as Num).toNumber(),
    beacon: decodeBeacon(api, beacon ?? null),
    schedule,
    epoch,
    nextEpochStart,
    unrevealedCommits: commitsOf(decodeValue(api, commits, pending ?? null)).filter(
      ([who]) => u8aToHex(who.toU8a()) === own,
    ).length,
    hashCommits: decodeHashCommits(api, hashCommits, hashed ?? null),
  };
}

/** What the chain shows of one commit's reveal, read at one block. */
export interface RevealFacts {
  readonly block: BlockRef;
  /** The commit is still in `TimelockedWeightCommits` (the chain has not taken it yet). */
  readonly pending: boolean;
  /** `Drand.Pulses[reveal_round].signature` (48 bytes hex), or null while the pulse is not on chain. */
  readonly pulseSignature: string | null;
  /** The hotkey's `Weights` row now. */
  readonly weights: readonly (readonly [number, number])[];
  /** The block whose events hold `TimelockedWeightsRevealed(netuid, hotkey)`, if one was found. */
  readonly revealedInBlock: number | null;
}

/** The pulse's signature as hex; the chain strips a leading ASCII "0x" from the stored bytes, so does this. */
function pulseSignature(pulse: Codec): string {
  let bytes = (
    pulse as unknown as { signature: Codec & { toU8a(bare?: boolean): Uint8Array } }
  ).signature.toU8a(true);
  if (bytes[0] === 0x30 && bytes[1] === 0x78) bytes = bytes.subarray(2);
  return Buffer.from(bytes).toString("hex");
}

/** How many blocks of the reveal epoch sn11 reads events from (in one round of parallel calls). */
export const REVEAL_SCAN_BLOCKS = 32;

export async function readRevealFacts(
  api: ApiPromise,
  rpc: RawRpc,
  query: {
    netuid: number;
    hotkey: string;
    uid: number;
    commitEpoch: number;
    commitBlock: number;
    ciphertextHex: string;
    revealRound: number;
    firstRevealBlock: number;
    block: BlockRef;
  },
): Promise<RevealFacts> {
  const { block, netuid } = query;
  const commits = entry(api, "subtensorModule", "timelockedWeightCommits");
  const pulses = entry(api, "drand", "pulses");
  const weights = entry(api, "subtensorModule", "weights");
  const [pendingRaw, pulseRaw, weightsRaw] = await storageValuesAt(
    rpc,
    [commits.key(netuid, query.commitEpoch), pulses.key(query.revealRound), weights.key(netuid, query.uid)],
    block.hash,
  );
  const own = hexAccount(query.hotkey);
  const pending = commitsOf(decodeValue(api, commits, pendingRaw ?? null)).some(
    ([who, at, bytes]) =>
      u8aToHex(who.toU8a()) === own &&
      at.toNumber() === query.commitBlock &&
      u8aToHex(bytes.toU8a(true)) === query.ciphertextHex,
  );
  const signature = pulseRaw ? pulseSignature(decodeValue(api, pulses, pulseRaw)) : null;
  const row = (decodeValue(api, weights, weightsRaw ?? null) as unknown as [Num, Num][]).map(
    ([uid, value]) => [uid.toNumber(), value.toNumber()] as const,
  );

  let revealedInBlock: number | null = null;
  if (!pending && block.number >= query.firstRevealBlock) {
    const last = Math.min(block.number, query.firstRevealBlock + REVEAL_SCAN_BLOCKS - 1);
    const numbers = Array.from(
      { length: last - query.firstRevealBlock + 1 },
      (_, i) => query.firstRevealBlock + i,
    );
    const eventsKey = entry(api, "system", "events").key();
    const found = await Promise.all(
      numbers.map(async (n) => {
        const hash = (await rpc("chain_getBlockHash", [n])) as string | null;
        if (!hash) return false;
        const raw = (await rpc("state_getStorage", [eventsKey, hash])) as string | null;
        if (!raw) return false;
        const records = api.registry.createType("Vec<FrameSystemEventRecord>", raw) as unknown as {
          event: { section: string; method: string; data: Codec[] };
        }[];
        return records.some(
          ({ event }) =>
            event.section === "subtensorModule" &&
            event.method === "TimelockedWeightsRevealed" &&
            Number(event.data[0]?.toString()) === netuid &&
            u8aToHex(event.data[1]?.toU8a()) === own,
        );
      }),
    );
    const index = found.indexOf(true);
    revealedInBlock = index >= 0 ? (numbers[index] as number) : null;
  }
  return { block, pending, pulseSignature: signature, weights: row, revealedInBlock };
}
