import { readFileSync, statSync } from "node:fs";
import { Keyring } from "@polkadot/keyring";
import type { KeyringPair } from "@polkadot/keyring/types";
import { hexToU8a, u8aToString } from "@polkadot/util";
import { cryptoWaitReady, naclDecrypt } from "@polkadot/util-crypto";
import { argon2i } from "hash-wasm";
import { ConfigError } from "../errors.js";
import type { Logger } from "../log.js";
import { hotkeyFile, type KeyfileJson, NACL_PREFIX, type WalletLocation } from "./wallet-files.js";

/** btwallet's fixed argon2i salt for `$NACL` keyfiles. */
const NACL_SALT = Uint8Array.from([
  0x13, 0x71, 0x83, 0xdf, 0xf1, 0x5a, 0x09, 0xbc, 0x9c, 0x90, 0xb5, 0x51, 0x87, 0x39, 0xe9, 0xb1,
]);

/** libsodium crypto_pwhash with OPSLIMIT/MEMLIMIT_SENSITIVE (argon2i v1.3, 8 passes, 512 MiB): several seconds. */
export async function naclKey(password: string): Promise<Uint8Array> {
  return argon2i({
    password,
    salt: NACL_SALT,
    parallelism: 1,
    iterations: 8,
    memorySize: 524288,
    hashLength: 32,
    outputType: "binary",
  });
}

export interface PasswordSource {
  /** Env first (SN11_WALLET_PASSWORD, then btwallet's BT_PW_* variable), then a prompt on a terminal. */
  (file: string): Promise<string | null>;
}

/** btwallet's environment password: `BT_PW_` + the path upper-cased with `/` and `.` as `_`, XOR-ed with the name. */
export function btwalletPasswordFromEnv(
  file: string,
  env: Readonly<Record<string, string | undefined>>,
): string | null {
  const name = `BT_PW_${file.replace(/[/.]/g, "_").toUpperCase()}`;
  const value = env[name];
  if (!value) return null;
  return Array.from(value, (ch, i) =>
    String.fromCharCode(ch.charCodeAt(0) ^ name.charCodeAt(i % name.length)),
  ).join("");
}

function parseKeyfile(text: string, file: string): KeyfileJson {
  try {
    const json = JSON.parse(text) as unknown;
    if (json && typeof json === "object") return json as KeyfileJson;
  } catch {
    // fall through to the error below
  }
  throw new ConfigError(`the key file ${file} is neither a keyfile JSON nor a $NACL-encrypted one`);
}

/** The sr25519 pair from a keyfile's secrets, in btwallet's priority: phrase, then seed. */
export function pairFromKeyfile(data: KeyfileJson, file: string): KeyringPair {
  const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
  let pair: KeyringPair;
  if (data.secretPhrase) pair = keyring.addFromMnemonic(data.secretPhrase);
  else if (data.secretSeed) pair = keyring.addFromSeed(hexToU8a(data.secretSeed));
  else {
    throw new ConfigError(`the key file ${file} has no secretPhrase or secretSeed`, {
      hint: "sn11 signs with the hotkey: regenerate the hotkey file with btcli (keys created from a URI are not supported)",
    });
  }
  if (data.ss58Address && data.ss58Address !== pair.address) {
    throw new ConfigError(
      `the key file ${file} says ${data.ss58Address} but its secret derives ${pair.address}`,
    );
  }
  return pair;
}

/** Loads the hotkey that signs commitments and weights; warns when others can read the file. */
export async function loadHotkey(
  wallet: WalletLocation,
  options: { logger: Logger; password: PasswordSource },
): Promise<KeyringPair> {
  await cryptoWaitReady();
  const file = hotkeyFile(wallet);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new ConfigError(`no hotkey at ${file} (${(error as NodeJS.ErrnoException).code ?? error})`, {
      hint: "pick the wallet with --wallet.name, --wallet.hotkey and --wallet.path (or BT_WALLET_NAME, BT_WALLET_HOTKEY, BT_WALLET_PATH)",
    });
  }
  const mode = statSync(file).mode;
  if (mode & 0o077) {
    options.logger.warn(
      { file, mode: (mode & 0o777).toString(8) },
      "the hotkey file is readable by other users: chmod 600 it",
    );
  }
  const text = bytes.toString("utf8");
  if (text.startsWith("$ANSIBLE_VAULT") || text.startsWith("gAAAAA")) {
    throw new ConfigError(`the key file ${file} uses an old encryption sn11 does not read`, {
      hint: "re-encrypt it with a current btcli (it writes $NACL files), or keep the hotkey unencrypted",
    });
  }
  if (!text.startsWith(NACL_PREFIX)) return pairFromKeyfile(parseKeyfile(text, file), file);

  const password = await options.password(file);
  if (password === null) {
    throw new ConfigError(`the hotkey ${file} is encrypted and no password was given`, {
      hint: "set SN11_WALLET_PASSWORD, or run on a terminal to be asked",
    });
  }
  const body = bytes.subarray(NACL_PREFIX.length);
  const plain = naclDecrypt(body.subarray(24), body.subarray(0, 24), await naclKey(password));
  if (!plain) throw new ConfigError(`wrong password for ${file}`);
  return pairFromKeyfile(parseKeyfile(u8aToString(plain), file), file);
}

/** Asks for a password on the terminal without echoing it. */
export async function promptPassword(
  prompt: string,
  input: NodeJS.ReadStream,
  output: NodeJS.WriteStream,
): Promise<string> {
  output.write(prompt);
  input.setRawMode?.(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let value = "";
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") {
          cleanup();
          output.write("\n");
          resolve(value);
          return;
        }
        if (ch === "\u0003") {
          cleanup();
          reject(new Error("cancelled"));
          return;
        }
        if (ch === "\u007f") value = value.slice(0, -1);
        else value += ch;
      }
    };
    const cleanup = () => {
      input.off("data", onData);
      input.setRawMode?.(false);
      input.pause();
    };
    input.on("data", onData);
  });
}
