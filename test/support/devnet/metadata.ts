import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { expandMetadata, Metadata, TypeRegistry } from "@polkadot/types";
import type { DecoratedMeta } from "@polkadot/types/metadata/decorate/types";
import { compactStripLength, hexToU8a, u8aToHex } from "@polkadot/util";
import { REPO_ROOT, sharedFile } from "../shared.js";

/**
 * The real Subtensor metadata (spec 343) and what a finney node says about itself, from test/fixtures (copied
 * from ../shared/fixtures/subtensor, gzipped bytes instead of hex): the devnet and the demo need no ../shared.
 */
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

const FIXTURES = join(REPO_ROOT, "test/fixtures/subtensor");

function fixtureHex(name: string): string {
  return u8aToHex(gunzipSync(readFileSync(join(FIXTURES, name))));
}

export function loadChainSpec(): ChainSpec {
  if (cached) return cached;
  const atVersion = fixtureHex("metadata-v15-at-version.bin.gz");
  const [, bytes] = compactStripLength(hexToU8a(atVersion).subarray(1));
  const registry = new TypeRegistry();
  const metadata = new Metadata(registry, bytes);
  registry.setMetadata(metadata, undefined, {
    SubtensorTransactionExtension: { extrinsic: {}, payload: {} },
    DrandPriority: { extrinsic: {}, payload: {} },
  });
  const node = JSON.parse(readFileSync(join(FIXTURES, "node.json"), "utf8")) as {
    runtimeVersion: Record<string, unknown>;
    rpcMethods: string[];
  };
  cached = {
    registry,
    metadata,
    decorated: expandMetadata(registry, metadata),
    metadataAtVersionHex: atVersion,
    metadataV14Hex: fixtureHex("metadata-v14.bin.gz"),
    runtimeVersion: node.runtimeVersion,
    rpcMethods: node.rpcMethods,
  };
  return cached;
}

/** Real finney responses (1.3 MB, not copied into the repo): only the decoder tests read them, skipping without. */
export function recordedRpc(): Record<string, Record<string, Record<string, { result?: unknown }>>> {
  return JSON.parse(readFileSync(sharedFile("fixtures/subtensor/recorded-rpc.json"), "utf8"));
}

export function palletIndex(spec: ChainSpec, name: string): number {
  const pallet = spec.metadata.asLatest.pallets.find((p) => p.name.toString() === name);
  if (!pallet) throw new Error(`no pallet ${name}`);
  return pallet.index.toNumber();
}
