import { execFile } from "node:child_process";
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { ChainClient } from "../chain/client.js";
import type { Metagraph } from "../chain/types.js";
import { loadHotkey } from "../chain/wallet.js";
import { hotkeyFile, readHotkeyAddress } from "../chain/wallet-files.js";
import type { Config } from "../config/schema.js";
import { freeBytesAt, nearestExisting } from "../ensure-dir.js";
import { Sn11Error } from "../errors.js";
import { checkEngine } from "../eval/engines/engine-check.js";
import { LLAMA_GPU_PACKAGES } from "../eval/engines/llama-binaries.js";
import { createJudge, loadDatasetRows } from "../eval/evaluation.js";
import { modelsDir } from "../eval/hub/cache.js";
import { formatBytes } from "../eval/hub/prechecks.js";
import type { Logger } from "../log.js";
import type { ScoringProfile } from "../scoring/profile.js";
import { readSchemaVersion, STORE_FILE } from "../store/db.js";
import { LATEST_SCHEMA_VERSION } from "../store/migrations.js";
import { GPU_QUERY, gpuCheck, type NvidiaSmi } from "./gpu.js";
import { type CheckResult, fail, ok, warn } from "./report.js";

export interface DoctorDeps {
  readonly config: Config;
  readonly profile: ScoringProfile;
  readonly cwd: string;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly chain: () => Promise<ChainClient>;
  /** The dataset source to try (`api`, a file, `hf:REPO`); null: the API when its URL is configured. */
  readonly dataset: string | null;
  readonly vllmBin: string;
  readonly llamaServerBin: string;
  readonly nvidiaSmi?: () => Promise<NvidiaSmi>;
  readonly now?: () => number;
}

/** Each check bounded: a hung endpoint is a failed line, never a hung doctor. */
const CHECK_TIMEOUT_MS = 30_000;
/** More than this between the chain's newest block time and this clock: the schedule and timelocks drift. */
const CLOCK_SKEW_WARN_MS = 60_000;
const FINALITY_LAG_WARN = 10;

export function runNvidiaSmi(): Promise<NvidiaSmi> {
  const run = (args: string[]) =>
    new Promise<{ code: number | string | null; out: string }>((resolve) =>
      execFile("nvidia-smi", args, { timeout: 15_000 }, (error, stdout, stderr) =>
        resolve({
          code: error ? ((error as NodeJS.ErrnoException).code ?? 1) : 0,
          out: `${stdout}${stderr}`,
        }),
      ),
    );
  return (async (): Promise<NvidiaSmi> => {
    const query = await run(GPU_QUERY);
    if (query.code === "ENOENT") return { kind: "missing" };
    if (query.code !== 0) return { kind: "failed", output: query.out };
    const banner = await run([]);
    return { kind: "ran", query: query.out, banner: banner.out };
  })();
}

function errorResult(id: string, title: string, error: unknown): CheckResult {
  const message = (error as Error).message ?? String(error);
  return fail(id, title, message, error instanceof Sn11Error ? error.hint : undefined);
}

async function guarded(
  id: string,
  title: string,
  signal: AbortSignal,
  run: () => Promise<CheckResult | CheckResult[]>,
) {
  const timeout = AbortSignal.timeout(CHECK_TIMEOUT_MS);
  try {
    return await Promise.race([
      run(),
      new Promise<CheckResult>((resolve) => {
        const done = () => resolve(fail(id, title, `no answer within ${CHECK_TIMEOUT_MS / 1000} s`));
        timeout.addEventListener("abort", done, { once: true });
        signal.addEventListener("abort", done, { once: true });
      }),
    ]);
  } catch (error) {
    return errorResult(id, title, error);
  }
}

async function engines(deps: DoctorDeps): Promise<CheckResult> {
  const title = "engines";
  const found: string[] = [];
  const missing: string[] = [];
  for (const [engine, bin] of [
    ["vllm", deps.vllmBin],
    ["llama-server", deps.llamaServerBin],
  ] as const) {
    try {
      const c = await checkEngine({ engine, engineBin: bin }, async () => "", deps.signal);
      found.push(`${engine} ${c.version} (${c.binary})`);
    } catch (error) {
      missing.push(`${engine}: ${(error as Error).message}`);
    }
  }
  const embedded = `embedded node-llama-cpp ${LLAMA_GPU_PACKAGES.cuda[0]?.version} (CPU; --llama-gpu cuda|vulkan fetches a GPU build)`;
  const reason = [...found, embedded].join(" · ");
  if (!found.some((f) => f.startsWith("vllm"))) {
    return warn(
      title,
      title,
      `${reason}${missing.length ? ` · ${missing.join(" · ")}` : ""}`,
      "finney's validators run safetensors models with vLLM: pip install vllm",
      { found, missing },
    );
  }
  return ok(title, title, reason, { found, missing });
}

function disk(deps: DoctorDeps): CheckResult {
  const title = "disk";
  const models = modelsDir(deps.config.dataDir);
  const free = freeBytesAt(models);
  const largest = deps.profile.repoSizeBytes.max;
  const reason = `${formatBytes(free)} free under ${models}; the largest model the profile accepts is ${formatBytes(largest)}`;
  const details = { models_dir: models, free_bytes: free, largest_model_bytes: largest };
  if (free < largest)
    return fail("disk", title, reason, "free space or point --data-dir at a bigger disk", details);
  if (free < 2 * largest)
    return warn(
      "disk",
      title,
      reason,
      "less than two of the largest models fit: the cache evicts often",
      details,
    );
  return ok("disk", title, reason, details);
}

function dataDir(deps: DoctorDeps): CheckResult {
  const title = "data dir";
  const dir = deps.config.dataDir;
  const at = nearestExisting(dir);
  try {
    accessSync(at, constants.W_OK);
  } catch {
    return fail(
      "data-dir",
      title,
      `${at} is not writable`,
      "run as the validator's user, or point --data-dir elsewhere",
    );
  }
  if (existsSync(dir) && !statSync(dir).isDirectory())
    return fail("data-dir", title, `${dir} is not a directory`, "point --data-dir at a directory");
  const file = join(dir, STORE_FILE);
  if (!existsSync(file)) return ok("data-dir", title, `${dir} (no store yet: the first run creates it)`);
  const version = readSchemaVersion(file);
  if (version > LATEST_SCHEMA_VERSION) {
    return fail(
      "data-dir",
      title,
      `${dir}: store schema ${version}, newer than this sn11's ${LATEST_SCHEMA_VERSION}`,
      "upgrade sn11 to the version that wrote it",
    );
  }
  const note =
    version < LATEST_SCHEMA_VERSION
      ? `: the next run migrates it to ${LATEST_SCHEMA_VERSION}`
      : " (this sn11's)";
  return ok("data-dir", title, `${dir}, store schema ${version}${note}`, { schema: version });
}

async function chainChecks(
  deps: DoctorDeps,
  metagraph: (m: Metagraph | null) => void,
): Promise<CheckResult[]> {
  const client = await deps.chain();
  const health = await client.health();
  const m = await client.metagraph(deps.config.netuid);
  metagraph(m);
  const h = m.hyperparameters;
  const lag = health.best - health.finalized;
  const versionOk = h.weightsVersion === deps.profile.weightsVersionKey;
  const reason =
    `${client.endpoint} · best ${health.best}, finalized ${health.finalized} (lag ${lag}) · ${Math.round(health.latencyMs)} ms · ` +
    `netuid ${deps.config.netuid}: ${m.neurons.length} uids, commit-reveal ${h.commitRevealEnabled ? "on" : "off"}, ` +
    `weights rate limit ${h.weightsRateLimit}, version key ${h.weightsVersion}`;
  const details = {
    best: health.best,
    finalized: health.finalized,
    latency_ms: Math.round(health.latencyMs),
    hyperparameters: h,
  };
  const chain = !versionOk
    ? fail(
        "chain",
        "chain",
        `${reason} — the profile ${deps.profile.id} sends version key ${deps.profile.weightsVersionKey}`,
        "the chain refuses weights with another version key: update sn11, or pick the profile this subnet runs (--profile)",
        details,
      )
    : lag > FINALITY_LAG_WARN
      ? warn(
          "chain",
          "chain",
          reason,
          "finality is lagging: steps read the finalized block and may see old state",
          details,
        )
      : ok("chain", "chain", reason, details);
  const now = deps.now?.() ?? Date.now();
  const clock =
    health.timestampMs === null
      ? warn("clock", "clock", "the runtime has no Timestamp::Now: skew not measured")
      : (() => {
          const skew = now - health.timestampMs;
          const text = `this clock is ${(Math.abs(skew) / 1000).toFixed(1)} s ${skew >= 0 ? "ahead of" : "behind"} block ${health.best}'s timestamp`;
          // A block is up to 12 s old when read: only a larger gap is this machine's clock.
          return Math.abs(skew) > CLOCK_SKEW_WARN_MS
            ? warn(
                "clock",
                "clock",
                text,
                "sync the clock (timedatectl set-ntp true): the step schedule and drand rounds follow it",
                { skew_ms: skew },
              )
            : ok("clock", "clock", text, { skew_ms: skew });
        })();
  return [chain, clock];
}

async function wallet(deps: DoctorDeps, metagraph: Metagraph | null): Promise<CheckResult> {
  const title = "wallet";
  const location = {
    name: deps.config.walletName,
    hotkey: deps.config.walletHotkey,
    path: deps.config.walletPath,
  };
  const file = hotkeyFile(location);
  if (!existsSync(file)) {
    return warn(
      "wallet",
      title,
      `no hotkey file at ${file}`,
      "miners scoring locally need none; validators and submit do: --wallet.name/--wallet.hotkey",
    );
  }
  // The address without the secret where btcli wrote it, else from a plain keyfile's secret (never a prompt).
  const address =
    readHotkeyAddress(location) ??
    (await loadHotkey(location, { logger: deps.logger, password: async () => null }).then(
      (pair) => pair.address,
      () => null,
    ));
  const mode = statSync(file).mode & 0o777;
  const loose = (mode & 0o077) !== 0;
  const neuron = metagraph?.neurons.find((n) => n.hotkey === address);
  const reg = !metagraph
    ? "registration not checked (no chain)"
    : neuron
      ? `uid ${neuron.uid}${neuron.validatorPermit ? ", validator permit" : ", no validator permit"}, stake ${(Number(neuron.stakeRao) / 1e9).toFixed(2)}`
      : `not registered on netuid ${deps.config.netuid}`;
  const reason = `${address ?? "unreadable hotkey"} (${file}, mode ${mode.toString(8)}) · ${reg}`;
  if (!address) return fail("wallet", title, reason, "the hotkey file is not a Bittensor keyfile");
  if (loose)
    return warn("wallet", title, reason, `chmod 600 ${file}: others on this machine can read the hotkey`);
  if (metagraph && !neuron)
    return warn(
      "wallet",
      title,
      reason,
      "btcli subnet register --netuid 11 (validators and submit need a uid)",
    );
  return ok("wallet", title, reason, {
    address,
    uid: neuron?.uid ?? null,
    permit: neuron?.validatorPermit ?? null,
  });
}

async function huggingFace(deps: DoctorDeps): Promise<CheckResult> {
  const endpoint = deps.config.hfEndpoint.replace(/\/+$/, "");
  try {
    return await hubReachable(deps, endpoint);
  } catch (error) {
    return fail(
      "hf",
      "Hugging Face",
      `cannot reach ${endpoint}: ${(error as Error).message}`,
      "check HF_ENDPOINT and this machine's network",
    );
  }
}

async function hubReachable(deps: DoctorDeps, endpoint: string): Promise<CheckResult> {
  const title = "Hugging Face";
  const token = deps.config.hfToken;
  const signal = AbortSignal.any([deps.signal, AbortSignal.timeout(15_000)]);
  if (token) {
    const r = await fetch(`${endpoint}/api/whoami-v2`, {
      headers: { authorization: `Bearer ${token}` },
      signal,
    });
    if (r.status === 401 || r.status === 403)
      return fail(
        "hf",
        title,
        `${endpoint} refused the token (HTTP ${r.status})`,
        "set HF_TOKEN to a valid read token",
      );
    if (r.ok) {
      const who = ((await r.json().catch(() => ({}))) as { name?: string }).name;
      return ok("hf", title, `${endpoint}: token accepted${who ? ` (${who})` : ""}`);
    }
  }
  const r = await fetch(`${endpoint}/api/models?limit=1`, { signal });
  if (r.status >= 500)
    return fail(
      "hf",
      title,
      `${endpoint} answered HTTP ${r.status}`,
      "the Hub is down or HF_ENDPOINT is wrong",
    );
  return ok("hf", title, `${endpoint} reachable${token ? "" : ", no token (public repos only)"}`);
}

async function judge(deps: DoctorDeps): Promise<CheckResult> {
  const title = "judge";
  if (!deps.config.judgeUrl)
    return warn(
      "judge",
      title,
      "no judge configured",
      "set SN11_JUDGE_URL (and SN11_JUDGE_API_KEY) before score or validate",
    );
  const { judge: client, judgeModel } = await createJudge(
    deps.config,
    { judgeConcurrency: 1 },
    { profile: deps.profile, logger: deps.logger },
  );
  const endpoints = await client.probe(deps.signal);
  const structured = endpoints.every((e) => e.structuredOutput);
  const reason = `${endpoints.map((e) => e.url).join(", ")} answered as ${judgeModel}${structured ? ", structured output accepted" : ", plain text only (verdicts parsed from text)"}`;
  return structured
    ? ok("judge", title, reason)
    : warn("judge", title, reason, "a judge without structured output fails more verdicts");
}

async function dataset(deps: DoctorDeps): Promise<CheckResult> {
  const title = "dataset";
  const source = deps.dataset ?? (deps.config.datasetApiUrl ? "api" : null);
  if (!source)
    return warn(
      "dataset",
      title,
      "no dataset source configured",
      "set SN11_DATASET_API_URL (the validators' source), or pass --dataset FILE",
    );
  const rows = await loadDatasetRows(source, {
    config: deps.config,
    cwd: deps.cwd,
    logger: deps.logger,
    signal: deps.signal,
  });
  const reason = `${source === "api" ? deps.config.datasetApiUrl : source}: ${rows.rows.length} conversations${rows.bad ? `, ${rows.bad} unusable rows skipped` : ""}`;
  return rows.rows.length > 0
    ? ok("dataset", title, reason)
    : fail("dataset", title, reason, "the source has no usable conversations");
}

/** Every check, the independent ones at once; the wallet waits for the chain's metagraph. */
/** The PostgreSQL of --store, read only: reachable, its schema against this sn11's. */
async function sharedStore(url: string): Promise<CheckResult> {
  const title = "shared store";
  const [{ probePostgresStore }, { LATEST_POSTGRES_VERSION }, { redactedStoreUrl }] = await Promise.all([
    import("../store/shared/postgres.js"),
    import("../store/shared/postgres-migrations.js"),
    import("../store/shared/postgres-url.js"),
  ]);
  const where = redactedStoreUrl(url);
  const probe = await probePostgresStore(url);
  if (probe.schema > LATEST_POSTGRES_VERSION) {
    return fail(
      "shared-store",
      title,
      `${where}: schema ${probe.schema}, newer than this sn11's ${LATEST_POSTGRES_VERSION}`,
      "every box that shares a store runs the same sn11 release: update this one (sn11 update)",
    );
  }
  const schema =
    probe.schema === 0
      ? "no sn11 tables yet (the first validate or worker creates them)"
      : `schema ${probe.schema}${probe.schema < LATEST_POSTGRES_VERSION ? `, the next run migrates it to ${LATEST_POSTGRES_VERSION}` : ""}, ${probe.unfinishedJobs} unfinished jobs`;
  return ok("shared-store", title, `${where}: PostgreSQL ${probe.server}, ${schema}`, {
    schema: probe.schema,
  });
}

export async function runDoctor(deps: DoctorDeps): Promise<CheckResult[]> {
  let metagraph: Metagraph | null = null;
  const g = (id: string, title: string, run: () => Promise<CheckResult | CheckResult[]>) =>
    guarded(id, title, deps.signal, run);
  const store = deps.config.store;
  const [gpus, engine, chain, hf, judgeResult, data, shared] = await Promise.all([
    g("gpus", "GPUs", async () =>
      gpuCheck(await (deps.nvidiaSmi ?? runNvidiaSmi)(), deps.profile.repoSizeBytes.max),
    ),
    g("engines", "engines", () => engines(deps)),
    g("chain", "chain", () =>
      chainChecks(deps, (m) => {
        metagraph = m;
      }),
    ),
    g("hf", "Hugging Face", () => huggingFace(deps)),
    g("judge", "judge", () => judge(deps)),
    g("dataset", "dataset", () => dataset(deps)),
    store ? g("shared-store", "shared store", () => sharedStore(store)) : [],
  ]);
  const local = [disk, dataDir].map((check) => {
    try {
      return check(deps);
    } catch (error) {
      return errorResult(check === disk ? "disk" : "data-dir", check === disk ? "disk" : "data dir", error);
    }
  });
  const walletResult = await guarded("wallet", "wallet", deps.signal, () => wallet(deps, metagraph));
  return [gpus, engine, ...local, shared, chain, walletResult, hf, judgeResult, data].flat();
}
