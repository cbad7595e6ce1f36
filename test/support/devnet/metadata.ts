import { readFileSync } from "node:fs";
import { expandMetadata, Metadata, TypeRegistry } from "@polkadot/types";
import type { DecoratedMeta } from "@polkadot/types/metadata/decorate/types";
import { compactStripLength, hexToU8a } from "@polkadot/util";
import { sharedFile } from "../shared.js";

/** The real Subtensor metadata (spec 343) from ../shared/fixtures, and what a node says about itself. */
export interface ChainSpec {
  readonly registry: TypeRegistry;
  readonly metadata: Metadata;
  readonly decorated: DecoratedMeta;
  /** `state_call Metadata_metadata_at_version(15)`: 0x01 + compact length + metadata, as recorded. */
  readonly metadataAtVersionHex: string;
  readonly metadataV14Hex: string;
  readonly runtimeVersion: Record<string, unknown>;
  readonly rpcMethods: string[];
}

let cached: ChainSpec | undefined;

export function loadChainSpec(): ChainSpec {
  if (cached) return cached;
  const atVersion = readFileSync(sharedFile("fixtures/subtensor/metadata-v15-at-version.hex"), "utf8").trim();
  const [, bytes] = compactStripLength(hexToU8a(atVersion).subarray(1));
  const registry = new TypeRegistry();
  const metadata = new Metadata(registry, bytes);
  registry.setMetadata(metadata, undefined, {
    SubtensorTransactionExtension: { extrinsic: {}, payload: {} },
    DrandPriority: { extrinsic: {}, payload: {} },
  });
  const recorded = JSON.parse(readFileSync(sharedFile("fixtures/subtensor/recorded-rpc.json"), "utf8"));
  const runtimeVersion = (
    Object.values(recorded.metagraph.state_getRuntimeVersion)[0] as { result: Record<string, unknown> }
  ).result;
  const rpcMethods = (
    Object.values(recorded.neurons_lite.rpc_methods)[0] as { result: { methods: string[] } }
  ).result.methods;
  cached = {
    registry,
    metadata,
    decorated: expandMetadata(registry, metadata),
    metadataAtVersionHex: atVersion,
    metadataV14Hex: readFileSync(sharedFile("fixtures/subtensor/metadata-v14.hex"), "utf8").trim(),
    runtimeVersion,
    rpcMethods,
  };
  return cached;
}

export function recordedRpc(): Record<string, Record<string, Record<string, { result?: unknown }>>> {
  return JSON.parse(readFileSync(sharedFile("fixtures/subtensor/recorded-rpc.json"), "utf8"));
}

export function palletIndex(spec: ChainSpec, name: string): number {
  const pallet = spec.metadata.asLatest.pallets.find((p) => p.name.toString() === name);
  if (!pallet) throw new Error(`no pallet ${name}`);
  return pallet.index.toNumber();
}
