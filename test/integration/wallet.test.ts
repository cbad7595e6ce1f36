import { stringToU8a, u8aConcat, u8aToHex } from "@polkadot/util";
import { cryptoWaitReady, naclEncrypt } from "@polkadot/util-crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { btwalletPasswordFromEnv, loadHotkey, naclKey, pairFromKeyfile } from "../../src/chain/wallet.js";
import { ConfigError } from "../../src/errors.js";
import { createLogger } from "../../src/log.js";
import { writeWallet } from "../support/wallet.js";

// btwallet's test vectors (tests/test_keyfile.py), as CHAIN-FACTS §5.3–5.4 lists them.
const MNEMONIC = "old leopard transfer rib spatial phone calm indicate online fire caution review";
const SEED = "0xda3cf5b1e9144931a0f0db65664aab662673b099415a7f8121b7245fb0be4143";
const PUBKEY = "0xe4359ad3e2716c539a1d663ebd0a51bdc5c98a12e663bb4c4402db47828c9446";
const ADDRESS = "5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX";
const NACL_PASSWORD = "thisisafakepassword";
const NACL_KEY = "0xa17c46ecafdd501ecb1da0651d35abfecf60df14bffa8e949f58aaecd75cb3c8";

function logSink() {
  const lines: string[] = [];
  return { lines, logger: createLogger({ write: (s: string) => lines.push(s) }, "warn") };
}

beforeAll(async () => {
  await cryptoWaitReady();
});

describe("bittensor keyfiles", () => {
  it.each([
    ["secretPhrase", { secretPhrase: MNEMONIC }],
    ["secretSeed", { secretSeed: SEED }],
    ["both, with the address", { secretPhrase: MNEMONIC, secretSeed: SEED, ss58Address: ADDRESS }],
  ])("derives the test vector's key from %s", (_label, data) => {
    const pair = pairFromKeyfile(data, "hotkey");
    expect(pair.address).toBe(ADDRESS);
    expect(u8aToHex(pair.publicKey)).toBe(PUBKEY);
  });

  it("refuses a file whose address does not match its secret, or that has no usable secret", () => {
    expect(() =>
      pairFromKeyfile(
        { secretSeed: SEED, ss58Address: "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY" },
        "f",
      ),
    ).toThrow(/derives 5HDvhV6W/);
    expect(() => pairFromKeyfile({ privateKey: "0x00" }, "f")).toThrow(ConfigError);
  });

  it("loads the wallet's hotkey from the btcli layout, and says where it looked when missing", async () => {
    const w = writeWallet({ secretPhrase: MNEMONIC });
    const { logger, lines } = logSink();
    const pair = await loadHotkey(w, { logger, password: async () => null });
    expect(pair.address).toBe(ADDRESS);
    expect(lines).toEqual([]);
    await expect(
      loadHotkey({ ...w, hotkey: "nope" }, { logger, password: async () => null }),
    ).rejects.toThrow(/no hotkey at .*hotkeys\/nope/);
  });

  it("warns when the hotkey file is readable by others, without logging the secret", async () => {
    const w = writeWallet({ secretPhrase: MNEMONIC }, { mode: 0o644 });
    const { logger, lines } = logSink();
    await loadHotkey(w, { logger, password: async () => null });
    expect(lines.join("")).toContain("readable by other users");
    expect(lines.join("")).not.toContain("leopard");
  });

  it("refuses old encryptions with a hint", async () => {
    const w = writeWallet({}, { raw: stringToU8a("$ANSIBLE_VAULT;1.1;AES256\n00") });
    await expect(loadHotkey(w, { logger: logSink().logger, password: async () => null })).rejects.toThrow(
      /old encryption/,
    );
  });

  it("reverses btwallet's XOR-ed password variable", () => {
    const file = "/home/u/.bittensor/wallets/default/hotkeys/default";
    const name = "BT_PW__HOME_U__BITTENSOR_WALLETS_DEFAULT_HOTKEYS_DEFAULT";
    const secret = "hunter2";
    const xored = Array.from(secret, (c, i) =>
      String.fromCharCode(c.charCodeAt(0) ^ name.charCodeAt(i % name.length)),
    ).join("");
    expect(btwalletPasswordFromEnv(file, { [name]: xored })).toBe(secret);
    expect(btwalletPasswordFromEnv(file, {})).toBeNull();
  });

  it("decrypts a $NACL hotkey (argon2i, 512 MiB) with the test vector's key; without a password it refuses", async () => {
    const key = await naclKey(NACL_PASSWORD);
    expect(u8aToHex(key)).toBe(NACL_KEY);
    const { encrypted, nonce } = naclEncrypt(stringToU8a(JSON.stringify({ secretSeed: SEED })), key);
    const w = writeWallet({}, { raw: u8aConcat(stringToU8a("$NACL"), nonce, encrypted) });
    const logger = logSink().logger;
    await expect(loadHotkey(w, { logger, password: async () => null })).rejects.toThrow(
      /encrypted and no password/,
    );
    const pair = await loadHotkey(w, { logger, password: async () => NACL_PASSWORD });
    expect(pair.address).toBe(ADDRESS);
  }, 60_000);
});
