import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { KeyringPair } from "@polkadot/keyring/types";
import { entryHash } from "../../src/scoring/model-id.js";
import { cleanEnv, tempDir } from "./cli.js";
import type { Devnet } from "./devnet/devnet.js";
import { startSubnet, VALIDATOR_MNEMONIC } from "./devnet/fixture.js";
import type { Hyperparameters } from "./devnet/state.js";
import { tinyGguf } from "./engines/gguf.js";
import { LEANING_JUDGE, startLocalJudge } from "./engines/llama.js";
import { modelRepoFiles } from "./hub/model-files.js";
import { LocalHub } from "./hub/server.js";
import { writeWallet } from "./wallet.js";

export interface ValidatorNet {
  readonly devnet: Devnet;
  readonly hub: LocalHub;
  readonly env: Record<string, string>;
  readonly dataDir: string;
  readonly dataset: string;
  readonly miners: Record<"bob" | "charlie" | "dave" | "eve", KeyringPair>;
  /** Commits `namespace/name` for a miner (a correct entry hash unless `badHash`). */
  commit(miner: KeyringPair, repo: string, block: number, badHash?: boolean): void;
  /**
   * Adds a repo with safetensors shards and a tiny GGUF (so the embedded engine can run it); with
   * `gguf: false`, safetensors only, as the real subnet's repos.
   */
  addModel(repo: string, seed: number, options?: { gguf?: boolean }): void;
  /** Adds a repo holding exactly the files of another one (the same weights under a new name). */
  copyModel(from: string, to: string): void;
  stop(): Promise<void>;
}

/** A small JSONL dataset of `count` two-turn roleplay chats, in the reference's row shape. */
export function writeChats(file: string, count: number): void {
  writeFileSync(
    file,
    `${Array.from({ length: count }, (_, i) =>
      JSON.stringify({
        system_prompt: `You are Mira ${i}, a ship's navigator.`,
        messages: [
          { role: "user", content: `Where are we headed? ${i}` },
          { role: "assistant", content: `*checks the chart* North by north-east, ${i} leagues.` },
          { role: "user", content: `Any storms ahead? ${i}` },
          { role: "assistant", content: `Clear skies for now ${i}.` },
        ],
      }),
    ).join("\n")}\n`,
  );
}

/**
 * A subnet at finney-like heights with a validator (uid 0, permit, wallet written), miners Bob, Charlie,
 * Dave (uids 1–3) and Eve (uid 8), a local Hub, a local judge and a small dataset.
 */
export async function startValidatorNet(hyper: Partial<Hyperparameters> = {}): Promise<ValidatorNet> {
  const { devnet, keys } = await startSubnet({ firstBlockNumber: 5_000_000, uids: 8, hyper });
  devnet.registerNeuron(11, { hotkey: keys.outsider.address, alphaStake: 2_000_000_000n });
  devnet.produceBlock();
  const hub = await LocalHub.start();
  const judge = await startLocalJudge({ model: LEANING_JUDGE });
  const wallet = writeWallet({ secretPhrase: VALIDATOR_MNEMONIC });
  const dataDir = tempDir("sn11-validator-");
  const dataset = join(tempDir("sn11-chats-"), "chats.jsonl");
  writeChats(dataset, 30);
  const env = cleanEnv({
    SN11_NETWORK: devnet.url,
    SN11_DATA_DIR: dataDir,
    SN11_CHAIN_TIMEOUT: "5",
    HF_ENDPOINT: hub.url,
    SN11_JUDGE_URL: judge.url,
    BT_WALLET_PATH: wallet.path,
    BT_WALLET_NAME: wallet.name,
    BT_WALLET_HOTKEY: wallet.hotkey,
  });
  const [bob, charlie, dave] = keys.miners as [KeyringPair, KeyringPair, KeyringPair];
  const published = new Map<string, Record<string, Buffer>>();
  return {
    devnet,
    hub,
    env,
    dataDir,
    dataset,
    miners: { bob, charlie, dave, eve: keys.outsider },
    commit(miner, repo, block, badHash = false) {
      const [namespace, name] = repo.split("/") as [string, string];
      const hash = badHash ? "1234567890" : entryHash(namespace, name, "chatml", miner.address);
      devnet.putCommitment(
        11,
        miner.address,
        `${namespace}:${name}:chatml:${miner.address}:${hash}:d1`,
        block,
      );
    },
    addModel(repo, seed, options = {}) {
      const files = modelRepoFiles({
        shardMiB: 21,
        extra: options.gguf === false ? {} : { "tiny.gguf": tinyGguf({ seed }) },
      });
      published.set(repo, files);
      hub.addRepo(repo, { files });
    },
    copyModel(from, to) {
      hub.addRepo(to, { files: published.get(from) as Record<string, Buffer> });
    },
    async stop() {
      await judge.stop();
      await hub.stop();
      await devnet.stop();
    },
  };
}

/** The flags of a quick local evaluation on CPU: the embedded engine, a few samples, short replies. */
export function quickEvaluation(net: ValidatorNet, samples = 4): string[] {
  return [
    "--engine",
    "embedded",
    "--threads",
    "1",
    "--context-size",
    "2048",
    "--dataset",
    net.dataset,
    "--samples",
    String(samples),
    "--max-tokens",
    "24",
    "--judge-max-reasoning",
    "8",
  ];
}
