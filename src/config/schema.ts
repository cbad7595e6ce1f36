import { z } from "zod";
import { LOG_LEVELS } from "../log.js";
import { DEFAULT_PROFILE_ID, PROFILE_IDS } from "../scoring/profile.js";

import { NETWORK_NAMES } from "./networks.js";

export { NETWORK_NAMES };

export const networkSchema = z.union([
  z.enum(NETWORK_NAMES),
  z.string().regex(/^wss?:\/\/[^\s]+$/, "expected finney, test, local or a ws:// or wss:// URL"),
]);

/** The one configuration schema; every key, its sources and whether it is secret. */
export const configSchema = z.strictObject({
  dataDir: z.string().min(1),
  network: networkSchema,
  netuid: z.number().int().min(0).max(65535),
  profile: z.enum(PROFILE_IDS as [string, ...string[]]),
  log: z.enum(LOG_LEVELS),
  chainTimeout: z.number().positive().max(3600),
  judgeTimeout: z.number().positive().max(3600),
  walletName: z.string().min(1),
  walletHotkey: z.string().min(1),
  walletPath: z.string().min(1),
  hfToken: z.string().min(1).optional(),
  hfEndpoint: z.string().regex(/^https?:\/\/\S+$/, "expected an http(s):// URL"),
  judgeUrl: z
    .string()
    .regex(/^https?:\/\/\S+$/, "expected an http(s):// URL")
    .optional(),
  judgeModel: z.string().min(1).optional(),
  judgeApiKey: z.string().min(1).optional(),
  judgePrice: z
    .string()
    .regex(/^\d+(\.\d+)?,\d+(\.\d+)?$/, "expected INPUT,OUTPUT in USD per million tokens")
    .optional(),
  datasetApiUrl: z
    .string()
    .regex(
      /^https?:\/\/[^\s,]+(,https?:\/\/[^\s,]+)*$/,
      "expected an http(s):// URL, or several separated by commas",
    )
    .optional(),
  datasetApiToken: z.string().min(1).optional(),
  npmRegistry: z.string().regex(/^https?:\/\/\S+$/, "expected an http(s):// URL"),
  store: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, "expected a postgres:// URL")
    .optional(),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigKey = keyof Config;

export interface KeySpec {
  readonly key: ConfigKey;
  readonly description: string;
  /** Environment variables, first match wins. */
  readonly env: readonly string[];
  /** The global flag's option name in commander's camelCase, if the key has a flag. */
  readonly flag?: string;
  readonly secret?: boolean;
  readonly fromText: (text: string) => unknown;
  readonly defaultValue: (home: string) => unknown;
}

const text = (s: string) => s;
const integer = (s: string) => (/^\s*-?\d+\s*$/.test(s) ? Number(s) : s);

export const KEY_SPECS: readonly KeySpec[] = [
  {
    key: "dataDir",
    description: "where sn11 keeps its SQLite store",
    env: ["SN11_DATA_DIR"],
    flag: "dataDir",
    fromText: text,
    defaultValue: (home) => `${home}/.sn11`,
  },
  {
    key: "network",
    description: "finney, test, local or a ws(s):// endpoint",
    env: ["SN11_NETWORK"],
    flag: "network",
    fromText: text,
    defaultValue: () => "finney",
  },
  {
    key: "netuid",
    description: "the subnet",
    env: ["SN11_NETUID"],
    flag: "netuid",
    fromText: integer,
    defaultValue: () => 11,
  },
  {
    key: "profile",
    description: "scoring profile id",
    env: ["SN11_PROFILE"],
    flag: "profile",
    fromText: text,
    defaultValue: () => DEFAULT_PROFILE_ID,
  },
  {
    key: "log",
    description: "log level on stderr",
    env: ["SN11_LOG"],
    fromText: text,
    defaultValue: () => "warn",
  },
  {
    key: "chainTimeout",
    description: "seconds to wait for one chain call (and to connect) before failing over",
    env: ["SN11_CHAIN_TIMEOUT"],
    fromText: (s) => (/^\s*\d+(\.\d+)?\s*$/.test(s) ? Number(s) : s),
    defaultValue: () => 30,
  },
  {
    key: "judgeTimeout",
    description: "seconds one judge call may take (3 attempts per endpoint)",
    env: ["SN11_JUDGE_TIMEOUT"],
    fromText: (s) => (/^\s*\d+(\.\d+)?\s*$/.test(s) ? Number(s) : s),
    defaultValue: () => 60,
  },
  {
    key: "walletName",
    description: "bittensor wallet name (btcli's --wallet.name)",
    env: ["BT_WALLET_NAME"],
    flag: "wallet.name",
    fromText: text,
    defaultValue: () => "default",
  },
  {
    key: "walletHotkey",
    description: "hotkey name inside the wallet (btcli's --wallet.hotkey)",
    env: ["BT_WALLET_HOTKEY"],
    flag: "wallet.hotkey",
    fromText: text,
    defaultValue: () => "default",
  },
  {
    key: "walletPath",
    description: "where wallets live (btcli's --wallet.path)",
    env: ["BT_WALLET_PATH"],
    flag: "wallet.path",
    fromText: text,
    defaultValue: (home) => `${home}/.bittensor/wallets`,
  },
  {
    key: "hfToken",
    description: "Hugging Face token for private repos and higher rate limits",
    env: ["SN11_HF_TOKEN", "HF_TOKEN"],
    flag: "hfToken",
    secret: true,
    fromText: text,
    defaultValue: () => undefined,
  },
  {
    key: "hfEndpoint",
    description: "the Hugging Face Hub (or a mirror)",
    env: ["SN11_HF_ENDPOINT", "HF_ENDPOINT"],
    fromText: text,
    defaultValue: () => "https://huggingface.co",
  },
  {
    key: "judgeUrl",
    description: "OpenAI-compatible base URL of the judge (comma-separated for fallbacks)",
    env: ["SN11_JUDGE_URL"],
    fromText: text,
    defaultValue: () => undefined,
  },
  {
    key: "judgeModel",
    description: "judge model name (default: the profile's)",
    env: ["SN11_JUDGE_MODEL"],
    fromText: text,
    defaultValue: () => undefined,
  },
  {
    key: "judgeApiKey",
    description: "API key of the judge endpoint",
    env: ["SN11_JUDGE_API_KEY", "OPENROUTER_API_KEY", "OPENAI_API_KEY"],
    secret: true,
    fromText: text,
    defaultValue: () => undefined,
  },
  {
    key: "judgePrice",
    description: "judge price, INPUT,OUTPUT in USD per million tokens (for the cost report)",
    env: ["SN11_JUDGE_PRICE"],
    fromText: text,
    defaultValue: () => undefined,
  },
  {
    key: "npmRegistry",
    description: "npm registry the GPU builds of the embedded engine are fetched from (on first use)",
    env: ["SN11_NPM_REGISTRY"],
    fromText: text,
    defaultValue: () => "https://registry.npmjs.org",
  },
  {
    key: "datasetApiUrl",
    description: "the Dippy dataset API (for --dataset api); backups after commas, tried in order",
    env: ["SN11_DATASET_API_URL"],
    fromText: text,
    defaultValue: () => undefined,
  },
  {
    key: "datasetApiToken",
    description: "bearer token of the dataset API",
    env: ["SN11_DATASET_API_TOKEN", "DATASET_API_JWT"],
    secret: true,
    fromText: text,
    defaultValue: () => undefined,
  },
  {
    key: "store",
    description:
      "postgres:// URL of the queue and results several boxes share (validate, worker, serve); default: the data dir's SQLite",
    env: ["SN11_STORE"],
    flag: "store",
    // The URL usually carries the database password.
    secret: true,
    fromText: text,
    defaultValue: () => undefined,
  },
];
