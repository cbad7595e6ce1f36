import { hotkeyFile, readHotkeyAddress } from "../chain/wallet-files.js";
import { ConfigError } from "../errors.js";

/**
 * The hotkey a read-only command looks at: the one given, else the configured wallet's address (read
 * without its secret). A missing wallet file is a configuration problem (78), as submit and validate say it.
 */
export function hotkeyAddress(
  given: string | undefined,
  config: { readonly walletName: string; readonly walletHotkey: string; readonly walletPath: string },
): string {
  const wallet = { name: config.walletName, hotkey: config.walletHotkey, path: config.walletPath };
  const hotkey = given ?? readHotkeyAddress(wallet);
  if (!hotkey) {
    throw new ConfigError(`no hotkey at ${hotkeyFile(wallet)}`, {
      hint: "pass --hotkey SS58, or pick the wallet with --wallet.name, --wallet.hotkey and --wallet.path",
    });
  }
  return hotkey;
}
