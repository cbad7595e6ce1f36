import type { ApiPromise } from "@polkadot/api";
import type { Codec } from "@polkadot/types/types";
import { ChainError } from "../errors.js";
import { decodeRegistration, registrationType } from "./decode.js";
import type { RawRpc } from "./storage.js";
import { decodeValue, type EntryLike, keyArgs, storageValuesAt } from "./storage.js";
import type {
  BlockRef,
  ChainCommitment,
  Metagraph,
  Neuron,
  NeuronRewards,
  WeightHyperparameters,
} from "./types.js";

/**
 * SelectiveMetagraph field indexes sn11 asks for: owner hotkey, block, tempo, kappa, weight
 * hyperparameters, activity cutoff, num_uids, immunity period, commit-reveal, hotkeys, coldkeys, active,
 * permits, last update, the epoch's emission, dividends, incentives and consensus, block at registration,
 * stakes, validators and commitments.
 * (Rank and trust, 64–65, are empty since subtensor a1258cd61.)
 */
export const METAGRAPH_FIELDS = [
  5, 7, 8, 23, 24, 25, 26, 27, 28, 30, 36, 46, 47, 52, 53, 56, 57, 59, 60, 61, 62, 63, 66, 67, 68, 69, 72, 73,
];

const SELECTIVE_METAGRAPH = "Option<PalletSubtensorRpcInfoMetagraphSelectiveMetagraph>";
const MISSING_API = /not found|does not exist|unknown|Exported method/i;

type Field = { isSome: boolean; unwrap(): Codec & Record<string, unknown> };
type Num = { toNumber(): number; toBigInt(): bigint };
type List<T> = T[] & { map: T[]["map"] };

/** Per-uid epoch outputs, or none for a uid the vectors do not cover (an older runtime, a storage gap). */
export function rewardsOf(
  uid: number,
  v: { incentive: number[]; consensus: number[]; dividends: number[]; emission: bigint[] },
): NeuronRewards | undefined {
  const [incentive, consensus, dividends, emissionRao] = [
    v.incentive[uid],
    v.consensus[uid],
    v.dividends[uid],
    v.emission[uid],
  ];
  if (incentive === undefined || consensus === undefined || dividends === undefined) return undefined;
  if (emissionRao === undefined) return undefined;
  return {
    incentive: incentive / 65535,
    consensus: consensus / 65535,
    dividends: dividends / 65535,
    emissionRao,
  };
}

const NO_ACCOUNT = `0x${"00".repeat(32)}`;

/** The all-zero account is how the chain says "no owner". */
function ownerOf(account: Codec): string | null {
  return account.toHex() === NO_ACCOUNT ? null : account.toString();
}

function optionalField<T>(struct: Record<string, unknown>, name: string): T | undefined {
  const value = struct[name] as Field | undefined;
  return value?.isSome ? (value.unwrap() as unknown as T) : undefined;
}

function field<T>(struct: Record<string, unknown>, name: string): T {
  const value = struct[name] as Field | undefined;
  if (!value?.isSome) throw new ChainError(`the selective metagraph is missing field ${name}`);
  return value.unwrap() as unknown as T;
}

/** One `state_call` at the pinned block: everything a step needs, a few tens of KB for 256 uids. */
export async function readMetagraphFromRuntimeApi(
  api: ApiPromise,
  rpc: RawRpc,
  netuid: number,
  block: BlockRef,
): Promise<Metagraph | "unavailable"> {
  const args = api.registry.createType("(u16, Vec<u16>)", [netuid, METAGRAPH_FIELDS]).toHex();
  let raw: Uint8Array;
  try {
    // Straight to the provider: rpc-core memoizes identical calls, so a retry after a drop would replay the failure.
    const hex = (await rpc("state_call", [
      "SubnetInfoRuntimeApi_get_selective_metagraph",
      args,
      block.hash,
    ])) as string;
    raw = Uint8Array.from(Buffer.from(hex.slice(2), "hex"));
  } catch (error) {
    if (MISSING_API.test((error as Error).message)) return "unavailable";
    throw error;
  }
  return decodeSelectiveMetagraph(api, raw, netuid, block);
}

export function decodeSelectiveMetagraph(
  api: ApiPromise | { registry: ApiPromise["registry"] },
  raw: Uint8Array,
  netuid: number,
  block: BlockRef,
): Metagraph {
  const registry = api.registry;
  const option = registry.createType(SELECTIVE_METAGRAPH, raw) as unknown as Field;
  if (!option.isSome) throw new ChainError(`netuid ${netuid} does not exist at block ${block.number}`);
  const m = option.unwrap();
  const hotkeys = field<List<Codec>>(m, "hotkeys").map((a) => a.toString());
  const coldkeys = field<List<Codec>>(m, "coldkeys").map((a) => a.toString());
  const active = field<List<Codec & { isTrue: boolean }>>(m, "active").map((b) => b.isTrue);
  const permits = field<List<Codec & { isTrue: boolean }>>(m, "validatorPermit").map((b) => b.isTrue);
  const lastUpdate = field<List<Num>>(m, "lastUpdate").map((x) => x.toNumber());
  const registeredAt = field<List<Num>>(m, "blockAtRegistration").map((x) => x.toNumber());
  const stake = field<List<Num>>(m, "totalStake").map((x) => x.toBigInt());
  const u16s = (name: string) => optionalField<List<Num>>(m, name)?.map((x) => x.toNumber()) ?? [];
  const epoch = {
    incentive: u16s("incentives"),
    consensus: u16s("consensus"),
    dividends: u16s("dividends"),
    emission: optionalField<List<Num>>(m, "emission")?.map((x) => x.toBigInt()) ?? [],
  };
  const reportedBlock = field<Num>(m, "block").toNumber();
  if (reportedBlock !== block.number) {
    throw new ChainError(
      `the metagraph describes block ${reportedBlock}, not the pinned block ${block.number}`,
    );
  }
  const neurons: Neuron[] = hotkeys.map((hotkey, uid) => ({
    uid,
    hotkey,
    coldkey: coldkeys[uid] ?? "",
    active: active[uid] ?? false,
    validatorPermit: permits[uid] ?? false,
    lastUpdate: lastUpdate[uid] ?? 0,
    stakeRao: stake[uid] ?? 0n,
    blockAtRegistration: registeredAt[uid] ?? null,
    rewards: rewardsOf(uid, epoch),
  }));
  const hyperparameters: WeightHyperparameters = {
    tempo: field<Num>(m, "tempo").toNumber(),
    weightsRateLimit: field<Num>(m, "weightsRateLimit").toNumber(),
    minAllowedWeights: field<Num>(m, "minAllowedWeights").toNumber(),
    maxWeightsLimit: field<Num>(m, "maxWeightsLimit").toNumber(),
    weightsVersion: field<Num>(m, "weightsVersion").toNumber(),
    commitRevealEnabled: field<Codec & { isTrue: boolean }>(m, "commitRevealWeightsEnabled").isTrue,
    commitRevealPeriod: field<Num>(m, "commitRevealPeriod").toNumber(),
    immunityPeriod: field<Num>(m, "immunityPeriod").toNumber(),
    // Only consensus needs these: a runtime that leaves them out costs that, not the metagraph.
    kappa: optionalField<Num>(m, "kappa")?.toNumber() ?? null,
    activityCutoff: optionalField<Num>(m, "activityCutoff")?.toNumber() ?? null,
  };
  const regType = registrationType(registry);
  const commitments: ChainCommitment[] = field<List<[Codec, List<Num>]>>(m, "commitments").map(
    ([account, bytes]) => {
      const hotkey = account.toString();
      try {
        const registration = registry.createType(regType, Uint8Array.from(bytes.map((b) => b.toNumber())));
        return decodeRegistration(hotkey, registration);
      } catch (error) {
        return { hotkey, block: 0, data: null, shape: "undecodable", problem: (error as Error).message };
      }
    },
  );
  const owner = optionalField<Codec>(m, "ownerHotkey");
  const ownerHotkey = owner ? ownerOf(owner) : null;
  return { netuid, block, neurons, hyperparameters, commitments, ownerHotkey, source: "runtime-api" };
}

/** For runtimes without the selective metagraph: the same facts from storage, all at the pinned block. */
export async function readMetagraphFromStorage(
  api: ApiPromise,
  rpc: RawRpc,
  netuid: number,
  block: BlockRef,
): Promise<Metagraph> {
  const sm = api.query.subtensorModule as unknown as Record<string, EntryLike>;
  const entry = (name: string) => sm[name] as EntryLike;
  const at = block.hash;
  const keysAt = async (prefix: string): Promise<string[]> => {
    const keys: string[] = [];
    let start: string | null = null;
    for (;;) {
      const page = (await rpc("state_getKeysPaged", [prefix, 1000, start, at])) as string[];
      keys.push(...page);
      if (page.length < 1000) return keys;
      start = page[page.length - 1] as string;
    }
  };
  const valuesAt = (keys: string[]) => storageValuesAt(rpc, keys, at);

  const uidKeys = await keysAt(entry("keys").keyPrefix(netuid));
  const PLAIN = [
    "tempo",
    "weightsSetRateLimit",
    "minAllowedWeights",
    "maxWeightsLimit",
    "weightsVersionKey",
    "commitRevealWeightsEnabled",
    "revealPeriodEpochs",
    "immunityPeriod",
    "kappa",
    "activityCutoff",
    "subnetOwnerHotkey",
    "active",
    "validatorPermit",
    "lastUpdate",
    "incentive",
    "consensus",
    "dividends",
    "emission",
  ];
  const uids = uidKeys.map((k) => (keyArgs(api, entry("keys"), k)[1] as unknown as Num).toNumber());
  const firstRound = await valuesAt([...uidKeys, ...PLAIN.map((name) => entry(name).key(netuid))]);
  const byUid = uids
    .map((uid, i) => ({ uid, hotkey: decodeValue(api, entry("keys"), firstRound[i] ?? null).toString() }))
    .sort((a, b) => a.uid - b.uid);
  const hotkeys = byUid.map((x) => x.hotkey);
  const plain = Object.fromEntries(
    PLAIN.map((name, i) => [name, decodeValue(api, entry(name), firstRound[uidKeys.length + i] ?? null)]),
  ) as Record<string, Codec & Num & { isTrue: boolean } & List<Codec & Num & { isTrue: boolean }>>;
  const perHotkey = await valuesAt(
    hotkeys.flatMap((hk, uid) => [
      entry("owner").key(hk),
      entry("totalHotkeyAlpha").key(hk, netuid),
      entry("blockAtRegistration").key(netuid, uid),
    ]),
  );
  const vector = (name: string) => (plain[name] ?? []) as unknown as List<Num>;
  const epoch = {
    incentive: vector("incentive").map((x) => x.toNumber()),
    consensus: vector("consensus").map((x) => x.toNumber()),
    dividends: vector("dividends").map((x) => x.toNumber()),
    emission: vector("emission").map((x) => x.toBigInt()),
  };
  const neurons: Neuron[] = hotkeys.map((hotkey, uid) => ({
    uid,
    hotkey,
    coldkey: decodeValue(api, entry("owner"), perHotkey[uid * 3] ?? null).toString(),
    active: plain.active?.[uid]?.isTrue ?? false,
    validatorPermit: plain.validatorPermit?.[uid]?.isTrue ?? false,
    lastUpdate: plain.lastUpdate?.[uid]?.toNumber() ?? 0,
    stakeRao: (
      decodeValue(api, entry("totalHotkeyAlpha"), perHotkey[uid * 3 + 1] ?? null) as unknown as Num
    ).toBigInt(),
    blockAtRegistration: (
      decodeValue(api, entry("blockAtRegistration"), perHotkey[uid * 3 + 2] ?? null) as unknown as Num
    ).toNumber(),
    rewards: rewardsOf(uid, epoch),
  }));
  const commitmentOf = (api.query.commitments as unknown as Record<string, EntryLike>)
    .commitmentOf as EntryLike;
  const commitmentKeys = await keysAt(commitmentOf.keyPrefix(netuid));
  const commitmentValues = await valuesAt(commitmentKeys);
  const regType = registrationType(api.registry);
  const commitments = commitmentKeys.map((key, i) => {
    const hotkey = keyArgs(api, commitmentOf, key)[1]?.toString() ?? "";
    return decodeRegistration(
      hotkey,
      api.registry.createType(regType, commitmentValues[i] ?? new Uint8Array()),
    );
  });
  const num = (name: string) => (plain[name] as unknown as Num).toNumber();
  return {
    netuid,
    block,
    neurons,
    hyperparameters: {
      tempo: num("tempo"),
      weightsRateLimit: num("weightsSetRateLimit"),
      minAllowedWeights: num("minAllowedWeights"),
      maxWeightsLimit: num("maxWeightsLimit"),
      weightsVersion: num("weightsVersionKey"),
      commitRevealEnabled: (plain.commitRevealWeightsEnabled as unknown as { isTrue: boolean }).isTrue,
      commitRevealPeriod: num("revealPeriodEpochs"),
      immunityPeriod: num("immunityPeriod"),
      kappa: num("kappa"),
      activityCutoff: num("activityCutoff"),
    },
    commitments,
    ownerHotkey: ownerOf(plain.subnetOwnerHotkey as Codec),
    source: "storage",
  };
}
