import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Wallet files that can be read without any key material (and without loading crypto code). */

/** Where a bittensor wallet lives: `<path>/<name>/hotkeys/<hotkey>`, as btcli lays it out. */
export interface WalletLocation {
  readonly path: string;
  readonly name: string;
  readonly hotkey: string;
}

export function hotkeyFile(w: WalletLocation): string {
  return join(w.path, w.name, "hotkeys", w.hotkey);
}

export const NACL_PREFIX = "$NACL";

export interface KeyfileJson {
  secretPhrase?: string;
  secretSeed?: string;
  privateKey?: string;
  publicKey?: string;
  accountId?: string;
  ss58Address?: string;
}

/** The hotkey's address without its secret: `<hotkey>pub.txt`, or the plain keyfile's ss58Address. */
export function readHotkeyAddress(wallet: WalletLocation): string | null {
  for (const file of [`${hotkeyFile(wallet)}pub.txt`, hotkeyFile(wallet)]) {
    try {
      const text = readFileSync(file, "utf8");
      if (text.startsWith(NACL_PREFIX)) continue;
      const address = (JSON.parse(text) as KeyfileJson).ss58Address;
      if (address) return address;
    } catch {
      // try the next file
    }
  }
  return null;
}
