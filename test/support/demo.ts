import { rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Keyring } from "@polkadot/keyring";
import { cryptoWaitReady, mnemonicGenerate } from "@polkadot/util-crypto";
import { tempDir } from "./cli.js";
import type { Devnet } from "./devnet/devnet.js";
import { startSubnet, VALIDATOR_MNEMONIC } from "./devnet/fixture.js";
import { startEmbeddedJudge } from "./engines/embedded-judge.js";
import { tinyGguf } from "./engines/gguf.js";
import {
  HAS_LLAMA_SERVER,
  LEANING_JUDGE,
  LLAMA_SERVER,
  startLocalJudge,
  tinyModelPath,
} from "./engines/llama.js";
import { modelRepoFiles } from "./hub/model-files.js";
import { LocalHub } from "./hub/server.js";
import { writeWallet } from "./wallet.js";

export interface Demo {
  readonly env: Record<string, string>;
  readonly repo: string;
  readonly dataset: string;
  /** ../shared's llama-server, when it is there (the judge is then that server; otherwise the embedded engine). */
  readonly llamaServer: string | null;
  readonly judge: "llama-server" | "embedded";
  readonly minerAddress: string;
  /** Wallet flags of the subnet's validator (uid 0, with a permit), for the validator's walkthrough. */
  readonly validatorWallet: readonly string[];
  readonly devnet: Devnet;
  stop(): Promise<void>;
}

/**
 * Everything the miner's and the validator's walkthroughs need, on this machine: a Subtensor devnet (netuid 11 at finney-like
 * heights) with the miner's hotkey registered, a local Hub with a model repo (safetensors and a tiny GGUF),
 * a wallet, a small dataset and a local judge. For the README walkthrough and its test; not product code.
 * Everything but the judge comes from the repository; the judge is ../shared's llama-server when present,
 * else the embedded llama.cpp behind an OpenAI-compatible endpoint (`judge: "embedded"` asks for that).
 */
export async function startDemo(options: { judge?: "llama-server" | "embedded" } = {}): Promise<Demo> {
  const judgeKind = options.judge ?? (HAS_LLAMA_SERVER ? "llama-server" : "embedded");
  await cryptoWaitReady();
  const { devnet } = await startSubnet({ firstBlockNumber: 5_000_000, uids: 16 });
  const mnemonic = mnemonicGenerate();
  const miner = new Keyring({ type: "sr25519", ss58Format: 42 }).addFromMnemonic(mnemonic);
  devnet.registerNeuron(11, { hotkey: miner.address });
  devnet.produceBlock();
  // Two other validators with weights on chain, so `sn11 consensus` has a subnet to agree with: uid 17
  // weights the miner's uid, uid 18 a uid with no commitment.
  const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
  for (const [seed, tao] of [
    ["//Ferdie", 2000n],
    ["//Eve//validator", 1000n],
  ] as const) {
    devnet.registerNeuron(11, {
      hotkey: keyring.addFromUri(seed).address,
      validatorPermit: true,
      alphaStake: tao * 1_000_000_000n,
    });
  }
  devnet.produceBlock();
  devnet.putWeights(11, 17, [[16, 65535]]);
  devnet.putWeights(11, 18, [[5, 65535]]);
  devnet.produceBlock();
  const hub = await LocalHub.start();
  const repo = "demo/rp-tiny";
  hub.addRepo(repo, {
    files: modelRepoFiles({
      extra: {
        "tiny.gguf": tinyGguf(),
        "tokenizer_config.json": Buffer.from(JSON.stringify({ bos_token: "<s>", eos_token: "</s>" })),
      },
    }),
  });
  const wallet = writeWallet({ secretPhrase: mnemonic, ss58Address: miner.address }, { name: "miner" });
  const validatorWallet = writeWallet(
    { secretPhrase: VALIDATOR_MNEMONIC, ss58Address: keyring.addFromMnemonic(VALIDATOR_MNEMONIC).address },
    { name: "validator" },
  );
  const dataset = join(tempDir("sn11-demo-"), "chats.jsonl");
  writeFileSync(
    dataset,
    `${Array.from({ length: 40 }, (_, i) =>
      JSON.stringify({
        system_prompt: `You are Aria ${i}, a cheerful tavern keeper.`,
        messages: [
          { role: "user", content: `Hello there! ${i}` },
          { role: "assistant", content: `*smiles* Welcome, traveller ${i}.` },
          { role: "user", content: `A room for the night, please. ${i}` },
          { role: "assistant", content: `Of course, here is your key ${i}.` },
        ],
      }),
    ).join("\n")}\n`,
  );
  const judge =
    judgeKind === "llama-server"
      ? await startLocalJudge({ model: LEANING_JUDGE })
      : await startEmbeddedJudge(tinyModelPath({ contextLength: 8192, ...LEANING_JUDGE }));
  const judgeUrl = judge.url;
  const env = {
    SN11_NETWORK: devnet.url,
    HF_ENDPOINT: hub.url,
    BT_WALLET_PATH: wallet.path,
    BT_WALLET_NAME: wallet.name,
    BT_WALLET_HOTKEY: wallet.hotkey,
    SN11_JUDGE_URL: judgeUrl,
    SN11_DATA_DIR: tempDir("sn11-demo-data-"),
  };
  return {
    env,
    repo,
    dataset,
    llamaServer: HAS_LLAMA_SERVER ? LLAMA_SERVER : null,
    judge: judgeKind,
    minerAddress: miner.address,
    validatorWallet: ["--wallet.path", validatorWallet.path, "--wallet.name", validatorWallet.name],
    devnet,
    async stop() {
      await judge.stop();
      await hub.stop();
      await devnet.stop();
      // The wallets hold plaintext mnemonics: nothing of the demo stays behind in /tmp.
      for (const dir of [wallet.path, validatorWallet.path, dirname(dataset), env.SN11_DATA_DIR]) {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
