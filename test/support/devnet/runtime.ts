import type { Codec } from "@polkadot/types/types";
import { compactToU8a, hexToU8a, u8aConcat, u8aToHex } from "@polkadot/util";
import type { ChainSpec } from "./metadata.js";
import { type ChainState, registrationInfoType } from "./state.js";

export class RuntimeCallError extends Error {}

const SELECTIVE_TYPE = "Option<PalletSubtensorRpcInfoMetagraphSelectiveMetagraph>";

/** The runtime APIs a client of sn11 calls through `state_call`, computed from the block's state. */
export function runtimeCall(
  spec: ChainSpec,
  state: ChainState,
  blockNumber: number,
  method: string,
  args: Uint8Array,
  options: { selectiveMetagraph: boolean },
): string {
  const { registry } = spec;
  switch (method) {
    case "Metadata_metadata_versions":
      return registry.createType("Vec<u32>", [14, 15]).toHex();
    case "Metadata_metadata_at_version": {
      const version = registry.createType("u32", args).toNumber();
      if (version === 15) return spec.metadataAtVersionHex;
      if (version === 14) {
        const bytes = hexToU8a(spec.metadataV14Hex);
        return u8aToHex(u8aConcat([1], compactToU8a(bytes.length), bytes));
      }
      return "0x00";
    }
    case "AccountNonceApi_account_nonce": {
      const account = registry.createType("AccountId32", args).toHex();
      return registry.createType("u32", state.nonces.get(account) ?? 0).toHex();
    }
    case "SubnetInfoRuntimeApi_get_selective_metagraph":
    case "SubnetInfoRuntimeApi_get_selective_mechagraph": {
      if (!options.selectiveMetagraph) {
        throw new RuntimeCallError(`Execution failed: Exported method ${method} is not found`);
      }
      const decoded = method.endsWith("mechagraph")
        ? (registry.createType("(u16, u8, Vec<u16>)", args).toJSON() as [number, number, number[]])
        : (registry.createType("(u16, Vec<u16>)", args).toJSON() as [number, number[]]);
      const netuid = decoded[0];
      const indexes = decoded.at(-1) as number[];
      // Option.toHex() drops the Some/None byte; a node returns the full SCALE bytes.
      return u8aToHex(selectiveMetagraph(spec, state, blockNumber, netuid, indexes).toU8a());
    }
    default:
      throw new RuntimeCallError(`Execution failed: Exported method ${method} is not found`);
  }
}

function selectiveMetagraph(
  spec: ChainSpec,
  state: ChainState,
  blockNumber: number,
  netuid: number,
  indexes: number[],
) {
  const { registry } = spec;
  const subnet = state.subnets.get(netuid);
  if (!subnet) return registry.createType(SELECTIVE_TYPE, null);
  const neurons = subnet.neurons;
  const h = subnet.hyper;
  const infoType = registrationInfoType(spec);
  const registrationType = registry.createLookupType(
    (spec.decorated.query.commitments!.commitmentOf!.meta.type as unknown as { asMap: { value: never } })
      .asMap.value,
  );
  const commitments = [...state.commitments.entries()]
    .filter(([key]) => key.startsWith(`${netuid}:`))
    .map(([key, c]) => {
      const hotkey = key.split(":")[1] as string;
      const info = registry.createType<Codec>(infoType, hexToU8a(c.info));
      const registration = registry.createType<Codec>(registrationType, { deposit: 0, block: c.block, info });
      return [hotkey, Array.from(registration.toU8a())];
    });
  const values: Record<string, unknown> = {
    netuid,
    block: blockNumber,
    tempo: h.tempo,
    numUids: neurons.length,
    maxUids: 4096,
    minAllowedWeights: h.minAllowedWeights,
    maxWeightsLimit: h.maxWeightsLimit,
    weightsVersion: h.weightsVersionKey,
    weightsRateLimit: h.weightsRateLimit,
    activityCutoff: h.activityCutoff,
    kappa: h.kappa,
    maxValidators: h.maxAllowedValidators,
    immunityPeriod: h.immunityPeriod,
    commitRevealWeightsEnabled: h.commitRevealEnabled,
    commitRevealPeriod: h.revealPeriodEpochs,
    ownerHotkey: subnet.ownerHotkey ?? "0x".padEnd(66, "0"),
    hotkeys: neurons.map((n) => n.hotkey),
    coldkeys: neurons.map((n) => n.coldkey),
    active: neurons.map((n) => n.active),
    validatorPermit: neurons.map((n) => n.validatorPermit),
    lastUpdate: neurons.map((n) => n.lastUpdate),
    blockAtRegistration: neurons.map((n) => n.blockAtRegistration),
    emission: neurons.map((n) => n.emission ?? 0n),
    dividends: neurons.map((n) => n.dividends ?? 0),
    incentives: neurons.map((n) => n.incentive ?? 0),
    consensus: neurons.map((n) => n.consensus ?? 0),
    alphaStake: neurons.map((n) => n.alphaStake),
    taoStake: neurons.map((n) => n.taoStake),
    totalStake: neurons.map((n) => n.alphaStake + n.taoStake),
    validators: neurons.flatMap((n, uid) => (n.validatorPermit ? [uid] : [])),
    commitments,
  };
  const fieldNames = Object.keys(
    registry.createType("PalletSubtensorRpcInfoMetagraphSelectiveMetagraph").toJSON() as object,
  );
  const requested = new Set([0, ...indexes]);
  const selected: Record<string, unknown> = {};
  fieldNames.forEach((name, index) => {
    selected[name] = requested.has(index) && name in values ? values[name] : null;
  });
  return registry.createType(SELECTIVE_TYPE, selected);
}
