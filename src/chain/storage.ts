import type { ApiPromise } from "@polkadot/api";
import type { StorageKey } from "@polkadot/types";
import type { Codec } from "@polkadot/types/types";

/** A JSON-RPC call straight to the provider (rpc-core memoizes identical calls, so retries would replay failures). */
export type RawRpc = (method: string, params: unknown[]) => Promise<unknown>;

/** The parts of a decorated storage entry sn11 uses to build keys and decode values. */
export interface EntryLike {
  key(...args: unknown[]): string;
  keyPrefix(...args: unknown[]): string;
  creator: {
    meta: {
      type: { isPlain: boolean; asPlain: unknown; asMap: { value: unknown } };
      fallback?: { toU8a(isBare?: boolean): Uint8Array };
    };
    section: string;
    method: string;
  };
}

/** A storage value as the node returned it, or the metadata's default where the key is absent. */
export function decodeValue(
  api: Pick<ApiPromise, "registry">,
  entry: EntryLike,
  raw: Uint8Array | null,
): Codec {
  const t = entry.creator.meta.type;
  const typeName = api.registry.createLookupType((t.isPlain ? t.asPlain : t.asMap.value) as never);
  return api.registry.createType(
    typeName,
    raw ?? entry.creator.meta.fallback?.toU8a(true) ?? new Uint8Array(),
  );
}

export function keyArgs(api: ApiPromise, entry: EntryLike, hex: string): Codec[] {
  const key = api.createType("StorageKey", hex) as StorageKey;
  key.setMeta(entry.creator.meta as never, entry.creator.section, entry.creator.method);
  return key.args;
}

/** Many storage values at one block in one `state_queryStorageAt`; null where a key holds nothing. */
export async function storageValuesAt(
  rpc: RawRpc,
  keys: string[],
  at: string,
): Promise<(Uint8Array | null)[]> {
  if (keys.length === 0) return [];
  const sets = (await rpc("state_queryStorageAt", [keys, at])) as { changes: [string, string | null][] }[];
  const byKey = new Map(sets.flatMap((set) => set.changes));
  return keys.map((k) => {
    const v = byKey.get(k);
    return v ? Uint8Array.from(Buffer.from(v.slice(2), "hex")) : null;
  });
}

/** A storage entry of the live metadata by pallet section and name, or undefined on runtimes without it. */
export function storageEntry(api: ApiPromise, section: string, name: string): EntryLike | undefined {
  return (api.query as unknown as Record<string, Record<string, EntryLike> | undefined>)[section]?.[name];
}
