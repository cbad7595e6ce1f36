import type { AddressInfo } from "node:net";
import type { GenericExtrinsic } from "@polkadot/types";
import type { Header } from "@polkadot/types/interfaces";
import type { Codec } from "@polkadot/types/types";
import { compactToU8a, hexToU8a, stringToU8a, u8aConcat, u8aToHex } from "@polkadot/util";
import { blake2AsHex, blake2AsU8a, decodeAddress } from "@polkadot/util-crypto";
import { type WebSocket, WebSocketServer } from "ws";
import { roundAt } from "../../../src/chain/commit-reveal.js";
import { beaconPublicKey, QUICKNET, signRound } from "../../../src/chain/timelock.js";
import { maxUpscaleU16 } from "../../../src/scoring/fixed-point.js";
import {
  applyExtrinsic,
  type EventSpec,
  PoolError,
  revealTimelockedCommits,
  validateExtrinsic,
} from "./extrinsics.js";
import { type ChainSpec, loadChainSpec, palletIndex } from "./metadata.js";
import { RuntimeCallError, runtimeCall } from "./runtime.js";
import {
  type ChainState,
  cloneState,
  commitmentKey,
  DEFAULT_HYPERPARAMETERS,
  deriveStorage,
  emptyState,
  epochIndex,
  type Hyperparameters,
  type Neuron,
  registrationInfoType,
} from "./state.js";

interface Block {
  number: number;
  hash: string;
  header: Header;
  extrinsics: string[];
  state: ChainState;
  events: Uint8Array;
  eventNames: string[];
  storage?: Map<string, string>;
}

/** `match`: the fault applies only to requests whose JSON params contain this text. */
export type Fault = { match?: string } & (
  | { method: string; action: "drop" }
  /** Stop the whole node when the call arrives (every connection drops) and come back after `downMs`. */
  | { method: string; action: "restart"; downMs: number }
  | { method: string; action: "stall"; ms: number }
  | { method: string; action: "error"; code: number; message: string }
  /** Include the extrinsic in a block, then drop the connection before telling the client. */
  | { method: "author_submitAndWatchExtrinsic"; action: "drop-after-include" }
);

export interface DevnetOptions {
  /** Produce a block every N ms (the daemon's view of time); default: only on demand and on submission. */
  readonly blockTimeMs?: number;
  /** Serve SubnetInfoRuntimeApi_get_selective_metagraph (false: clients must fall back to storage). */
  readonly selectiveMetagraph?: boolean;
  /** How many empty blocks to produce at start. */
  readonly startBlock?: number;
  /** The number of the first block after genesis, so tests can live at finney-like heights. */
  readonly firstBlockNumber?: number;
  /**
   * The devnet's drand beacon (COMMIT-REVEAL.md vector C's master key unless given), published in
   * `Drand.BeaconConfig` with quicknet's genesis and period. `autoPulses` (default true) writes the pulse a
   * pending commit needs when its reveal epoch begins — time a test cannot wait for; off, pulses come
   * only from `publishPulse`.
   */
  readonly drandSecret?: bigint;
  readonly autoPulses?: boolean;
}

/** COMMIT-REVEAL.md §3.4 vector C: a master key of our own, so pulses for any round can be signed offline. */
export const DEVNET_DRAND_SECRET = 0x1234567890abcdefn;

interface Subscription {
  socket: WebSocket;
  kind: "heads" | "finalized" | "runtime" | "storage" | "extrinsic";
  keys?: string[];
}

/**
 * A local Subtensor devnet for tests: the real spec-343 metadata, real SCALE state and storage keys,
 * real header hashes, sr25519 signature checks and the pallets' rules for the calls sn11 makes,
 * over the JSON-RPC a node speaks. It can drop, stall, fail and restart on request.
 */
export class Devnet {
  readonly spec: ChainSpec;
  private readonly blocks: Block[] = [];
  private state: ChainState = emptyState();
  private server: WebSocketServer | null = null;
  private readonly sockets = new Set<WebSocket>();
  private readonly subscriptions = new Map<string, Subscription>();
  private nextSubscription = 1;
  private readonly faults: Fault[] = [];
  private timer: NodeJS.Timeout | null = null;
  private portNumber = 0;
  readonly stats = { requests: new Map<string, number>(), bytesIn: 0, bytesOut: 0 };

  private autoPulses: boolean;
  private clockSkewMs = 0;
  readonly drandSecret: bigint;

  private constructor(private readonly options: DevnetOptions) {
    this.spec = loadChainSpec();
    this.drandSecret = options.drandSecret ?? DEVNET_DRAND_SECRET;
    this.autoPulses = options.autoPulses ?? true;
    this.state.drand.beacon = {
      publicKeyHex: beaconPublicKey(this.drandSecret),
      genesisTime: QUICKNET.genesisTime,
      period: QUICKNET.period,
    };
  }

  static async start(options: DevnetOptions = {}): Promise<Devnet> {
    const devnet = new Devnet(options);
    devnet.sealBlock([], []);
    for (let i = 0; i < (options.startBlock ?? 0); i++) devnet.produceBlock();
    await devnet.listen(0);
    if (options.blockTimeMs) devnet.timer = setInterval(() => devnet.produceBlock(), options.blockTimeMs);
    return devnet;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.portNumber}`;
  }

  get genesisHash(): string {
    return (this.blocks[0] as Block).hash;
  }

  get best(): Block {
    return this.blocks.at(-1) as Block;
  }

  get blockNumber(): number {
    return this.best.number;
  }

  // ---- state set-up (what genesis and other users' transactions would have done) ----

  addSubnet(netuid: number, hyper: Partial<Hyperparameters> = {}, ownerHotkey: string | null = null): void {
    this.state.subnets.set(netuid, {
      netuid,
      neurons: [],
      hyper: { ...DEFAULT_HYPERPARAMETERS, ...hyper },
      ownerHotkey: ownerHotkey === null ? null : toHex(ownerHotkey),
      weights: new Map(),
    });
  }

  setHyperparameters(netuid: number, hyper: Partial<Hyperparameters>): void {
    const subnet = this.subnet(netuid);
    subnet.hyper = { ...subnet.hyper, ...hyper };
  }

  registerNeuron(netuid: number, neuron: Partial<Neuron> & { hotkey: string }): number {
    const subnet = this.subnet(netuid);
    subnet.neurons.push({
      coldkey: neuron.hotkey,
      active: true,
      validatorPermit: false,
      lastUpdate: 0,
      alphaStake: 0n,
      taoStake: 0n,
      blockAtRegistration: this.blockNumber,
      ...neuron,
      hotkey: toHex(neuron.hotkey),
    });
    return subnet.neurons.length - 1;
  }

  /**
   * Stores a weights row as if `uid` had set it at `block` (values max-upscaled, as the chain stores them)
   * and records the block as its last update: other validators' weights, for consensus.
   */
  putWeights(
    netuid: number,
    uid: number,
    row: readonly (readonly [number, number])[],
    block = this.blockNumber,
  ): void {
    const subnet = this.subnet(netuid);
    const neuron = subnet.neurons[uid];
    if (!neuron) throw new Error(`netuid ${netuid} has no uid ${uid}`);
    const stored = maxUpscaleU16(row.map(([, v]) => v));
    subnet.weights.set(
      uid,
      row.map(([j], i) => [j, stored[i] as number]),
    );
    neuron.lastUpdate = block;
  }

  setStakeThreshold(rao: bigint): void {
    this.state.stakeThreshold = rao;
  }

  /** Sets what the last epoch gave each uid (u16 shares, emission in rao), as the chain's epoch would. */
  setEpochOutputs(
    netuid: number,
    outputs: Record<
      number,
      { incentive?: number; consensus?: number; dividends?: number; emission?: bigint }
    >,
  ): void {
    const neurons = this.subnet(netuid).neurons;
    for (const [uid, o] of Object.entries(outputs)) Object.assign(neurons[Number(uid)] as Neuron, o);
  }

  /** Writes a commitment as if its owner had sent it at `block`: text or bytes as one Raw field, or any fields. */
  putCommitment(
    netuid: number,
    hotkey: string,
    content: string | Uint8Array | Record<string, unknown>[],
    block = this.blockNumber,
  ): void {
    const fields = Array.isArray(content)
      ? content
      : (() => {
          const bytes = typeof content === "string" ? stringToU8a(content) : content;
          return [{ [`Raw${bytes.length}`]: bytes }];
        })();
    const info = this.spec.registry.createType<Codec>(registrationInfoType(this.spec), { fields });
    this.state.commitments.set(commitmentKey(netuid, toHex(hotkey)), { block, info: info.toHex() });
  }

  // ---- drand and commit-reveal ----

  /** Writes the beacon's pulse of `round`, as the drand pallet's offchain worker would. */
  publishPulse(round: number): void {
    this.state.drand.pulses.set(round, u8aToHex(signRound(round, this.drandSecret)));
  }

  /** Auto pulses off: a pending commit's pulse never arrives unless published by hand. */
  /** Block timestamps this far from this machine's clock, as a node with a wrong clock would write them. */
  setClockSkew(ms: number): void {
    this.clockSkewMs = ms;
  }

  setAutoPulses(on: boolean): void {
    this.autoPulses = on;
  }

  setLastStoredRound(round: number): void {
    this.state.drand.lastStoredRound = round;
  }

  setCommitRevealVersion(version: number): void {
    this.state.commitRevealVersion = version;
  }

  /** The `TimelockedWeightCommits` queues at the best block. */
  timelockedCommits(): {
    key: string;
    commits: { who: string; commitBlock: number; revealRound: number }[];
  }[] {
    return [...this.best.state.timelockedCommits.entries()].map(([key, commits]) => ({ key, commits }));
  }

  /** The block's events as `section.method` (for tests that look for a reveal). */
  eventsAt(number: number): string[] {
    return this.blocks.find((b) => b.number === number)?.eventNames ?? [];
  }

  setMaxSpace(bytes: number): void {
    this.state.maxSpace = bytes;
  }

  subnetState(netuid: number) {
    return this.subnet(netuid);
  }

  /** The commitment text as stored at the best block, or null. */
  commitmentText(netuid: number, hotkey: string): { block: number; text: string } | null {
    const c = this.best.state.commitments.get(commitmentKey(netuid, toHex(hotkey)));
    if (!c) return null;
    const info = this.spec.registry.createType(
      registrationInfoType(this.spec) as never,
      hexToU8a(c.info),
    ) as unknown as {
      fields: { value: { toU8a(bare: boolean): Uint8Array } }[];
    };
    return { block: c.block, text: Buffer.from(info.fields[0]?.value.toU8a(true) ?? []).toString("latin1") };
  }

  /** Extrinsics of every block, for tests that count what landed. */
  includedExtrinsics(): { block: number; hex: string }[] {
    return this.blocks.flatMap((b) => b.extrinsics.map((hex) => ({ block: b.number, hex })));
  }

  /** Seals a block with the pending state changes (and no extrinsics). */
  produceBlock(): Block {
    return this.sealBlock([], [], this.beginBlock(this.nextNumber()));
  }

  produceBlocks(count: number): void {
    for (let i = 0; i < count; i++) this.produceBlock();
  }

  /** Runs until `number` is the best block. */
  produceBlocksUntil(number: number): void {
    while (this.blockNumber < number) this.produceBlock();
  }

  // ---- faults ----

  inject(fault: Fault): void {
    this.faults.push(fault);
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Stops listening and drops every connection; `restart()` brings the same chain back on the same port. */
  async stopServer(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    this.sockets.clear();
    this.subscriptions.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  async restart(delayMs = 0): Promise<void> {
    await this.stopServer();
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    await this.listen(this.portNumber);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.stopServer();
  }

  resetStats(): void {
    this.stats.requests.clear();
    this.stats.bytesIn = 0;
    this.stats.bytesOut = 0;
  }

  get requestCount(): number {
    return [...this.stats.requests.values()].reduce((a, b) => a + b, 0);
  }

  // ---- internals ----

  private subnet(netuid: number) {
    const subnet = this.state.subnets.get(netuid);
    if (!subnet) throw new Error(`devnet: no subnet ${netuid}`);
    return subnet;
  }

  private nextNumber(): number {
    const parent = this.blocks.at(-1);
    return !parent
      ? 0
      : parent.number === 0 && this.options.firstBlockNumber
        ? this.options.firstBlockNumber
        : parent.number + 1;
  }

  /**
   * `on_initialize` of block `number`: the drand pallet's rounds catch up with the wall clock (and, with
   * auto pulses, with the rounds pending commits need in their reveal epoch), then the subtensor block
   * step reveals what is due.
   */
  private beginBlock(number: number): EventSpec[] {
    const drand = this.state.drand;
    drand.lastStoredRound = Math.max(drand.lastStoredRound, roundAt(Date.now() / 1000, QUICKNET));
    if (this.autoPulses) {
      for (const [key, commits] of this.state.timelockedCommits) {
        const [netuid, epoch] = key.split(":").map(Number) as [number, number];
        const subnet = this.state.subnets.get(netuid);
        if (!subnet || epochIndex(subnet, number, netuid) < epoch + subnet.hyper.revealPeriodEpochs) continue;
        for (const c of commits) if (!drand.pulses.has(c.revealRound)) this.publishPulse(c.revealRound);
      }
    }
    return revealTimelockedCommits(this.state, number);
  }

  private sealBlock(extrinsics: string[], events: EventSpec[][], initEvents: EventSpec[] = []): Block {
    const parent = this.blocks.at(-1);
    const number = this.nextNumber();
    const registry = this.spec.registry;
    const header = registry.createType("Header", {
      parentHash: parent?.hash ?? "0x".padEnd(66, "0"),
      number,
      stateRoot: blake2AsHex(`state-${number}-${extrinsics.join()}`),
      extrinsicsRoot: blake2AsHex(u8aConcat(...extrinsics.map((x) => hexToU8a(x)))),
      digest: { logs: [] },
    }) as unknown as Header;
    this.state.timestampMs = Date.now() + this.clockSkewMs;
    const block: Block = {
      number,
      hash: u8aToHex(blake2AsU8a(header.toU8a(), 256)),
      header,
      extrinsics,
      state: cloneState(this.state),
      events: this.encodeEvents(events, initEvents),
      eventNames: [...initEvents, ...events.flat()].map((e) => `${e.section}.${e.method}`),
    };
    this.blocks.push(block);
    this.notifyHeads(block);
    return block;
  }

  private encodeEvents(perExtrinsic: EventSpec[][], initEvents: EventSpec[]): Uint8Array {
    const records: Uint8Array[] = [];
    // Phase: ApplyExtrinsic(u32) = 0, Finalization = 1, Initialization = 2.
    const phases: [Uint8Array, EventSpec[]][] = [
      [new Uint8Array([2]), initEvents],
      ...perExtrinsic.map(
        (events, index) =>
          [u8aConcat([0], this.spec.registry.createType("u32", index).toU8a()), events] as [
            Uint8Array,
            EventSpec[],
          ],
      ),
    ];
    for (const [phase, events] of phases) {
      for (const event of events) {
        const decorated = (
          this.spec.decorated.events as unknown as Record<
            string,
            Record<string, { meta: { index: { toNumber(): number }; fields: { type: unknown }[] } }>
          >
        )[event.section]?.[event.method];
        if (!decorated) throw new Error(`devnet: no event ${event.section}.${event.method}`);
        const pallet = palletIndex(this.spec, palletName(event.section));
        const fields = decorated.meta.fields.map((field, i) =>
          this.spec.registry
            .createType(this.spec.registry.createLookupType(field.type as never), event.values[i])
            .toU8a(),
        );
        records.push(u8aConcat(phase, [pallet, decorated.meta.index.toNumber()], ...fields, [0]));
      }
    }
    return u8aConcat(compactToU8a(records.length), ...records);
  }

  private storageAt(block: Block): Map<string, string> {
    if (!block.storage) block.storage = deriveStorage(this.spec, block.state, block.events, block.number);
    return block.storage;
  }

  private blockAt(hash: unknown): Block {
    if (hash === undefined || hash === null) return this.best;
    const block = this.blocks.find((b) => b.hash === hash);
    if (!block)
      throw new RpcError(-32000, `Client error: UnknownBlock: Header was not found in the database: ${hash}`);
    return block;
  }

  private async listen(port: number): Promise<void> {
    const server = new WebSocketServer({ host: "127.0.0.1", port });
    await new Promise<void>((resolve, reject) => {
      server.once("listening", resolve);
      server.once("error", reject);
    });
    this.server = server;
    this.portNumber = (server.address() as AddressInfo).port;
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => {
        this.sockets.delete(socket);
        for (const [id, sub] of this.subscriptions) if (sub.socket === socket) this.subscriptions.delete(id);
      });
      socket.on("message", (data) => {
        const text = data.toString();
        this.stats.bytesIn += text.length;
        void this.onMessage(socket, text);
      });
    });
  }

  private send(socket: WebSocket, message: unknown): void {
    if (socket.readyState !== socket.OPEN) return;
    const text = JSON.stringify(message);
    this.stats.bytesOut += text.length;
    socket.send(text);
  }

  private async onMessage(socket: WebSocket, text: string): Promise<void> {
    const request = JSON.parse(text) as { id: number; method: string; params: unknown[] };
    this.stats.requests.set(request.method, (this.stats.requests.get(request.method) ?? 0) + 1);
    const params = JSON.stringify(request.params ?? []);
    const faultIndex = this.faults.findIndex(
      (f) => (f.method === request.method || f.method === "*") && (!f.match || params.includes(f.match)),
    );
    const fault = faultIndex >= 0 ? this.faults.splice(faultIndex, 1)[0] : undefined;
    if (fault?.action === "drop") {
      socket.terminate();
      return;
    }
    if (fault?.action === "restart") {
      void this.restart(fault.downMs);
      return;
    }
    if (fault?.action === "stall") await new Promise((r) => setTimeout(r, fault.ms));
    if (fault?.action === "error") {
      this.send(socket, {
        jsonrpc: "2.0",
        id: request.id,
        error: { code: fault.code, message: fault.message },
      });
      return;
    }
    try {
      const result = this.handle(
        socket,
        request.method,
        request.params ?? [],
        fault?.action === "drop-after-include",
      );
      this.send(socket, { jsonrpc: "2.0", id: request.id, result });
      if (result && typeof result === "string" && this.pendingWatch) {
        const watch = this.pendingWatch;
        this.pendingWatch = null;
        watch(result);
      }
    } catch (error) {
      const e =
        error instanceof RpcError || error instanceof PoolError
          ? error
          : new RpcError(-32603, String((error as Error).stack ?? error));
      this.send(socket, {
        jsonrpc: "2.0",
        id: request.id,
        error: { code: e.code, message: e.message, ...(e.data ? { data: e.data } : {}) },
      });
    }
  }

  private pendingWatch: ((subscription: string) => void) | null = null;

  private subscribe(socket: WebSocket, kind: Subscription["kind"], keys?: string[]): string {
    const id = `sub${this.nextSubscription++}`;
    this.subscriptions.set(id, { socket, kind, keys });
    return id;
  }

  private notify(id: string, method: string, result: unknown): void {
    const sub = this.subscriptions.get(id);
    if (sub) this.send(sub.socket, { jsonrpc: "2.0", method, params: { subscription: id, result } });
  }

  private notifyHeads(block: Block): void {
    for (const [id, sub] of this.subscriptions) {
      if (sub.kind === "heads") this.notify(id, "chain_newHead", headerJson(block));
      if (sub.kind === "finalized") this.notify(id, "chain_finalizedHead", headerJson(block));
      if (sub.kind === "storage")
        this.notify(id, "state_storage", this.storageChanges(block, sub.keys ?? []));
    }
  }

  private storageChanges(block: Block, keys: string[]) {
    const storage = this.storageAt(block);
    return { block: block.hash, changes: keys.map((k) => [k, storage.get(k) ?? null]) };
  }

  private submit(
    hex: string,
    dropAfterInclude: boolean,
    socket: WebSocket | null,
  ): { hash: string; block: Block } {
    const xt = this.spec.registry.createType("Extrinsic", hexToU8a(hex)) as unknown as GenericExtrinsic;
    const ctx = {
      blockNumber: this.blockNumber,
      genesisHash: this.genesisHash,
      blockHashAt: (n: number) => this.blocks.find((b) => b.number === n)?.hash,
    };
    validateExtrinsic(this.spec, this.state, xt, ctx);
    const number = this.nextNumber();
    const initEvents = this.beginBlock(number);
    const { events } = applyExtrinsic(this.spec, this.state, xt, number);
    const block = this.sealBlock([hex], [events], initEvents);
    if (dropAfterInclude && socket) setImmediate(() => socket.terminate());
    return { hash: blake2AsHex(hexToU8a(hex)), block };
  }

  private handle(socket: WebSocket, method: string, params: unknown[], dropAfterInclude: boolean): unknown {
    const spec = this.spec;
    switch (method) {
      case "system_chain":
        return "Bittensor";
      case "system_name":
        return "sn11-devnet";
      case "system_version":
        return "0.0.1";
      case "system_properties":
        return { ss58Format: 42, tokenDecimals: 9, tokenSymbol: "TAO" };
      case "system_health":
        return { peers: 1, isSyncing: false, shouldHavePeers: true };
      case "rpc_methods":
        return { methods: spec.rpcMethods };
      case "chain_getBlockHash": {
        const n = params[0];
        if (n === undefined || n === null) return this.best.hash;
        return this.blocks.find((b) => b.number === Number(n))?.hash ?? null;
      }
      case "chain_getHead":
      case "chain_getFinalizedHead":
        return this.best.hash;
      case "chain_getHeader":
        return headerJson(this.blockAt(params[0]));
      case "chain_getBlock": {
        const block = this.blockAt(params[0]);
        return {
          block: { header: block.header.toJSON(), extrinsics: block.extrinsics },
          justifications: null,
        };
      }
      case "state_getRuntimeVersion":
        return spec.runtimeVersion;
      case "state_getMetadata":
        return spec.metadataV14Hex;
      case "state_call": {
        const block = this.blockAt(params[2]);
        try {
          return runtimeCall(
            spec,
            block.state,
            block.number,
            String(params[0]),
            hexToU8a(String(params[1])),
            {
              selectiveMetagraph: this.options.selectiveMetagraph !== false,
            },
          );
        } catch (error) {
          if (error instanceof RuntimeCallError) throw new RpcError(-32000, error.message);
          throw error;
        }
      }
      case "state_getStorage":
      case "state_getStorageAt":
        return this.storageAt(this.blockAt(params[1])).get(String(params[0])) ?? null;
      case "state_queryStorageAt": {
        const block = this.blockAt(params[1]);
        return [this.storageChanges(block, params[0] as string[])];
      }
      case "state_getKeysPaged":
      case "state_getKeys": {
        const prefix = String(params[0]);
        const paged = method === "state_getKeysPaged";
        const count = paged ? Number(params[1]) : Number.MAX_SAFE_INTEGER;
        const start = paged ? (params[2] as string | null | undefined) : undefined;
        const block = this.blockAt(paged ? params[3] : params[1]);
        return [...this.storageAt(block).keys()]
          .filter((k) => k.startsWith(prefix) && (!start || k > start))
          .sort()
          .slice(0, count);
      }
      case "state_subscribeRuntimeVersion": {
        const id = this.subscribe(socket, "runtime");
        setImmediate(() => this.notify(id, "state_runtimeVersion", spec.runtimeVersion));
        return id;
      }
      case "state_subscribeStorage": {
        const keys = (params[0] as string[]) ?? [];
        const id = this.subscribe(socket, "storage", keys);
        setImmediate(() => this.notify(id, "state_storage", this.storageChanges(this.best, keys)));
        return id;
      }
      case "chain_subscribeNewHeads":
      case "chain_subscribeAllHeads":
      case "chain_subscribeFinalizedHeads": {
        const id = this.subscribe(socket, method === "chain_subscribeFinalizedHeads" ? "finalized" : "heads");
        const header = headerJson(this.best);
        setImmediate(() =>
          this.notify(
            id,
            method === "chain_subscribeFinalizedHeads" ? "chain_finalizedHead" : "chain_newHead",
            header,
          ),
        );
        return id;
      }
      case "system_accountNextIndex":
      case "account_nextIndex": {
        const account = u8aToHex(decodeAddress(String(params[0])));
        return this.state.nonces.get(account) ?? 0;
      }
      case "author_submitExtrinsic":
        return this.submit(String(params[0]), dropAfterInclude, socket).hash;
      case "author_submitAndWatchExtrinsic": {
        const { block } = this.submit(String(params[0]), dropAfterInclude, socket);
        const id = this.subscribe(socket, "extrinsic");
        this.pendingWatch = (sub) => {
          this.notify(sub, "author_extrinsicUpdate", "ready");
          this.notify(sub, "author_extrinsicUpdate", { inBlock: block.hash });
          this.notify(sub, "author_extrinsicUpdate", { finalized: block.hash });
        };
        return id;
      }
      default:
        if (/_unsubscribe|unwatchExtrinsic/.test(method)) {
          this.subscriptions.delete(String(params[0]));
          return true;
        }
        throw new RpcError(-32601, "Method not found");
    }
  }
}

class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: string,
  ) {
    super(message);
  }
}

/** A header as a node serializes it: the number as hex. */
function headerJson(block: Block): Record<string, unknown> {
  return { ...(block.header.toJSON() as Record<string, unknown>), number: `0x${block.number.toString(16)}` };
}

function palletName(section: string): string {
  return (
    { system: "System", commitments: "Commitments", subtensorModule: "SubtensorModule" }[section] ?? section
  );
}

/** Accepts an SS58 address or hex public key. */
export function toHex(account: string): string {
  return account.startsWith("0x") ? account.toLowerCase() : u8aToHex(decodeAddress(account));
}
