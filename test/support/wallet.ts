import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./cli.js";

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
