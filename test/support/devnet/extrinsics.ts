import type { GenericExtrinsic } from "@polkadot/types";
import { compactToU8a, hexToU8a, u8aConcat, u8aToHex } from "@polkadot/util";
import { blake2AsU8a, decodeAddress, signatureVerify } from "@polkadot/util-crypto";
import { decodeTlockPayload, MAX_COMMIT_BYTES, type TlockPayload } from "../../../src/chain/commit-reveal.js";
import { weightsCommitHash } from "../../../src/chain/hash-commit.js";
import { TimelockError, tlockDecrypt } from "../../../src/chain/timelock.js";
import { maxUpscaleU16 } from "../../../src/scoring/fixed-point.js";
import { type ChainSpec, palletIndex } from "./metadata.js";
import {
  type ChainState,
  commitmentKey,
  epochIndex,
  epochStart,
  type HashCommit,
  type Subnet,
  type TimelockedCommit,
} from "./state.js";

/** A pool-level rejection: the node answers the RPC with an error and the extrinsic never enters a block. */
export class PoolError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: string,
  ) {
    super(message);
  }
}

export interface EventSpec {
  section: string;
  method: string;
  values: unknown[];
}

export interface Applied {
  events: EventSpec[];
}

/** A dispatch failure: the extrinsic is included, the nonce is spent, the module error is in the events. */
class DispatchFailure extends Error {
  constructor(
    readonly section: string,
    readonly error: string,
  ) {
    super(`${section}.${error}`);
  }
}

export interface ValidationContext {
  readonly blockNumber: number;
  readonly genesisHash: string;
  readonly blockHashAt: (n: number) => string | undefined;
}

/** Checks the signature exactly as a node does: rebuild the signing payload from the extrinsic and the chain. */
export function validateExtrinsic(
  spec: ChainSpec,
  state: ChainState,
  xt: GenericExtrinsic,
  ctx: ValidationContext,
): void {
  if (!xt.isSigned) throw new PoolError(1010, "Invalid Transaction", "Transaction call is not expected");
  const era = xt.era;
  let blockHash = ctx.genesisHash;
  if (era.isMortalEra) {
    const birth = era.asMortalEra.birth(ctx.blockNumber);
    const death = era.asMortalEra.death(ctx.blockNumber);
    if (ctx.blockNumber >= death) throw new PoolError(1010, "Invalid Transaction", "Transaction is outdated");
    const hash = ctx.blockHashAt(birth);
    if (!hash) throw new PoolError(1010, "Invalid Transaction", "Transaction has an ancient birth block");
    blockHash = hash;
  }
  const version = spec.runtimeVersion as { specVersion: number; transactionVersion: number };
  const signature = xt.inner.signature as unknown as { mode?: { toNumber(): number } };
  const payload = spec.registry.createType(
    "ExtrinsicPayload",
    {
      method: xt.method.toHex(),
      era: xt.era,
      nonce: xt.nonce,
      tip: xt.tip,
      mode: signature.mode?.toNumber() ?? 0,
      specVersion: version.specVersion,
      transactionVersion: version.transactionVersion,
      genesisHash: ctx.genesisHash,
      blockHash,
      metadataHash: null,
    },
    { version: 4 },
  );
  let message = payload.toU8a({ method: true });
  if (message.length > 256) message = blake2AsU8a(message, 256);
  const verified = signatureVerify(message, xt.signature.toU8a(), xt.signer.toString());
  if (!verified.isValid) throw new PoolError(1010, "Invalid Transaction", "Transaction has a bad signature");
  const signer = signerOf(xt);
  const expected = state.nonces.get(signer) ?? 0;
  const nonce = xt.nonce.toNumber();
  if (nonce < expected) throw new PoolError(1010, "Invalid Transaction", "Transaction is outdated");
  if (nonce > expected)
    throw new PoolError(1010, "Invalid Transaction", "Transaction will be valid in the future");
  // The SubtensorTransactionExtension's CheckWeights (guards/check_weights.rs): a round the chain
  // already passed can never be revealed on time.
  if (`${xt.method.section}.${xt.method.method}` === "subtensorModule.commitTimelockedWeights") {
    const round = Number(xt.method.args[2]?.toString());
    if (round < state.drand.lastStoredRound)
      throw new PoolError(1010, "Invalid Transaction", "Custom error: 15");
    if ((xt.method.args[1]?.toU8a(true).length ?? 0) > MAX_COMMIT_BYTES)
      throw new PoolError(1002, "Verification Error: Runtime error: Could not decode `RuntimeCall`");
  }
  // The same extension looks a hash reveal up before it enters a block: a commit, in its reveal epoch.
  if (`${xt.method.section}.${xt.method.method}` === "subtensorModule.revealWeights") {
    const reveal = revealArgs(xt.method.args);
    const subnet = state.subnets.get(reveal.netuid);
    const commits = state.hashCommits.get(`${reveal.netuid}:${signer}`) ?? [];
    const found = commits.find((c) => c.hash === revealHash(signer, reveal));
    if (!subnet || !found) throw new PoolError(1010, "Invalid Transaction", "Custom error: 16");
    if (!inRevealEpoch(subnet, found.commitBlock, ctx.blockNumber + 1))
      throw new PoolError(1010, "Invalid Transaction", "Custom error: 17");
  }
}

function revealArgs(args: readonly { toJSON(): unknown; toString(): string }[]) {
  return {
    netuid: args[0]?.toJSON() as number,
    uids: args[1]?.toJSON() as number[],
    values: args[2]?.toJSON() as number[],
    salt: args[3]?.toJSON() as number[],
    versionKey: Number(args[4]?.toString()),
  };
}

function revealHash(who: string, r: ReturnType<typeof revealArgs>): string {
  return weightsCommitHash({ hotkey: hexToU8a(who), ...r });
}

/** `is_reveal_block_range`: only in the epoch `commit_epoch + RevealPeriodEpochs`. */
function inRevealEpoch(subnet: Subnet, commitBlock: number, block: number): boolean {
  const n = subnet.netuid;
  return (
    epochIndex(subnet, block, n) === epochIndex(subnet, commitBlock, n) + subnet.hyper.revealPeriodEpochs
  );
}

/** `is_commit_expired`: its reveal epoch has passed. */
function expired(subnet: Subnet, commitBlock: number, block: number): boolean {
  const n = subnet.netuid;
  return epochIndex(subnet, block, n) > epochIndex(subnet, commitBlock, n) + subnet.hyper.revealPeriodEpochs;
}

/** Applies a validated extrinsic: spends the nonce, runs the pallet's rules, returns its events. */
export function applyExtrinsic(
  spec: ChainSpec,
  state: ChainState,
  xt: GenericExtrinsic,
  blockNumber: number,
): Applied {
  const signer = signerOf(xt);
  state.nonces.set(signer, (state.nonces.get(signer) ?? 0) + 1);
  const call = `${xt.method.section}.${xt.method.method}`;
  const args = xt.method.args;
  const events: EventSpec[] = [];
  try {
    switch (call) {
      case "commitments.setCommitment":
        events.push(
          setCommitment(spec, state, signer, args[0]?.toJSON() as number, args[1] as never, blockNumber),
        );
        break;
      case "subtensorModule.setWeights":
        events.push(
          setWeights(state, signer, {
            netuid: args[0]?.toJSON() as number,
            uids: args[1]?.toJSON() as number[],
            values: args[2]?.toJSON() as number[],
            versionKey: Number(args[3]?.toString()),
            blockNumber,
          }),
        );
        break;
      case "subtensorModule.commitWeights":
        events.push(
          commitWeights(state, signer, args[0]?.toJSON() as number, args[1]?.toHex() as string, blockNumber),
        );
        break;
      case "subtensorModule.revealWeights":
        events.push(...revealWeights(state, signer, revealArgs(args), blockNumber));
        break;
      case "subtensorModule.commitTimelockedWeights":
        events.push(
          commitTimelockedWeights(state, signer, {
            netuid: args[0]?.toJSON() as number,
            commit: u8aToHex(args[1]?.toU8a(true)),
            revealRound: Number(args[2]?.toString()),
            version: Number(args[3]?.toString()),
            blockNumber,
          }),
        );
        break;
      default:
        throw new DispatchFailure("system", "CallFiltered");
    }
    events.push({ section: "system", method: "ExtrinsicSuccess", values: [dispatchInfo()] });
  } catch (error) {
    if (!(error instanceof DispatchFailure)) throw error;
    events.push({
      section: "system",
      method: "ExtrinsicFailed",
      values: [moduleError(spec, error), dispatchInfo()],
    });
  }
  return { events };
}

function dispatchInfo() {
  return { weight: { refTime: 1, proofSize: 0 }, class: "Normal", paysFee: "No" };
}

function moduleError(spec: ChainSpec, failure: DispatchFailure) {
  const pallet =
    failure.section === "system"
      ? "System"
      : failure.section === "commitments"
        ? "Commitments"
        : "SubtensorModule";
  const errors = spec.decorated.errors as unknown as Record<
    string,
    Record<string, { meta: { index: { toNumber(): number } } }>
  >;
  const index = errors[failure.section]?.[failure.error]?.meta.index.toNumber() ?? 0;
  return { Module: { index: palletIndex(spec, pallet), error: u8aToHex(u8aConcat([index], [0, 0, 0])) } };
}

function uidOf(subnet: Subnet | undefined, hotkey: string): number {
  return subnet ? subnet.neurons.findIndex((n) => n.hotkey === hotkey) : -1;
}

function setCommitment(
  spec: ChainSpec,
  state: ChainState,
  signer: string,
  netuid: number,
  info: { fields: { type: string; value: { toU8a(bare?: boolean): Uint8Array } }[]; toHex(): string },
  blockNumber: number,
): EventSpec {
  const subnet = state.subnets.get(netuid);
  if (uidOf(subnet, signer) < 0) throw new DispatchFailure("commitments", "AccountNotAllowedCommit");
  if (info.fields.length > 3) throw new DispatchFailure("commitments", "TooManyFieldsInCommitmentInfo");
  const length = info.fields.reduce((sum, field) => {
    if (field.type.startsWith("Raw")) return sum + Number(field.type.slice(3));
    if (field.type === "BigRaw") return sum + field.value.toU8a(true).length;
    if (["BlakeTwo256", "Sha256", "Keccak256", "ShaThree256"].includes(field.type)) return sum + 32;
    return sum;
  }, 0);
  const required = Math.max(100, length);
  const key = commitmentKey(netuid, signer);
  const epoch = epochIndex(subnet, blockNumber, netuid);
  const usage = state.usedSpace.get(key);
  const used = usage && usage.lastEpoch === epoch ? usage.used : 0;
  if (used + required > state.maxSpace) throw new DispatchFailure("commitments", "SpaceLimitExceeded");
  state.usedSpace.set(key, { lastEpoch: epoch, used: used + required });
  state.commitments.set(key, { block: blockNumber, info: info.toHex() });
  void spec;
  return { section: "commitments", method: "Commitment", values: [netuid, signer] };
}

function setWeights(
  state: ChainState,
  signer: string,
  call: { netuid: number; uids: number[]; values: number[]; versionKey: number; blockNumber: number },
): EventSpec {
  const subnet = state.subnets.get(call.netuid);
  if (!subnet) throw new DispatchFailure("subtensorModule", "MechanismDoesNotExist");
  if (subnet.hyper.commitRevealEnabled) throw new DispatchFailure("subtensorModule", "CommitRevealEnabled");
  return doSetWeights(subnet, signer, call, "extrinsic");
}

/**
 * `do_set_weights` (weights.rs): the checks of CHAIN-FACTS §2.2 in order. At a reveal (`revealed`) the chain
 * skips the rate limit and leaves `LastUpdate` alone: the commit already counted.
 */
function doSetWeights(
  subnet: Subnet,
  signer: string,
  call: { netuid: number; uids: number[]; values: number[]; versionKey: number; blockNumber: number },
  via: "extrinsic" | "reveal",
): EventSpec {
  const h = subnet.hyper;
  if (call.uids.length !== call.values.length)
    throw new DispatchFailure("subtensorModule", "WeightVecNotEqualSize");
  const n = subnet.neurons.length;
  if (call.uids.length > n) throw new DispatchFailure("subtensorModule", "UidsLengthExceedUidsInSubNet");
  const uid = uidOf(subnet, signer);
  if (uid < 0) throw new DispatchFailure("subtensorModule", "HotKeyNotRegisteredInSubNet");
  if (h.weightsVersionKey !== 0 && call.versionKey < h.weightsVersionKey) {
    throw new DispatchFailure("subtensorModule", "IncorrectWeightVersionKey");
  }
  const neuron = subnet.neurons[uid] as Subnet["neurons"][number];
  if (
    via === "extrinsic" &&
    neuron.lastUpdate !== 0 &&
    call.blockNumber - neuron.lastUpdate < h.weightsRateLimit
  ) {
    throw new DispatchFailure("subtensorModule", "SettingWeightsTooFast");
  }
  const selfWeight = call.uids.length === 1 && call.uids[0] === uid;
  if (!selfWeight && !neuron.validatorPermit && subnet.ownerHotkey !== signer) {
    throw new DispatchFailure("subtensorModule", "NeuronNoValidatorPermit");
  }
  if (new Set(call.uids).size !== call.uids.length)
    throw new DispatchFailure("subtensorModule", "DuplicateUids");
  if (call.uids.some((u) => u >= n)) throw new DispatchFailure("subtensorModule", "UidVecContainInvalidOne");
  if (!selfWeight && call.uids.length < Math.min(h.minAllowedWeights, n)) {
    throw new DispatchFailure("subtensorModule", "WeightVecLengthIsLow");
  }
  // vec_u16_max_upscale_to_u16 in I32F32: it rounds differently from floats on a few values.
  const upscaled = maxUpscaleU16(call.values);
  subnet.weights.set(
    uid,
    call.uids.map((u, i) => [u, upscaled[i] as number]),
  );
  if (via === "extrinsic") neuron.lastUpdate = call.blockNumber;
  return { section: "subtensorModule", method: "WeightsSet", values: [call.netuid, uid] };
}

/** `do_commit_timelocked_weights` (weights.rs:297-417): the dispatch checks in the chain's order. */
function commitTimelockedWeights(
  state: ChainState,
  signer: string,
  call: { netuid: number; commit: string; revealRound: number; version: number; blockNumber: number },
): EventSpec {
  const subnet = state.subnets.get(call.netuid);
  if (!subnet) throw new DispatchFailure("subtensorModule", "MechanismDoesNotExist");
  const h = subnet.hyper;
  if (!h.commitRevealEnabled) throw new DispatchFailure("subtensorModule", "CommitRevealDisabled");
  if (call.version !== state.commitRevealVersion)
    throw new DispatchFailure("subtensorModule", "IncorrectCommitRevealVersion");
  const uid = uidOf(subnet, signer);
  if (uid < 0) throw new DispatchFailure("subtensorModule", "HotKeyNotRegisteredInSubNet");
  const neuron = subnet.neurons[uid] as Subnet["neurons"][number];
  if (neuron.lastUpdate !== 0 && call.blockNumber - neuron.lastUpdate < h.weightsRateLimit) {
    throw new DispatchFailure("subtensorModule", "CommittingWeightsTooFast");
  }
  const epoch = epochIndex(subnet, call.blockNumber, call.netuid);
  const key = `${call.netuid}:${epoch}`;
  const queue = state.timelockedCommits.get(key) ?? [];
  if (queue.filter((c) => c.who === signer).length >= 10)
    throw new DispatchFailure("subtensorModule", "TooManyUnrevealedCommits");
  queue.push({
    who: signer,
    commitBlock: call.blockNumber,
    commit: call.commit,
    revealRound: call.revealRound,
  });
  state.timelockedCommits.set(key, queue);
  neuron.lastUpdate = call.blockNumber;
  return {
    section: "subtensorModule",
    method: "TimelockedWeightsCommitted",
    values: [signer, call.netuid, blake2AsU8a(hexToU8a(call.commit), 256), call.revealRound],
  };
}

/** `do_commit_weights` (weights.rs:61-140): a hash to be revealed in the epoch `RevealPeriodEpochs` later. */
function commitWeights(
  state: ChainState,
  signer: string,
  netuid: number,
  hash: string,
  blockNumber: number,
): EventSpec {
  const subnet = state.subnets.get(netuid);
  if (!subnet?.hyper.commitRevealEnabled)
    throw new DispatchFailure("subtensorModule", "CommitRevealDisabled");
  const uid = uidOf(subnet, signer);
  if (uid < 0) throw new DispatchFailure("subtensorModule", "HotKeyNotRegisteredInSubNet");
  const neuron = subnet.neurons[uid] as Subnet["neurons"][number];
  if (neuron.lastUpdate !== 0 && blockNumber - neuron.lastUpdate < subnet.hyper.weightsRateLimit) {
    throw new DispatchFailure("subtensorModule", "CommittingWeightsTooFast");
  }
  const key = `${netuid}:${signer}`;
  const commits = (state.hashCommits.get(key) ?? []).filter(
    (c) => !expired(subnet, c.commitBlock, blockNumber),
  );
  if (commits.length >= 10) throw new DispatchFailure("subtensorModule", "TooManyUnrevealedCommits");
  const epoch = epochIndex(subnet, blockNumber, netuid) + subnet.hyper.revealPeriodEpochs;
  commits.push({
    hash,
    commitBlock: blockNumber,
    firstRevealBlock: epochStart(subnet, epoch, netuid),
    lastRevealBlock: epochStart(subnet, epoch + 1, netuid) - 1,
  });
  state.hashCommits.set(key, commits);
  neuron.lastUpdate = blockNumber;
  return { section: "subtensorModule", method: "WeightsCommitted", values: [signer, netuid, hash] };
}

/** `do_reveal_weights` (weights.rs:451-560): the hash must match a live commit, in its reveal epoch. */
function revealWeights(
  state: ChainState,
  signer: string,
  reveal: ReturnType<typeof revealArgs>,
  blockNumber: number,
): EventSpec[] {
  const subnet = state.subnets.get(reveal.netuid);
  if (!subnet?.hyper.commitRevealEnabled)
    throw new DispatchFailure("subtensorModule", "CommitRevealDisabled");
  const key = `${reveal.netuid}:${signer}`;
  const all = state.hashCommits.get(key);
  if (!all) throw new DispatchFailure("subtensorModule", "NoWeightsCommitFound");
  const hash = revealHash(signer, reveal);
  const expiredHashes = all.filter((c) => expired(subnet, c.commitBlock, blockNumber)).map((c) => c.hash);
  const commits = all.filter((c) => !expired(subnet, c.commitBlock, blockNumber));
  const position = commits.findIndex((c) => c.hash === hash);
  if (position < 0) {
    throw new DispatchFailure(
      "subtensorModule",
      expiredHashes.includes(hash)
        ? "ExpiredWeightCommit"
        : commits.length === 0
          ? "NoWeightsCommitFound"
          : "InvalidRevealCommitHashNotMatch",
    );
  }
  if (!inRevealEpoch(subnet, (commits[position] as HashCommit).commitBlock, blockNumber))
    throw new DispatchFailure("subtensorModule", "RevealTooEarly");
  const rest = commits.slice(position + 1);
  if (rest.length > 0) state.hashCommits.set(key, rest);
  else state.hashCommits.delete(key);
  const applied = doSetWeights(subnet, signer, { ...reveal, blockNumber }, "reveal");
  return [
    applied,
    { section: "subtensorModule", method: "WeightsRevealed", values: [signer, reveal.netuid, hash] },
  ];
}

/**
 * `reveal_crv3_commits_for_subnet` (coinbase/reveal_commits.rs), run at the start of every block: commits of
 * epoch `current − RevealPeriodEpochs` are decrypted with the pulse of their round; a missing pulse keeps
 * the commit for the next block, older epochs are dropped. Every failure is silent, as on chain.
 */
export function revealTimelockedCommits(state: ChainState, blockNumber: number): EventSpec[] {
  const events: EventSpec[] = [];
  for (const subnet of state.subnets.values()) {
    const netuid = subnet.netuid;
    const revealEpoch = epochIndex(subnet, blockNumber, netuid) - subnet.hyper.revealPeriodEpochs;
    for (const key of [...state.timelockedCommits.keys()]) {
      const [n, epoch] = key.split(":").map(Number) as [number, number];
      if (n === netuid && epoch < revealEpoch) state.timelockedCommits.delete(key);
    }
    if (revealEpoch < 0) continue;
    const key = `${netuid}:${revealEpoch}`;
    const queue = state.timelockedCommits.get(key);
    if (!queue) continue;
    const kept: TimelockedCommit[] = [];
    for (const commit of queue) {
      const signature = state.drand.pulses.get(commit.revealRound);
      if (!signature) {
        kept.push(commit);
        continue;
      }
      const payload = openCommit(commit.commit, signature, commit.who);
      if (!payload || u8aToHex(payload.hotkey) !== commit.who) continue;
      try {
        const applied = doSetWeights(
          subnet,
          commit.who,
          {
            netuid,
            uids: [...payload.uids],
            values: [...payload.values],
            versionKey: Number(payload.versionKey),
            blockNumber,
          },
          "reveal",
        );
        events.push(applied, {
          section: "subtensorModule",
          method: "TimelockedWeightsRevealed",
          values: [netuid, commit.who],
        });
      } catch (error) {
        if (!(error instanceof DispatchFailure)) throw error;
      }
    }
    if (kept.length > 0) state.timelockedCommits.set(key, kept);
    else state.timelockedCommits.delete(key);
  }
  return events;
}

/**
 * Decrypts and decodes a commit as reveal_commits.rs does: `WeightsTlockPayload` (with the hotkey) first,
 * else the legacy payload without it, which reveals for whoever committed it.
 */
function openCommit(commitHex: string, signatureHex: string, committer: string): TlockPayload | null {
  let plain: Uint8Array;
  try {
    plain = tlockDecrypt(hexToU8a(commitHex), signatureHex);
  } catch (error) {
    if (error instanceof TimelockError) return null;
    throw error;
  }
  const payload = decodeTlockPayload(plain);
  if (payload) return payload;
  const legacy = decodeTlockPayload(u8aConcat(compactToU8a(32), hexToU8a(committer), plain));
  return legacy;
}

/** The signer's 32-byte public key as hex (the MultiAddress encoding has an extra variant byte). */
function signerOf(xt: GenericExtrinsic): string {
  return u8aToHex(decodeAddress(xt.signer.toString()));
}
