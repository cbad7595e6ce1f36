import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanEnv, tempDir } from "./cli.js";

/** Writes a btcli-layout wallet with an unencrypted hotkey file (mode 600) and returns its location. */
export function writeWallet(
  secret: { secretPhrase?: string; secretSeed?: string; ss58Address?: string },
  options: { name?: string; hotkey?: string; mode?: number; raw?: Uint8Array } = {},
): { path: string; name: string; hotkey: string; file: string } {
  const path = tempDir("sn11-wallets-");
  const name = options.name ?? "validator";
  const hotkey = options.hotkey ?? "default";
  mkdirSync(join(path, name, "hotkeys"), { recursive: true });
  const file = join(path, name, "hotkeys", hotkey);
  writeFileSync(file, options.raw ?? JSON.stringify(secret));
  chmodSync(file, options.mode ?? 0o600);
  return { path, name, hotkey, file };
}

/** A CLI run's environment against a devnet as the wallet holding `secret`, in a fresh data dir. */
export function devnetWalletEnv(
  devnetUrl: string,
  secret: Parameters<typeof writeWallet>[0],
  extra: Record<string, string> = {},
): Record<string, string> {
  const wallet = writeWallet(secret);
  return cleanEnv({
    SN11_NETWORK: devnetUrl,
    SN11_DATA_DIR: tempDir(),
    SN11_CHAIN_TIMEOUT: "5",
    BT_WALLET_PATH: wallet.path,
    BT_WALLET_NAME: wallet.name,
    BT_WALLET_HOTKEY: wallet.hotkey,
    ...extra,
  });
}
