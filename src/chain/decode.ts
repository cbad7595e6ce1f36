import type { Codec, Registry } from "@polkadot/types/types";
import type { ChainCommitment } from "./types.js";

interface DataField {
  readonly type: string;
  readonly value: { toU8a(isBare?: boolean): Uint8Array };
}

/**
 * Decodes a `Registration` as the reference validator does: only the first field counts, RawN bytes are
 * read one by one as Latin-1 (`chr()`); any other shape is reported, never thrown.
 */
export function decodeRegistration(hotkey: string, registration: Codec): ChainCommitment {
  const value = registration as unknown as { block: { toNumber(): number }; info: { fields: DataField[] } };
  const block = value.block.toNumber();
  const first = value.info.fields[0];
  if (!first) return { hotkey, block, data: null, shape: "empty", problem: "commitment has no fields" };
  if (/^Raw\d+$/.test(first.type)) {
    return {
      hotkey,
      block,
      data: Buffer.from(first.value.toU8a(true)).toString("latin1"),
      shape: first.type,
      problem: null,
    };
  }
  return {
    hotkey,
    block,
    data: null,
    shape: first.type,
    problem: `first field is ${first.type}, not Raw bytes`,
  };
}

export function registrationType(registry: Registry): string {
  // Resolved from the live metadata so a renamed type does not break decoding.
  const entry = (
    registry.metadata.pallets as unknown as {
      name: { toString(): string };
      storage: {
        unwrapOr(
          x: null,
        ): { items: { name: { toString(): string }; type: { asMap: { value: unknown } } }[] } | null;
      };
    }[]
  )
    .find((p) => p.name.toString() === "Commitments")
    ?.storage.unwrapOr(null)
    ?.items.find((i) => i.name.toString() === "CommitmentOf");
  if (!entry) throw new Error("the chain's metadata has no Commitments.CommitmentOf");
  return registry.createLookupType(entry.type.asMap.value as never);
}
