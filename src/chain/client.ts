import { ApiPromise, WsProvider } from "@polkadot/api";
import type { SubmittableExtrinsic } from "@polkadot/api/types";
import type { KeyringPair } from "@polkadot/keyring/types";
import { hexToU8a, u8aToHex } from "@polkadot/util";
import { CancelledError, ChainError, NetworkError } from "../errors.js";
import type { Logger } from "../log.js";
import { RetriesExhausted, retrying } from "../retry.js";
import { sleep } from "../sleep.js";
import {
  type CommitRevealState,
  type RevealFacts,
  readCommitRevealState,
  readRevealFacts,
} from "./commit-reveal-reads.js";
import { type ConsensusFacts, readConsensusFacts } from "./consensus-read.js";
import { inspectExtensions, SUBTENSOR_EXTENSIONS } from "./extensions.js";
import type { MetadataCache } from "./metadata-cache.js";
import { readMetagraphFromRuntimeApi, readMetagraphFromStorage } from "./metagraph.js";
import { nextEpochStart } from "./preflight.js";
import { routeUnhandledRxErrors } from "./rx-errors.js";
import type { RawRpc } from "./storage.js";
import { DispatchError, submitAndWatch, type TxOutcome } from "./tx.js";
import type { BlockRef, Metagraph } from "./types.js";

export interface ChainClientOptions {
  readonly endpoints: readonly string[];
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  /** Deadline of one RPC call. */
  readonly callTimeoutMs?: number;
  /** Deadline to connect and load metadata. */
  readonly connectTimeoutMs?: number;
  /** Attempts of one read set when the connection drops. */
  readonly attempts?: number;
  /** Runtime metadata kept between runs (the data dir's); without it every connect downloads it. */
  readonly metadataCache?: MetadataCache;
}

export interface CommitmentSpace {
  readonly block: number;
  readonly used: number;
  readonly max: number;
  /** The first block of the next epoch, when the budget resets. */
  readonly freesAt: number;
}

export interface RpcStats {
  readonly requests: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
}

/** What `reveal_weights` carries: the committed weights and the salt that hid them. */
export interface HashReveal {
  readonly uids: readonly number[];
  readonly values: readonly number[];
  readonly salt: readonly number[];
  readonly versionKey: number;
}

/** The edge sn11 talks to Subtensor through; commands and the validator receive it, tests hand in a devnet. */
export interface ChainClient {
  readonly endpoint: string;
  head(): Promise<BlockRef>;
  metagraph(netuid: number, at?: BlockRef): Promise<Metagraph>;
  /** What Yuma consensus needs beyond the metagraph, at its block: weight rows, stake threshold, commits. */
  consensusFacts(metagraph: Metagraph): Promise<ConsensusFacts>;
  /** How much commitment space the hotkey has used this epoch, and when it frees. */
  commitmentSpace(netuid: number, hotkey: string): Promise<CommitmentSpace>;
  /** Writes a Raw commitment (≤ 128 bytes) signed by the hotkey and waits for its inclusion. */
  setCommitment(signer: KeyringPair, netuid: number, data: Uint8Array): Promise<TxOutcome>;
  /** Sends plain set_weights (u16 values) signed by the hotkey and waits for its inclusion. */
  setWeights(
    signer: KeyringPair,
    netuid: number,
    uids: readonly number[],
    values: readonly number[],
    versionKey: number,
  ): Promise<TxOutcome>;
  /** The commit-reveal facts at one block (one `state_queryStorageAt` on legacy runtimes). */
  commitRevealState(query: Parameters<typeof readCommitRevealState>[2]): Promise<CommitRevealState>;
  /** Sends `commit_timelocked_weights` signed by the hotkey and waits for its inclusion. */
  commitTimelockedWeights(
    signer: KeyringPair,
    netuid: number,
    commit: Uint8Array,
    revealRound: number,
    version: number,
  ): Promise<TxOutcome>;
  /** Sends `commit_weights` (a hash commit) signed by the hotkey and waits for its inclusion. */
  commitWeightsHash(signer: KeyringPair, netuid: number, hash: string): Promise<TxOutcome>;
  /** Sends `reveal_weights` for an earlier hash commit and waits for its inclusion. */
  revealWeights(signer: KeyringPair, netuid: number, reveal: HashReveal): Promise<TxOutcome>;
  /** What the chain shows of one commit's reveal, at one block (the step's pinned block). */
  revealFacts(query: Parameters<typeof readRevealFacts>[2]): Promise<RevealFacts>;
  /** How the node is doing: best and finalized heads, the round trip, the best block's timestamp. */
  health(): Promise<ChainHealth>;
  stats(): RpcStats;
  close(): Promise<void>;
}

export interface ChainHealth {
  readonly best: number;
  readonly finalized: number;
  /** One `chain_getHeader` round trip. */
  readonly latencyMs: number;
  /** `Timestamp::Now` at the best block (ms since the epoch); null where the runtime has none. */
  readonly timestampMs: number | null;
}

const CONNECTION_LOST =
  /disconnected|not connected|Abnormal Closure|socket|ECONNREFUSED|ECONNRESET|No response received|Unable to/i;

export async function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  what: string,
  signal?: AbortSignal,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NetworkError(`${what}: no answer within ${ms / 1000} s`)), ms);
    onAbort = () => reject(new CancelledError());
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
}

/** Rounds in which every endpoint refused before sn11 gives up without waiting for the deadline. */
const REFUSED_ROUNDS = 3;

/**
 * Tries the endpoints in order (cycling, with backoff) until one serves its metadata or the deadline passes;
 * a refused connection moves on at once, and when every endpoint keeps refusing it gives up early.
 * The provider keeps the rest of the list for reconnecting after a drop.
 */
async function connectFirstReachable(
  endpoints: readonly string[],
  options: { connectTimeoutMs: number; callTimeoutMs: number; logger: Logger; metadataCache?: MetadataCache },
  signal?: AbortSignal,
): Promise<{ api: ApiPromise; provider: WsProvider }> {
  const metadata = options.metadataCache?.load() ?? {};
  const deadline = Date.now() + options.connectTimeoutMs;
  let lastError: unknown = null;
  let refusedInRound = 0;
  let refusedRounds = 0;
  for (let attempt = 0; ; attempt++) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    const first = attempt % endpoints.length;
    const ordered = [...endpoints.slice(first), ...endpoints.slice(0, first)];
    const provider = new WsProvider(ordered, 500, {}, options.callTimeoutMs);
    const api = new ApiPromise({
      provider,
      noInitWarn: true,
      signedExtensions: SUBTENSOR_EXTENSIONS,
      metadata,
    });
    try {
      // A socket that fails before it opens (refused, unresolvable, TLS) rejects this at once.
      await withDeadline(api.isReadyOrError, remaining, `connecting to ${ordered[0]}`, signal);
      return { api, provider };
    } catch (error) {
      await api.disconnect().catch(() => {});
      if (error instanceof CancelledError) throw error;
      lastError = error;
      options.logger.debug({ endpoint: ordered[0], error: (error as Error).message }, "endpoint unavailable");
      // Only the deadline is a NetworkError here: anything else is the endpoint failing outright.
      if (!(error instanceof NetworkError)) refusedInRound += 1;
      if ((attempt + 1) % endpoints.length === 0) {
        // Every endpoint refused, round after round: nothing is listening, and waiting will not change that.
        if (refusedInRound === endpoints.length && ++refusedRounds >= REFUSED_ROUNDS) break;
        refusedInRound = 0;
        await sleep(
          Math.min(
            250 * 2 ** Math.floor(attempt / endpoints.length),
            2000,
            Math.max(0, deadline - Date.now()),
          ),
          signal,
        );
      }
    }
  }
  throw new NetworkError(
    `cannot reach the chain at ${endpoints.join(", ")}: ${(lastError as Error | null)?.message ?? "timed out"}`,
    { hint: "check --network (finney, test, local or a ws(s):// URL) and your connection", cause: lastError },
  );
}

/** What a user can do about the chain's refusals of a commit, timelocked or hashed. */
function commitHints(signer: KeyringPair, netuid: number): Record<string, string> {
  return {
    CommittingWeightsTooFast: "the weights rate limit has not passed since this hotkey last committed",
    IncorrectCommitRevealVersion: "the chain expects another commit-reveal version than sn11 produces",
    TooManyUnrevealedCommits: "this hotkey has 10 unrevealed commits; wait until they reveal or expire",
    CommitRevealDisabled: "the subnet has commit-reveal off: plain set_weights applies",
    HotKeyNotRegisteredInSubNet: `hotkey ${signer.address} is not registered on netuid ${netuid}`,
  };
}

export class SubtensorClient implements ChainClient {
  /** Straight to the provider (see RawRpc): what the readers of metagraph and commit-reveal state call. */
  private readonly rpc: RawRpc = (method, params) => this.provider.send(method, params);

  private constructor(
    readonly api: ApiPromise,
    private readonly provider: WsProvider,
    private readonly options: Required<Omit<ChainClientOptions, "signal" | "metadataCache">> & {
      signal?: AbortSignal;
    },
  ) {}

  static async connect(options: ChainClientOptions): Promise<SubtensorClient> {
    const resolved = {
      callTimeoutMs: 30_000,
      connectTimeoutMs: 30_000,
      attempts: 4,
      ...options,
    };
    if (options.signal?.aborted) throw new CancelledError();
    routeUnhandledRxErrors(options.logger);
    const { api, provider } = await connectFirstReachable(options.endpoints, resolved, options.signal);
    const client = new SubtensorClient(api, provider, resolved);
    const cache = options.metadataCache;
    const runtime = `${api.genesisHash.toHex()}-${api.runtimeVersion.specVersion.toString()}`;
    if (cache && !cache.has(runtime)) {
      try {
        cache.save(runtime, api.runtimeMetadata.toHex());
      } catch (error) {
        // A read-only data dir only costs the next run the download.
        options.logger.debug({ error: (error as Error).message }, "chain metadata not cached");
      }
    }
    const report = inspectExtensions(api);
    if (report.emptyUnknown.length > 0) {
      options.logger.debug(
        { extensions: report.emptyUnknown },
        "unknown signed extensions without data: treated as no-ops",
      );
    }
    for (const ext of report.unsupported) {
      options.logger.warn(
        { extension: ext.name, types: ext.types },
        "unknown signed extension carries data: sn11 cannot sign for this chain",
      );
    }
    options.logger.debug({ endpoint: provider.endpoint }, "connected to chain");
    return client;
  }

  get endpoint(): string {
    return this.provider.endpoint;
  }

  /** Refuses to sign when the chain expects signed-extension data sn11 cannot produce. */
  assertCanSign(): void {
    const unsupported = inspectExtensions(this.api).unsupported;
    if (unsupported.length > 0) {
      throw new ChainError(
        `the chain requires signed extension data sn11 does not know: ${unsupported.map((u) => `${u.name} (${u.types})`).join(", ")}`,
        { hint: "every transaction would be rejected as badly signed; upgrade sn11" },
      );
    }
  }

  /**
   * One read set: retried from scratch when the connection drops (after the provider reconnects),
   * each call under a deadline. Either the whole set succeeds or a typed error says why.
   */
  async read<T>(what: string, work: (api: ApiPromise) => Promise<T>): Promise<T> {
    const { attempts, callTimeoutMs, signal, logger } = this.options;
    try {
      return await retrying(
        async () => {
          if (!this.api.isConnected)
            await withDeadline(this.waitConnected(), callTimeoutMs, `reconnecting for ${what}`, signal);
          return await withDeadline(work(this.api), callTimeoutMs, what, signal);
        },
        {
          attempts,
          delayMs: 250,
          signal,
          retryable: (error) => error instanceof NetworkError || CONNECTION_LOST.test(error.message ?? ""),
          onFailure: (error, attempt, again) => {
            if (again)
              logger.warn({ attempt, error: error.message }, `${what}: connection trouble, retrying`);
          },
        },
      );
    } catch (error) {
      if (!(error instanceof RetriesExhausted)) throw error;
      throw new NetworkError(`${what} failed after ${error.attempts} attempts: ${error.message}`, {
        hint: "the chain endpoint keeps dropping; try another with --network",
        cause: error.cause,
      });
    }
  }

  private waitConnected(): Promise<void> {
    return new Promise((resolve) => {
      if (this.api.isConnected) return resolve();
      this.api.once("connected", () => resolve());
    });
  }

  async head(): Promise<BlockRef> {
    return this.read("reading the finalized head", async () => {
      const hash = (await this.provider.send("chain_getFinalizedHead", [])) as string;
      const header = (await this.provider.send("chain_getHeader", [hash])) as { number: string | number };
      const number = typeof header.number === "number" ? header.number : Number.parseInt(header.number, 16);
      return { number, hash };
    });
  }

  async health(): Promise<ChainHealth> {
    return this.read("reading the chain's heads", async (api) => {
      const t0 = performance.now();
      const best = (await this.provider.send("chain_getHeader", [])) as {
        number: string | number;
        parentHash: string;
      };
      const latencyMs = performance.now() - t0;
      const finalized = await this.head();
      const number = typeof best.number === "number" ? best.number : Number.parseInt(best.number, 16);
      const bestHash = (await this.provider.send("chain_getBlockHash", [number])) as string;
      const now = api.query.timestamp?.now;
      const raw = now
        ? ((await this.provider.send("state_getStorage", [now.key(), bestHash])) as string | null)
        : null;
      return {
        best: number,
        finalized: finalized.number,
        latencyMs,
        timestampMs: raw ? Number(api.createType("u64", hexToU8a(raw)).toBigInt()) : null,
      };
    });
  }

  /** The metagraph of one netuid at one block: one runtime-API call, or storage reads where it is missing. */
  async metagraph(netuid: number, at?: BlockRef): Promise<Metagraph> {
    const block = at ?? (await this.head());
    const hasApi = Boolean(this.api.call.subnetInfoRuntimeApi?.getSelectiveMetagraph);
    return this.read(`reading the metagraph of netuid ${netuid}`, async (api) => {
      if (hasApi) {
        const fromApi = await readMetagraphFromRuntimeApi(api, this.rpc, netuid, block);
        if (fromApi !== "unavailable") return fromApi;
        this.options.logger.info("the runtime does not serve the selective metagraph; reading storage");
      }
      return readMetagraphFromStorage(api, this.rpc, netuid, block);
    });
  }

  async consensusFacts(metagraph: Metagraph): Promise<ConsensusFacts> {
    return this.read(`reading the weights of netuid ${metagraph.netuid}`, (api) =>
      readConsensusFacts(api, this.rpc, metagraph),
    );
  }

  async commitmentSpace(netuid: number, hotkey: string): Promise<CommitmentSpace> {
    const head = await this.head();
    return this.read("reading the commitment space", async (api) => {
      const at = await api.at(head.hash);
      const [usage, max, tempo] = await Promise.all([
        at.query.commitments!.usedSpaceOf!(netuid, hotkey),
        at.query.commitments!.maxSpace!(),
        at.query.subtensorModule!.tempo!(netuid),
      ]);
      const t = Number(tempo.toString());
      const epoch = Math.floor((head.number + netuid + 1) / (t + 1));
      const u = usage as unknown as {
        isSome: boolean;
        unwrap(): { lastEpoch: { toNumber(): number }; usedSpace: { toNumber(): number } };
      };
      const used =
        u.isSome && u.unwrap().lastEpoch.toNumber() === epoch ? u.unwrap().usedSpace.toNumber() : 0;
      return {
        block: head.number,
        used,
        max: Number(max.toString()),
        freesAt: nextEpochStart(head.number, netuid, t),
      };
    });
  }

  async setCommitment(signer: KeyringPair, netuid: number, data: Uint8Array): Promise<TxOutcome> {
    if (data.length > 128)
      throw new ChainError(`a Raw commitment holds at most 128 bytes, this one has ${data.length}`);
    const tx = this.api.tx.commitments!.setCommitment!(netuid, { fields: [{ [`Raw${data.length}`]: data }] });
    try {
      return await this.signAndWatch(signer, tx, {
        AccountNotAllowedCommit: `hotkey ${signer.address} is not registered on netuid ${netuid}`,
      });
    } catch (error) {
      if (!(error instanceof DispatchError) || error.errorName !== "SpaceLimitExceeded") throw error;
      // The budget resets with the subnet's epoch: say at which block.
      const head = await this.head();
      const tempo = Number(
        (await this.read("reading the tempo", (api) => api.query.subtensorModule!.tempo!(netuid))).toString(),
      );
      throw new DispatchError(
        error.section,
        error.errorName,
        error.message,
        `this hotkey used its commitment space for this tempo; it frees at block ${nextEpochStart(head.number, netuid, tempo)}`,
      );
    }
  }

  async setWeights(
    signer: KeyringPair,
    netuid: number,
    uids: readonly number[],
    values: readonly number[],
    versionKey: number,
  ): Promise<TxOutcome> {
    const tx = this.api.tx.subtensorModule!.setWeights!(netuid, [...uids], [...values], versionKey);
    return this.signAndWatch(signer, tx, {
      SettingWeightsTooFast: "the weights rate limit has not passed since this hotkey last set weights",
      IncorrectWeightVersionKey: "the chain requires a higher weights version key than the profile's",
      NeuronNoValidatorPermit: "this hotkey has no validator permit on the subnet",
      HotKeyNotRegisteredInSubNet: `hotkey ${signer.address} is not registered on netuid ${netuid}`,
      CommitRevealEnabled: "the subnet has commit-reveal on: plain set_weights is refused",
    });
  }

  async commitRevealState(query: Parameters<typeof readCommitRevealState>[2]): Promise<CommitRevealState> {
    return this.read("reading the commit-reveal state", (api) => readCommitRevealState(api, this.rpc, query));
  }

  async commitTimelockedWeights(
    signer: KeyringPair,
    netuid: number,
    commit: Uint8Array,
    revealRound: number,
    version: number,
  ): Promise<TxOutcome> {
    // Bytes from a hex string: a raw Uint8Array would be read as already length-prefixed.
    const tx = this.api.tx.subtensorModule!.commitTimelockedWeights!(
      netuid,
      u8aToHex(commit),
      revealRound,
      version,
    );
    return this.signAndWatch(signer, tx, commitHints(signer, netuid));
  }

  async commitWeightsHash(signer: KeyringPair, netuid: number, hash: string): Promise<TxOutcome> {
    const tx = this.api.tx.subtensorModule!.commitWeights!(netuid, hash);
    return this.signAndWatch(signer, tx, commitHints(signer, netuid));
  }

  async revealWeights(signer: KeyringPair, netuid: number, reveal: HashReveal): Promise<TxOutcome> {
    const tx = this.api.tx.subtensorModule!.revealWeights!(
      netuid,
      [...reveal.uids],
      [...reveal.values],
      [...reveal.salt],
      reveal.versionKey,
    );
    return this.signAndWatch(signer, tx, {
      RevealTooEarly: "a hash commit reveals only in the epoch its reveal period names",
      ExpiredWeightCommit: "the reveal epoch of this commit has passed",
      NoWeightsCommitFound: "the chain holds no hash commit of this hotkey",
      InvalidRevealCommitHashNotMatch: "the revealed weights and salt do not match the committed hash",
    });
  }

  async revealFacts(query: Parameters<typeof readRevealFacts>[2]): Promise<RevealFacts> {
    return this.read("reading the reveal of a commit", (api) => readRevealFacts(api, this.rpc, query));
  }

  /**
   * Signs `tx` with the hotkey (once sn11 knows it can sign for this chain), waits for its inclusion, and
   * gives the chain's refusals the hints a user can act on, by error name.
   */
  private signAndWatch(
    signer: KeyringPair,
    tx: SubmittableExtrinsic<"promise">,
    hints: Readonly<Record<string, string>>,
  ): Promise<TxOutcome> {
    this.assertCanSign();
    return submitAndWatch(this.api, tx, signer, {
      timeoutMs: this.options.callTimeoutMs * 4,
      hintFor: (_section, name) => hints[name],
    });
  }

  stats(): RpcStats {
    const total = this.provider.stats.total;
    return { requests: total.requests, bytesSent: total.bytesSent, bytesReceived: total.bytesRecv };
  }

  async close(): Promise<void> {
    await this.api.disconnect().catch(() => {});
  }
}
