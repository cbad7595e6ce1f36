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

function isEmptyType(type: string): boolean {
  return type === "Null" || type === "()" || type === "{}" || type === "[]";
}

/** Reads the live metadata's signed extensions and sorts out the ones sn11 cannot sign for. */
export function inspectExtensions(api: ApiPromise): ExtensionReport {
  const extrinsic = api.registry.metadata.extrinsic as unknown as Record<string, unknown>;
  const list = (extrinsic.transactionExtensions ?? extrinsic.signedExtensions ?? []) as {
    identifier: { toString(): string };
    type: unknown;
    implicit?: unknown;
    additionalSigned?: unknown;
  }[];
  const report: ExtensionReport = { emptyUnknown: [], unsupported: [] };
  for (const ext of list) {
    const name = ext.identifier.toString();
    if (name in allExtensions || name in SUBTENSOR_EXTENSIONS) continue;
    const explicit = api.registry.lookup.getTypeDef(ext.type as never).type;
    const implicitId = ext.implicit ?? ext.additionalSigned;
    const implicit =
      implicitId === undefined ? "Null" : api.registry.lookup.getTypeDef(implicitId as never).type;
    if (isEmptyType(explicit) && isEmptyType(implicit)) report.emptyUnknown.push(name);
    else report.unsupported.push({ name, types: `${explicit} / ${implicit}` });
  }
  return report;
}
