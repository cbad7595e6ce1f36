import type { ApiPromise } from "@polkadot/api";
import { allExtensions } from "@polkadot/types/extrinsic/signedExtensions";
import type { ExtDef } from "@polkadot/types/extrinsic/signedExtensions/types";

/**
 * Signed extensions Subtensor adds that carry no data. Declaring them keeps polkadot-js from warning;
 * ChargeTransactionPaymentWrapper (newer runtimes) carries the tip, as ChargeTransactionPayment does.
 */
export const SUBTENSOR_EXTENSIONS: ExtDef = {
  SubtensorTransactionExtension: { extrinsic: {}, payload: {} },
  DrandPriority: { extrinsic: {}, payload: {} },
  SudoTransactionExtension: { extrinsic: {}, payload: {} },
  CheckShieldedTxValidity: { extrinsic: {}, payload: {} },
  ChargeTransactionPaymentWrapper: { extrinsic: { tip: "Compact<Balance>" }, payload: {} },
};

export interface ExtensionReport {
  /** Extensions the metadata lists and neither polkadot-js nor sn11 knows, but which carry no data. */
  readonly emptyUnknown: string[];
  /** Unknown extensions that carry data: signing would produce transactions the chain rejects. */
  readonly unsupported: { name: string; types: string }[];
}

export interface ExtensionType {
  readonly name: string;
  /** The type in the extrinsic ("extra") and in the signed payload ("implicit"), as type-def strings. */
  readonly explicit: string;
  readonly implicit: string;
}

function isEmptyType(type: string): boolean {
  return type === "Null" || type === "()" || type === "{}" || type === "[]";
}

/** Sorts out the signed extensions sn11 cannot sign for: unknown ones are fine only while they carry nothing. */
export function classifyExtensions(
  extensions: readonly ExtensionType[],
  known: ReadonlySet<string>,
): ExtensionReport {
  const report: ExtensionReport = { emptyUnknown: [], unsupported: [] };
  for (const ext of extensions) {
    if (known.has(ext.name)) continue;
    if (isEmptyType(ext.explicit) && isEmptyType(ext.implicit)) report.emptyUnknown.push(ext.name);
    else report.unsupported.push({ name: ext.name, types: `${ext.explicit} / ${ext.implicit}` });
  }
  return report;
}

const KNOWN = new Set([...Object.keys(allExtensions), ...Object.keys(SUBTENSOR_EXTENSIONS)]);

/** The live metadata's signed extensions, classified. */
export function inspectExtensions(api: ApiPromise): ExtensionReport {
  const extrinsic = api.registry.metadata.extrinsic as unknown as Record<string, unknown>;
  const list = (extrinsic.transactionExtensions ?? extrinsic.signedExtensions ?? []) as {
    identifier: { toString(): string };
    type: unknown;
    implicit?: unknown;
    additionalSigned?: unknown;
  }[];
  const typeOf = (id: unknown) =>
    id === undefined ? "Null" : api.registry.lookup.getTypeDef(id as never).type;
  return classifyExtensions(
    list.map((ext) => ({
      name: ext.identifier.toString(),
      explicit: typeOf(ext.type),
      implicit: typeOf(ext.implicit ?? ext.additionalSigned),
    })),
    KNOWN,
  );
}
