import { randomBytes } from "node:crypto";
import { Keyring } from "@polkadot/keyring";
import type { KeyringPair } from "@polkadot/keyring/types";
import { u8aToHex } from "@polkadot/util";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { Devnet, type DevnetOptions } from "./devnet.js";
import type { Hyperparameters } from "./state.js";

/** btwallet's test mnemonic (→ 5HDvhV6W…): the validator's hotkey, so tests can write it as a keyfile. */
export const VALIDATOR_MNEMONIC =
  "old leopard transfer rib spatial phone calm indicate online fire caution review";

export interface SubnetFixture {
  readonly devnet: Devnet;
  /** Real sr25519 keys, registered at uids 0.. in this order: a validator (from VALIDATOR_MNEMONIC) and miners. */
  readonly keys: { validator: KeyringPair; miners: KeyringPair[]; outsider: KeyringPair };
}

/**
 * A devnet with netuid 11 of `uids` neurons: uid 0 is a validator with a permit and stake, uids 1..3 are
 * miners with real keys, the rest random public keys. The chain has produced `startBlock` blocks.
 */
export async function startSubnet(
  options: DevnetOptions & { uids?: number; hyper?: Partial<Hyperparameters>; netuid?: number } = {},
): Promise<SubnetFixture> {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
  const validator = keyring.addFromMnemonic(VALIDATOR_MNEMONIC);
  const miners = ["//Bob", "//Charlie", "//Dave"].map((uri) => keyring.addFromUri(uri));
  const outsider = keyring.addFromUri("//Eve");
  const devnet = await Devnet.start({ startBlock: 10, ...options });
  const netuid = options.netuid ?? 11;
  devnet.addSubnet(netuid, { weightsVersionKey: 7, ...options.hyper });
  devnet.registerNeuron(netuid, {
    hotkey: validator.address,
    coldkey: keyring.addFromUri("//Alice//stash").address,
    validatorPermit: true,
    alphaStake: 1_500_000_000_000n,
  });
  for (const miner of miners)
    devnet.registerNeuron(netuid, { hotkey: miner.address, alphaStake: 1_000_000_000n });
  for (let uid = 1 + miners.length; uid < (options.uids ?? 8); uid++) {
    devnet.registerNeuron(netuid, {
      hotkey: u8aToHex(randomBytes(32)),
      alphaStake: BigInt(uid) * 250_000_000n,
    });
  }
  devnet.produceBlock();
  return { devnet, keys: { validator, miners, outsider } };
}
