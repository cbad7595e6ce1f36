import type { KeyringPair } from "@polkadot/keyring/types";
import type { z } from "zod";
import type { ChainClient } from "../chain/client.js";
import type { CleanupRegistry } from "../cleanup.js";
import type { LoadedConfig } from "../config/load.js";
import type { Hub } from "../eval/hub/hub.js";
import type { Logger, Writer } from "../log.js";
import type { SharedStore } from "../store/shared/shared-store.js";
import type { Store } from "../store/store.js";

export interface GlobalOptions {
  readonly json: boolean;
  readonly verbose: boolean;
}

/** A result in both forms; the CLI prints exactly one of them to stdout. */
export interface CommandResult {
  readonly json: unknown;
  readonly text: () => string;
  /** Print the text exactly as is (no newline added), for output that is itself data. */
  readonly raw?: boolean;
  /** A non-zero exit code for a result that is still printed (e.g. failed prechecks). */
  readonly exitCode?: number;
  /** The last of a stream of JSON lines the command wrote itself: printed compact, on one line. */
  readonly jsonLine?: boolean;
}

export interface CommandContext {
  readonly globals: GlobalOptions;
  readonly loaded: LoadedConfig;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /**
   * For a command that streams results as they happen (the validator daemon): each write is one
   * complete line of text or one JSON object. Everything else returns its result.
   */
  readonly stdout: Writer;
  readonly stderr: Writer;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** The first Ctrl-C / SIGTERM: for a command with `gracefulStop`, finish what is in flight, then return. */
  readonly stop: AbortSignal;
  readonly cleanup: CleanupRegistry;
  /** Opens the data dir's store on first use; closed (and checkpointed) by the cleanup registry. */
  readonly store: () => Store;
  /**
   * The queue and results evaluation workers share: PostgreSQL with --store (SN11_STORE), else this data
   * dir's SQLite store. Opened (and migrated) on first use; closed by the cleanup registry.
   */
  readonly shared: () => Promise<SharedStore>;
  /** The configured wallet's hotkey (asks for the password of an encrypted file on a terminal). */
  readonly hotkey: () => Promise<KeyringPair>;
  /** Asks a yes/no question on the terminal; false when there is none (callers then require --yes). */
  readonly confirm: (question: string) => Promise<boolean>;
  /** The Hugging Face Hub of the configuration (HF_ENDPOINT, HF_TOKEN). */
  readonly hub: () => Promise<Hub>;
  /** Connects to the configured network on first use; closed by the cleanup registry. */
  readonly chain: () => Promise<ChainClient>;
}

/** The global options a command reads, by group; its `--help` lists those (--json, --verbose, --config always). */
export const GLOBAL_GROUPS = ["chain", "wallet", "store", "shared", "hub", "profile"] as const;
export type GlobalGroup = (typeof GLOBAL_GROUPS)[number];

export interface ArgumentSpec {
  readonly name: string;
  readonly description: string;
  readonly required: boolean;
  /** The last argument may take the rest (e.g. the options after `--`). */
  readonly variadic?: boolean;
}

export interface CommandDefinition<S extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  /** The long help; the one-line summary is the registry's (commands/index.ts). */
  readonly description?: string;
  readonly examples?: readonly string[];
  readonly arguments?: readonly ArgumentSpec[];
  /** Which global options it reads: shown under "Global Options" in its --help. */
  readonly uses?: readonly GlobalGroup[];
  /** The first Ctrl-C / SIGTERM only aborts `ctx.stop`; `ctx.signal` waits for the second. */
  readonly gracefulStop?: boolean;
  /**
   * Its options may also come from the config file's section named after it and SN11_<NAME>_<OPTION>
   * variables (flags first); `sn11 config` shows where each came from.
   */
  readonly configurable?: boolean;
  /** Options as a zod object: keys become --kebab-case flags, `.describe()` their help text. */
  readonly options: S;
  readonly run: (
    input: { readonly args: readonly string[]; readonly options: z.infer<S> },
    ctx: CommandContext,
  ) => Promise<CommandResult>;
}

export function defineCommand<S extends z.ZodObject>(definition: CommandDefinition<S>): CommandDefinition<S> {
  return definition;
}
