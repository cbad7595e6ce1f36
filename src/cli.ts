import { join } from "node:path";
import { Command, CommanderError, Option } from "commander";
import { versionJson, versionText } from "./build-info.js";
import type { ChainClient } from "./chain/client.js";
import { CleanupRegistry } from "./cleanup.js";
import type * as CliRuntime from "./cli-runtime.js";
import type {
  CommandContext,
  CommandDefinition,
  CommandResult,
  GlobalGroup,
  GlobalOptions,
} from "./commands/define.js";
import { COMMANDS, type CommandEntry, findCommand } from "./commands/index.js";
import type { LoadedConfig } from "./config/load.js";
import { NETWORK_NAMES } from "./config/networks.js";
import { writeError } from "./error-output.js";
import { CancelledError, EXIT, isSn11Error, UsageError } from "./errors.js";
import type { Logger, LogLevel, Writer } from "./log.js";
import { inertText } from "./render/inert.js";
import { applyTones, wantsColour } from "./render/style.js";
import { PROFILE_IDS } from "./scoring/profile.js";
import { registerSecret } from "./secrets.js";
import { storePassword } from "./store/shared/postgres-url.js";
import type { SharedStore } from "./store/shared/shared-store.js";
import type { Store } from "./store/store.js";

export interface CliIO {
  readonly stdout: Writer;
  readonly stderr: Writer;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Aborted when the command must stop now. */
  readonly signal: AbortSignal;
  /**
   * Aborted on the first Ctrl-C / SIGTERM: commands that stop gracefully (the validator) finish their
   * work in flight; for every other command it aborts like `signal`.
   */
  readonly stop?: AbortSignal;
  /** The process's stdin when sn11 may ask questions on it; tests leave it out. */
  readonly stdin?: NodeJS.ReadStream;
}

const EXIT_CODES_HELP = `
Exit codes: 0 ok · 1 bug · 2 usage, bad input · 69 network · 70 chain or engine
            78 config · 130 cancelled
Environment: every variable sn11 reads is listed by "sn11 help environment"`;

/** The group of each global option (by commander's attribute name); ungrouped ones are always shown. */
const GLOBAL_OPTION_GROUPS: Readonly<Record<string, GlobalGroup>> = {
  dataDir: "store",
  store: "shared",
  network: "chain",
  netuid: "chain",
  profile: "profile",
  hfToken: "hub",
  "wallet.name": "wallet",
  "wallet.hotkey": "wallet",
  "wallet.path": "wallet",
};

const ENVIRONMENT_TOPICS = new Set(["environment", "env"]);

/**
 * The commands whose modules this invocation needs, found as commander finds its subcommand (the first
 * operand; `valueFlags` are the global options whose value is the next token): none for `--version` or
 * the root help, the one run, the topic of `help TOPIC`, all of them for `help environment` (it lists
 * every command's variables).
 */
export function commandsToLoad(argv: readonly string[], valueFlags: ReadonlySet<string>): CommandEntry[] {
  const operands: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === "--") break;
    if (token.startsWith("-")) {
      if (valueFlags.has(token)) i++;
      continue;
    }
    operands.push(token);
    if (operands[0] !== "help" || operands.length === 2) break;
  }
  const [first, topic] = operands;
  if (first === "help") {
    if (topic !== undefined && ENVIRONMENT_TOPICS.has(topic)) return [...COMMANDS];
    const named = topic === undefined ? undefined : findCommand(topic);
    return named ? [named] : [];
  }
  const command = first === undefined ? undefined : findCommand(first);
  return command ? [command] : [];
}

function helpTopic(
  program: Command,
  topic: string | undefined,
  width: number,
  loaded: ReadonlyMap<string, CommandDefinition>,
  runtime: typeof CliRuntime | null,
): string {
  if (topic === undefined) return program.helpInformation();
  if (ENVIRONMENT_TOPICS.has(topic) && runtime)
    return runtime.environmentText(runtime.environmentEntries([...loaded.values()]), width);
  const command = program.commands.find((c) => c.name() === topic);
  if (!command) {
    throw new UsageError(`no help topic '${topic}'`, {
      hint: "sn11 help COMMAND, or sn11 help environment for every variable sn11 reads",
    });
  }
  return command.helpInformation();
}

function buildProgram(
  io: CliIO,
  onRun: (
    def: CommandDefinition,
    args: string[],
    opts: Record<string, unknown>,
    globals: Record<string, unknown>,
    fromCli: ReadonlySet<string>,
  ) => Promise<void>,
  jsonErrors: boolean,
  loaded: ReadonlyMap<string, CommandDefinition>,
  runtime: typeof CliRuntime | null,
): Command {
  const program = new Command("sn11")
    .description("One CLI for Bittensor subnet 11 (Dippy): audit weights, score models, submit, validate.")
    .version(
      jsonErrors ? versionJson() : versionText(),
      "-V, --version",
      "print the version and the scoring profile ids",
    )
    .option("--json", "print exactly one JSON document on stdout")
    .option("--verbose", "debug logs and stack traces")
    .option("--config <file>", "config file (default ~/.config/sn11/config.json)")
    .option("--data-dir <dir>", "where the SQLite store lives (default ~/.sn11)")
    .option(
      "--store <url>",
      "postgres://… the queue and results several boxes share (SN11_STORE is better: the URL has a password)",
    )
    .addOption(new Option("--network <name|url>", `${NETWORK_NAMES.join(", ")} or ws(s)://…`))
    // btcli's spellings of the same setting.
    .addOption(new Option("--subtensor.network <name>").hideHelp())
    .addOption(new Option("--subtensor.chain_endpoint <url>").hideHelp())
    .option("--netuid <n>", "subnet uid (default 11)")
    .addOption(new Option("--profile <id>", "scoring profile").choices(PROFILE_IDS as string[]))
    .option("--hf-token <token>", "Hugging Face token (HF_TOKEN is better: other users can see flags in ps)")
    .option("--wallet.name <name>", "bittensor wallet name (default: default)")
    .option("--wallet.hotkey <name>", "hotkey name in the wallet (default: default)")
    .option("--wallet.path <dir>", "wallets directory (default ~/.bittensor/wallets)")
    .addHelpText("after", EXIT_CODES_HELP)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      getOutHelpWidth: () => io.stdout.columns ?? 80,
      getErrHelpWidth: () => io.stderr.columns ?? 80,
      // commander's own errors are reported where they are caught, as error:/hint: (or one JSON line).
      writeErr: (s) => (jsonErrors || /^(error:|\()/.test(s) ? true : io.stderr.write(s)),
    })
    .showHelpAfterError("(run with --help for usage)")
    // The command list by name: each command's own --help has its arguments, and the list stays in 80 columns.
    .configureHelp({ subcommandTerm: (cmd) => cmd.name() })
    .helpCommand(false)
    .exitOverride();

  for (const entry of COMMANDS) {
    const def = loaded.get(entry.name);
    if (!def) {
      // Listed in the root help; this invocation does not run it, so its module is not loaded.
      program
        .command(entry.name)
        .summary(entry.summary)
        .description(entry.summary)
        .action(() => {
          throw new Error(`the command line was read as not running ${entry.name}, yet it does`);
        });
      continue;
    }
    const command = program
      .command(def.name)
      .summary(entry.summary)
      // Single newlines in descriptions are soft: commander wraps to the terminal width.
      .description((def.description ?? entry.summary).replace(/(?<!\n)\n(?!\n)/g, " "));
    for (const arg of def.arguments ?? []) {
      const name = arg.variadic ? `${arg.name}...` : arg.name;
      command.argument(arg.required ? `<${name}>` : `[${name}]`, arg.description);
    }
    for (const option of (runtime as typeof CliRuntime).commanderOptions(def.options))
      command.addOption(option);
    const uses = new Set(def.uses ?? []);
    command.configureHelp({
      showGlobalOptions: true,
      visibleGlobalOptions: (cmd) =>
        (cmd.parent?.options ?? []).filter((option) => {
          const group = GLOBAL_OPTION_GROUPS[option.attributeName()];
          if (option.hidden || option.attributeName() === "version") return false;
          return group === undefined || uses.has(group);
        }),
    });
    if (def.examples?.length) {
      command.addHelpText("after", `\nExamples:\n${def.examples.map((e) => `  $ ${e}`).join("\n")}`);
    }
    command.exitOverride().action(async (...received: unknown[]) => {
      const self = received.at(-1) as Command;
      const given = Object.keys(self.opts()).filter((k) => self.getOptionValueSource(k) === "cli");
      await onRun(def, self.args, self.opts(), program.opts(), new Set(given));
    });
  }
  program
    .command("help [topic]")
    .description("help on a command, or `sn11 help environment`: every variable sn11 reads")
    .action((topic: string | undefined) => {
      io.stdout.write(helpTopic(program, topic, io.stdout.columns ?? 80, loaded, runtime));
    });
  return program;
}

function logLevelFor(
  globals: GlobalOptions,
  loaded: LoadedConfig | null,
  env: CliIO["env"],
  levels: readonly string[],
): LogLevel {
  if (loaded && loaded.sources.log.kind !== "default") return loaded.config.log;
  if (globals.verbose) return "debug";
  const fromEnv = env.SN11_LOG;
  return levels.includes(fromEnv ?? "") ? (fromEnv as LogLevel) : "warn";
}

function writeResult(io: CliIO, globals: GlobalOptions, result: CommandResult): void {
  if (globals.json)
    io.stdout.write(
      `${result.jsonLine ? JSON.stringify(result.json) : JSON.stringify(result.json, null, 2)}\n`,
    );
  else {
    // Raw output is data the user asked for byte for byte; on a terminal it is made inert all the same.
    const raw = result.raw === true;
    const text = raw && !io.stdout.isTTY ? result.text() : inertText(result.text());
    const out = raw ? text : applyTones(text, wantsColour(io.stdout, io.env));
    io.stdout.write(raw || out.endsWith("\n") ? out : `${out}\n`);
  }
}

/** commander's "error: unknown command 'x'\n(Did you mean y?)" as our message and hint. */
export function commanderProblem(text: string): { message: string; hint: string } {
  const [first = "", ...rest] = text.replace(/^error:\s*/, "").split("\n");
  const suggestion = rest.join(" ").match(/\(Did you mean (.+)\?\)/)?.[1];
  return {
    message: first.trim(),
    hint: suggestion ? `did you mean ${suggestion}? (--help for usage)` : "run with --help for usage",
  };
}

/** A command's own stdout lines (the daemon's) get the same colours, or none, as its result. */
function tonedWriter(out: Writer, env: CliIO["env"]): Writer {
  const colour = wantsColour(out, env);
  return {
    write: (text: string) => out.write(applyTones(text, colour)),
    isTTY: out.isTTY,
    columns: out.columns,
  };
}

/** Where an error names no remedy of its own, where to look next, by kind. */
const FALLBACK_HINTS: Readonly<Record<string, string>> = {
  usage: "run the command with --help for its options and examples",
  config: "sn11 config shows every setting and where its value came from",
  network: "check the connection and the URL named above; the same command retries",
  engine:
    "check --engine, --engine-bin or --engine-url (sn11 score --help); --verbose shows the engine's output",
  chain: "sn11 status shows this hotkey on the chain; --verbose shows the chain's answers",
};

function reportError(io: CliIO, globals: GlobalOptions, logger: Logger | null, error: unknown): number {
  if (isSn11Error(error)) {
    const hint = error.hint ?? FALLBACK_HINTS[error.kind] ?? null;
    writeError(io.stderr, globals.json, { kind: error.kind, message: error.message, hint });
    if (globals.verbose && error.stack) io.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  logger?.error({ err: error }, "unexpected failure");
  io.stderr.write(`error: sn11 hit a bug: ${(error as Error)?.message ?? String(error)}\n`);
  io.stderr.write(
    `${(error as Error)?.stack ?? ""}\nhint: please report this with the command you ran and the output above\n`,
  );
  return EXIT.bug;
}

/** Runs one sn11 invocation in-process and returns its exit code; never calls process.exit. */
export async function runCli(argv: readonly string[], partialIo: Partial<CliIO> = {}): Promise<number> {
  const io: CliIO = {
    stdout: partialIo.stdout ?? process.stdout,
    stderr: partialIo.stderr ?? process.stderr,
    env: partialIo.env ?? process.env,
    cwd: partialIo.cwd ?? process.cwd(),
    signal: partialIo.signal ?? new AbortController().signal,
    stop: partialIo.stop,
    stdin: partialIo.stdin,
  };
  const cleanup = new CleanupRegistry();
  let globals: GlobalOptions = { json: argv.includes("--json"), verbose: argv.includes("--verbose") };
  let logger: Logger | null = null;
  let exitCode: number = EXIT.ok;
  // Loaded with the command's module: only an invocation that runs a command needs it.
  let runtime: typeof CliRuntime | null = null;

  const run = async (
    def: CommandDefinition,
    args: string[],
    rawOptions: Record<string, unknown>,
    rawGlobals: Record<string, unknown>,
    fromCli: ReadonlySet<string>,
  ) => {
    globals = { json: rawGlobals.json === true, verbose: rawGlobals.verbose === true };
    rawGlobals.network ??= rawGlobals["subtensor.chain_endpoint"] ?? rawGlobals["subtensor.network"];
    const rt = runtime as typeof CliRuntime;
    const loaded = rt.loadConfig({
      env: io.env,
      flags: Object.fromEntries(
        rt.KEY_SPECS.flatMap((spec) => (spec.flag ? [[spec.flag, rawGlobals[spec.flag]]] : [])),
      ),
      configFile: rawGlobals.config as string | undefined,
    });
    for (const secret of [
      loaded.config.judgeApiKey,
      loaded.config.datasetApiToken,
      loaded.config.hfToken,
      storePassword(loaded.config.store),
      io.env.SN11_WALLET_PASSWORD,
      ...Object.entries(io.env).flatMap(([k, v]) => (k.startsWith("BT_PW_") ? [v] : [])),
    ])
      registerSecret(secret);
    logger = rt.createLogger(io.stderr, logLevelFor(globals, loaded, io.env, rt.LOG_LEVELS));
    const activeLogger = logger;
    cleanup.add("console", rt.routeConsole(activeLogger));
    let store: Store | null = null;
    let shared: Promise<SharedStore> | null = null;
    let chain: Promise<ChainClient> | null = null;
    const stop = io.stop ?? io.signal;
    const ctx: CommandContext = {
      globals,
      loaded,
      env: io.env,
      cwd: io.cwd,
      stdout: tonedWriter(io.stdout, io.env),
      stderr: io.stderr,
      logger: activeLogger,
      signal: def.gracefulStop ? io.signal : AbortSignal.any([io.signal, stop]),
      stop,
      cleanup,
      store: () => {
        if (!store) {
          const opened = rt.Store.open(loaded.config.dataDir);
          store = opened;
          cleanup.add("store", () => opened.close());
          activeLogger.debug({ file: opened.file }, "store opened");
        }
        return store;
      },
      shared: () => {
        if (!shared) {
          shared = (async () => {
            const { openSharedStore } = await import("./store/shared/open.js");
            const opened = await openSharedStore(loaded.config.store, {
              local: () => ctx.store(),
              logger: activeLogger,
              applicationName: `sn11 ${def.name}`,
            });
            cleanup.add("shared store", () => opened.close());
            activeLogger.debug({ store: opened.location }, "shared store opened");
            return opened;
          })();
          shared.catch(() => {
            shared = null;
          });
        }
        return shared;
      },
      hotkey: async () => {
        const { loadHotkey, btwalletPasswordFromEnv, promptPassword } = await import("./chain/wallet.js");
        const wallet = {
          name: loaded.config.walletName,
          hotkey: loaded.config.walletHotkey,
          path: loaded.config.walletPath,
        };
        return loadHotkey(wallet, {
          logger: activeLogger,
          password: async (file) => {
            const fromEnv = io.env.SN11_WALLET_PASSWORD ?? btwalletPasswordFromEnv(file, io.env);
            if (fromEnv) return fromEnv;
            if (!io.stdin?.isTTY) return null;
            return promptPassword(`password for ${file}: `, io.stdin, process.stderr);
          },
        });
      },
      confirm: async (question) => {
        if (!io.stdin?.isTTY || globals.json) return false;
        const { createInterface } = await import("node:readline/promises");
        const rl = createInterface({ input: io.stdin, output: process.stderr });
        try {
          return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
        } finally {
          rl.close();
        }
      },
      hub: async () => {
        const { HfHub } = await import("./eval/hub/hub.js");
        return new HfHub({ endpoint: loaded.config.hfEndpoint, token: loaded.config.hfToken });
      },
      chain: () => {
        if (!chain) {
          chain = (async () => {
            // Loaded on demand: @polkadot/api costs ~140 ms to import, which commands without the chain skip.
            const { SubtensorClient } = await import("./chain/client.js");
            const { resolveEndpoints } = await import("./chain/endpoints.js");
            const { MetadataCache } = await import("./chain/metadata-cache.js");
            const client = await SubtensorClient.connect({
              endpoints: resolveEndpoints(loaded.config.network),
              metadataCache: new MetadataCache(join(loaded.config.dataDir, "chain-metadata")),
              logger: activeLogger,
              signal: AbortSignal.any([io.signal, stop]),
              callTimeoutMs: loaded.config.chainTimeout * 1000,
              connectTimeoutMs: loaded.config.chainTimeout * 1000,
            });
            cleanup.add("chain", () => client.close());
            return client;
          })();
          // A failed connection is not cached: a long-running command tries again on its next use.
          chain.catch(() => {
            chain = null;
          });
        }
        return chain;
      },
    };
    const options = def.configurable
      ? (() => {
          const merged = rt.commandOptions({
            command: def.name,
            schema: def.options,
            cli: rawOptions,
            fromCli,
            section: loaded.sections[def.name],
            file: loaded.file,
            env: io.env,
          });
          return rt.parseCommandOptions(def.options, merged.values, merged.sources, def.name);
        })()
      : rt.parseOptions(def.options, rawOptions);
    if (ctx.signal.aborted) throw new CancelledError();
    const result = await def.run({ args, options }, ctx);
    writeResult(io, globals, result);
    if (result.exitCode !== undefined) exitCode = result.exitCode;
  };

  try {
    // The global options as the program defines them (commander alone, no command loaded yet).
    const bare = buildProgram(io, run, globals.json, new Map(), null);
    const valueFlags = new Set(
      bare.options.flatMap((o) => ((o.required || o.optional) && o.long ? [o.long] : [])),
    );
    const needed = commandsToLoad(argv, valueFlags);
    const loaded = new Map(await Promise.all(needed.map(async (e) => [e.name, await e.load()] as const)));
    runtime = loaded.size > 0 ? await import("./cli-runtime.js") : null;
    const program = buildProgram(io, run, globals.json, loaded, runtime);
    if (argv.length === 0) {
      io.stderr.write(program.helpInformation());
      return EXIT.usage;
    }
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      const shown = ["commander.helpDisplayed", "commander.version", "commander.help"].includes(error.code);
      exitCode = shown ? EXIT.ok : EXIT.usage;
      if (!shown) writeError(io.stderr, globals.json, { kind: "usage", ...commanderProblem(error.message) });
    } else {
      exitCode = reportError(io, globals, logger, error);
    }
  } finally {
    await cleanup.runAll((name, error) => {
      io.stderr.write(`warning: cleanup of ${name} failed: ${(error as Error)?.message ?? error}\n`);
    });
  }
  return exitCode;
}
