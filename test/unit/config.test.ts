import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultConfigPath, loadConfig, redactedConfig } from "../../src/config/load.js";
import { ConfigError, UsageError } from "../../src/errors.js";
import { tempDir } from "../support/cli.js";

function withFile(content: unknown): string {
  const dir = tempDir();
  const file = join(dir, "config.json");
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

describe("loadConfig precedence: flags > SN11_* env > file > defaults", () => {
  const home = "/home/miner";
  it.each<[string, { flag?: unknown; env?: string; file?: unknown }, unknown, string]>([
    ["default", {}, 11, "default"],
    ["file", { file: 12 }, 12, "file"],
    ["env over file", { file: 12, env: "13" }, 13, "env"],
    ["flag over env and file", { file: 12, env: "13", flag: "14" }, 14, "flag"],
  ])("netuid from %s", (_label, { flag, env, file }, value, kind) => {
    const configFile = file === undefined ? undefined : withFile({ netuid: file });
    const loaded = loadConfig({
      env: { HOME: home, ...(env ? { SN11_NETUID: env } : {}) },
      flags: { netuid: flag },
      configFile,
    });
    expect(loaded.config.netuid).toBe(value);
    expect(loaded.sources.netuid.kind).toBe(kind);
  });

  it("defaults: data dir under HOME, finney, netuid 11, the default profile", () => {
    const { config, file } = loadConfig({ env: { HOME: home }, flags: {} });
    expect(config).toEqual({
      dataDir: "/home/miner/.sn11",
      network: "finney",
      netuid: 11,
      profile: "dippy-2025-03",
      log: "warn",
      chainTimeout: 30,
      judgeTimeout: 60,
      walletName: "default",
      walletHotkey: "default",
      walletPath: "/home/miner/.bittensor/wallets",
      hfEndpoint: "https://huggingface.co",
      npmRegistry: "https://registry.npmjs.org",
    });
    expect(file).toBeNull();
  });

  it("reads the default file under XDG_CONFIG_HOME when present", () => {
    const xdg = tempDir();
    mkdirSync(join(xdg, "sn11"));
    writeFileSync(join(xdg, "sn11", "config.json"), JSON.stringify({ network: "test" }));
    const env = { HOME: home, XDG_CONFIG_HOME: xdg };
    expect(defaultConfigPath(env)).toBe(join(xdg, "sn11", "config.json"));
    const loaded = loadConfig({ env, flags: {} });
    expect(loaded.config.network).toBe("test");
    expect(loaded.file).toBe(join(xdg, "sn11", "config.json"));
  });

  it("wallet options follow btcli: --wallet.name over BT_WALLET_NAME", () => {
    const loaded = loadConfig({
      env: { HOME: home, BT_WALLET_NAME: "from-env", BT_WALLET_HOTKEY: "hk" },
      flags: { "wallet.name": "from-flag" },
    });
    expect(loaded.config).toMatchObject({ walletName: "from-flag", walletHotkey: "hk" });
    expect(loaded.sources.walletName).toEqual({ kind: "flag", name: "--wallet.name" });
    expect(loaded.sources.walletHotkey).toEqual({ kind: "env", name: "BT_WALLET_HOTKEY" });
  });

  it("takes HF_TOKEN when SN11_HF_TOKEN is not set, and redacts it", () => {
    const loaded = loadConfig({ env: { HOME: home, HF_TOKEN: "hf_secret" }, flags: {} });
    expect(loaded.config.hfToken).toBe("hf_secret");
    expect(loaded.sources.hfToken).toEqual({ kind: "env", name: "HF_TOKEN" });
    expect(JSON.stringify(redactedConfig(loaded.config))).not.toContain("hf_secret");
  });

  it.each(["finney", "test", "local", "ws://127.0.0.1:9944", "wss://node.example:443"])(
    "accepts network %s",
    (network) => {
      expect(loadConfig({ env: { HOME: home }, flags: { network } }).config.network).toBe(network);
    },
  );
});

describe("loadConfig errors name where the bad value came from", () => {
  it.each<[string, unknown, RegExp]>([
    ["not JSON", "{ nope", /config file .*config\.json is not valid JSON/],
    ["not an object", "[1]", /must hold a JSON object/],
    ["unknown key", { netuidd: 1 }, /unknown key "netuidd"/],
    ["wrong type", { netuid: "eleven" }, /config file .*: key "netuid": .*got "eleven"/],
    ["bad network", { network: "http://x" }, /key "network"/],
    ["bad profile", { profile: "dippy-1999" }, /key "profile"/],
  ])("file: %s", (_label, content, message) => {
    const configFile = withFile(content);
    expect(() => loadConfig({ env: { HOME: "/h" }, flags: {}, configFile })).toThrow(message);
    expect(() => loadConfig({ env: { HOME: "/h" }, flags: {}, configFile })).toThrow(ConfigError);
  });

  it("a missing --config file is a config error", () => {
    expect(() => loadConfig({ env: { HOME: "/h" }, flags: {}, configFile: "/nonexistent/c.json" })).toThrow(
      ConfigError,
    );
  });

  it("a bad environment variable is a config error naming it", () => {
    expect(() => loadConfig({ env: { HOME: "/h", SN11_NETUID: "abc" }, flags: {} })).toThrow(/SN11_NETUID/);
    expect(() => loadConfig({ env: { HOME: "/h", SN11_NETUID: "abc" }, flags: {} })).toThrow(ConfigError);
  });

  it("a bad flag is a usage error naming it", () => {
    expect(() => loadConfig({ env: { HOME: "/h" }, flags: { netuid: "70000" } })).toThrow(/--netuid/);
    expect(() => loadConfig({ env: { HOME: "/h" }, flags: { netuid: "70000" } })).toThrow(UsageError);
  });
});
