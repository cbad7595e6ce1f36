import { u8aToHex } from "@polkadot/util";
import { decodeAddress } from "@polkadot/util-crypto";
import { ChainError } from "../errors.js";
import type { EmittedWeights } from "../scoring/weights.js";
import type { ChainClient } from "./client.js";
import {
  commitGuard,
  EPOCH_GUARD_BLOCKS,
  encodeTlockPayload,
  legacyEpoch,
  MAX_COMMIT_BYTES,
  MAX_UNREVEALED_COMMITS,
  planIndexedReveal,
  planLegacyReveal,
  type RevealPlan,
  SUPPORTED_COMMIT_REVEAL_VERSION,
} from "./commit-reveal.js";
import type { CommitRevealState } from "./commit-reveal-reads.js";
import { buildHashedCommit, type CommittedWeights, type HashedCommit } from "./hash-commit.js";
import { preflightSetWeights, refusal, type WeightsPreflight } from "./preflight.js";
import { tlockEncrypt } from "./timelock.js";
import type { Metagraph } from "./types.js";

/** One drand-timelocked weights commit, as sent and as recorded. */
export interface TimelockedCommit extends CommittedWeights {
  readonly mode: "timelock";
  readonly payloadHex: string;
  readonly ciphertext: Uint8Array;
  readonly ciphertextHex: string;
  readonly revealRound: number;
  readonly commitRevealVersion: number;
  readonly beaconPublicKeyHex: string;
  /** The epochs and blocks of the reveal; null when the round was pinned by hand (offline replay). */
  readonly plan: RevealPlan | null;
}

/** Builds the payload and its ciphertext: pure but for the random key, sigma and nonce of the encryption. */
export function buildTimelockedCommit(input: {
  hotkey: string;
  emit: EmittedWeights;
  versionKey: number;
  revealRound: number;
  beaconPublicKeyHex: string;
  commitRevealVersion?: number;
  plan?: RevealPlan | null;
}): TimelockedCommit {
  const payload = encodeTlockPayload({
    hotkey: decodeAddress(input.hotkey),
    uids: input.emit.uids,
    values: input.emit.weights,
    versionKey: input.versionKey,
  });
  const ciphertext = tlockEncrypt(payload, input.revealRound, { publicKeyHex: input.beaconPublicKeyHex });
  return {
    mode: "timelock",
    hotkey: input.hotkey,
    uids: [...input.emit.uids],
    values: [...input.emit.weights],
    versionKey: input.versionKey,
    payloadHex: u8aToHex(payload),
    ciphertext,
    ciphertextHex: u8aToHex(ciphertext),
    revealRound: input.revealRound,
    commitRevealVersion: input.commitRevealVersion ?? SUPPORTED_COMMIT_REVEAL_VERSION,
    beaconPublicKeyHex: input.beaconPublicKeyHex.replace(/^0x/, ""),
    plan: input.plan ?? null,
  };
}

/** What a step commits on a commit-reveal subnet: a timelocked commit, or (`--commit-reveal hash`) a hash. */
export type WeightsCommit = TimelockedCommit | HashedCommit;

/** How a commit-reveal subnet gets the weights: the chain reveals a timelock, or sn11 reveals a hash. */
export type CommitRevealMode = WeightsCommit["mode"];

/** `commit` in `--json`: what the commit carries (a hash commit's salt stays private until its reveal). */
export function commitToJson(commit: WeightsCommit) {
  if (commit.mode === "hash") {
    return {
      mode: "hash" as const,
      hotkey: commit.hotkey,
      hash: commit.hashHex,
      version_key: commit.versionKey,
    };
  }
  return {
    mode: "timelock" as const,
    hotkey: commit.hotkey,
    ciphertext_hex: commit.ciphertextHex,
    ciphertext_bytes: commit.ciphertext.length,
    payload_hex: commit.payloadHex,
    reveal_round: commit.revealRound,
    version_key: commit.versionKey,
    commit_reveal_version: commit.commitRevealVersion,
    drand_public_key: commit.beaconPublicKeyHex,
    ...(commit.plan
      ? {
          commit_epoch: commit.plan.commitEpoch,
          reveal_epoch: commit.plan.revealEpoch,
          first_reveal_block: commit.plan.firstRevealBlock,
          last_reveal_block: commit.plan.lastRevealBlock,
        }
      : {}),
  };
}

export function planReveal(metagraph: Metagraph, state: CommitRevealState, nowSeconds: number): RevealPlan {
  const inputs = {
    netuid: metagraph.netuid,
    tempo: metagraph.hyperparameters.tempo,
    revealPeriodEpochs: Math.max(1, metagraph.hyperparameters.commitRevealPeriod),
    currentBlock: metagraph.block.number,
    nowSeconds,
    beacon: state.beacon,
  };
  return state.schedule === "legacy"
    ? planLegacyReveal(inputs)
    : planIndexedReveal({ ...inputs, epochIndex: state.epoch, nextEpochStart: state.nextEpochStart });
}

/**
 * The checks every commit meets: set_weights' own as the reveal will run them, the rate limit the commit
 * shares, and commit-reveal on. `add` collects what the commit's kind checks besides.
 */
function commitChecks(
  metagraph: Metagraph,
  commit: CommittedWeights,
  more: (add: (code: string, message: string) => void) => void,
): WeightsPreflight {
  const { hotkey, uids, values, versionKey } = commit;
  const base = preflightSetWeights(metagraph, hotkey, uids, values, versionKey, "commit");
  const problems = [...base.problems];
  const add = (code: string, message: string) => problems.push({ code, message });
  if (!metagraph.hyperparameters.commitRevealEnabled)
    add("CommitRevealDisabled", `netuid ${metagraph.netuid} has commit-reveal off`);
  more(add);
  return { ...base, ok: problems.length === 0, problems };
}

/** The chain's checks on a timelocked commit, and those its reveal runs, as one preflight. */
export function preflightCommit(
  metagraph: Metagraph,
  state: CommitRevealState,
  commit: TimelockedCommit,
): WeightsPreflight {
  return commitChecks(metagraph, commit, (add) => {
    if (state.version !== SUPPORTED_COMMIT_REVEAL_VERSION) {
      add(
        "IncorrectCommitRevealVersion",
        `the chain expects commit-reveal version ${state.version}; sn11 produces version ${SUPPORTED_COMMIT_REVEAL_VERSION}`,
      );
    }
    if (state.unrevealedCommits >= MAX_UNREVEALED_COMMITS) {
      add(
        "TooManyUnrevealedCommits",
        `this hotkey has ${state.unrevealedCommits} unrevealed commits in epoch ${state.epoch} (the chain keeps ${MAX_UNREVEALED_COMMITS})`,
      );
    }
    if (commit.ciphertext.length > MAX_COMMIT_BYTES) {
      add(
        "CommitTooLarge",
        `the commit has ${commit.ciphertext.length} bytes; the chain takes ${MAX_COMMIT_BYTES}`,
      );
    }
    if (commit.revealRound < state.lastStoredRound) {
      add(
        "InvalidRevealRound",
        `reveal round ${commit.revealRound} is below the chain's last stored drand round ${state.lastStoredRound} (is the local clock behind?)`,
      );
    }
  });
}

export type PreparedCommit =
  | { readonly ok: true; readonly uid: number; readonly commit: WeightsCommit }
  | { readonly ok: false; readonly error: ChainError; readonly rateLimitFreesAt: number | null }
  | {
      readonly ok: false;
      readonly waitUntilBlock: number;
      readonly error: ChainError;
      readonly rateLimitFreesAt: null;
    };

/** Reads the chain's commit-reveal state at the metagraph's block, builds the commit and checks it. */
export async function prepareCommit(options: {
  chain: ChainClient;
  metagraph: Metagraph;
  emit: EmittedWeights;
  versionKey: number;
  signer: { address: string; publicKey: Uint8Array };
  now?: () => number;
  mode?: CommitRevealMode;
}): Promise<PreparedCommit> {
  const { metagraph, chain } = options;
  const hotkey = options.signer.address;
  const state = await chain.commitRevealState({
    netuid: metagraph.netuid,
    block: metagraph.block,
    tempo: metagraph.hyperparameters.tempo,
    hotkey,
  });
  const guard = commitGuard(metagraph.block.number, state.nextEpochStart);
  if (guard !== null) {
    return {
      ok: false,
      waitUntilBlock: guard,
      error: new ChainError(
        `block ${metagraph.block.number} is within ${EPOCH_GUARD_BLOCKS} blocks of the epoch boundary at block ${guard}: a commit now could land in either epoch`,
        { hint: "sn11 waits for the boundary and commits after it" },
      ),
      rateLimitFreesAt: null,
    };
  }
  if (options.mode === "hash") return prepareHashCommit(metagraph, state, options);
  const nowSeconds = (options.now ?? (() => Date.now() / 1000))();
  const plan = planReveal(metagraph, state, nowSeconds);
  const commit = buildTimelockedCommit({
    hotkey,
    emit: options.emit,
    versionKey: options.versionKey,
    revealRound: plan.revealRound,
    beaconPublicKeyHex: state.beacon.publicKeyHex,
    commitRevealVersion: state.version,
    plan,
  });
  return checked(metagraph, preflightCommit(metagraph, state, commit), "commit_timelocked_weights", commit);
}

/** The commit, ready to send, or the chain's refusal of it as one error. */
function checked(
  metagraph: Metagraph,
  check: WeightsPreflight,
  call: string,
  commit: WeightsCommit,
): PreparedCommit {
  if (!check.ok) {
    return { ok: false, error: refusal(metagraph, check, call), rateLimitFreesAt: check.rateLimitFreesAt };
  }
  return { ok: true, uid: check.uid as number, commit };
}

/** Hash commits the chain still holds for this hotkey that have not expired (their reveal epoch not past). */
function liveHashCommits(metagraph: Metagraph, state: CommitRevealState): number {
  const { netuid } = metagraph;
  const { tempo, commitRevealPeriod } = metagraph.hyperparameters;
  const now = legacyEpoch(metagraph.block.number, netuid, tempo);
  return state.hashCommits.filter(
    (c) => legacyEpoch(c.commitBlock, netuid, tempo) + commitRevealPeriod >= now,
  ).length;
}

function prepareHashCommit(
  metagraph: Metagraph,
  state: CommitRevealState,
  options: { emit: EmittedWeights; versionKey: number; signer: { address: string; publicKey: Uint8Array } },
): PreparedCommit {
  const commit = buildHashedCommit({
    hotkey: options.signer.address,
    hotkeyPublicKey: options.signer.publicKey,
    netuid: metagraph.netuid,
    uids: options.emit.uids,
    values: options.emit.weights,
    versionKey: options.versionKey,
  });
  const check = commitChecks(metagraph, commit, (add) => {
    if (state.schedule !== "legacy") {
      add(
        "UnsupportedEpochSchedule",
        "hash commit-reveal is implemented for the legacy epoch schedule only; use the timelocked commits",
      );
    }
    const live = liveHashCommits(metagraph, state);
    if (live >= MAX_UNREVEALED_COMMITS) {
      add(
        "TooManyUnrevealedCommits",
        `this hotkey has ${live} unrevealed hash commits (the chain keeps ${MAX_UNREVEALED_COMMITS})`,
      );
    }
  });
  return checked(metagraph, check, "commit_weights", commit);
}
