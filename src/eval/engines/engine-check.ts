import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { CancelledError, EngineError } from "../../errors.js";
import type { EngineName } from "../evaluation.js";
import { parseLlamaServerVersion, parseVllmVersion } from "./vllm.js";

/** What the preflight learnt of the engine: the binary that will be spawned and its version. */
export interface EngineCheck {
  readonly engine: EngineName;
  /** The resolved path of a spawned engine; null for the embedded one and for --engine-url. */
  readonly binary: string | null;
  readonly version: string;
}

/** `--engine vllm` spawns `vllm` unless --engine-bin names another binary. */
export function engineBinary(settings: { engine: EngineName; engineBin: string }): string {
  return settings.engine === "vllm" && settings.engineBin === "llama-server" ? "vllm" : settings.engineBin;
}

/** A binary as the shell would find it: a path as given, a bare name on PATH; null when not executable. */
export function resolveBinary(binary: string, path = process.env.PATH ?? ""): string | null {
  const candidates = binary.includes("/") ? [binary] : path.split(delimiter).map((d) => join(d, binary));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

const INSTALL_HINT: Record<EngineName, string> = {
  vllm: "install vLLM (pip install vllm) on this GPU machine, or pass --engine-bin PATH",
  "llama-server": "install llama.cpp's llama-server, pass --engine-bin PATH, or use --engine embedded",
  embedded: "",
};

function run(binary: string, args: string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      args,
      // vLLM imports torch before it answers --version: seconds, not milliseconds.
      { timeout: 180_000, signal, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (signal?.aborted) reject(new CancelledError());
        else if (error) reject(Object.assign(error, { output: `${stdout}${stderr}` }));
        else resolve(`${stdout}\n${stderr}`);
      },
    );
  });
}

/**
 * Before any work: the engine binary exists and answers `--version` (recorded on every score card), or the
 * engine at --engine-url answers its health probe. A missing or broken engine is found here, not after a
 * model has been downloaded.
 */
export async function checkEngine(
  settings: { engine: EngineName; engineBin: string; engineUrl?: string },
  embeddedVersion: () => Promise<string>,
  signal?: AbortSignal,
): Promise<EngineCheck> {
  const { engine } = settings;
  if (settings.engineUrl) return { engine, binary: null, version: await urlVersion(settings.engineUrl) };
  if (engine === "embedded") return { engine, binary: null, version: await embeddedVersion() };
  const name = engineBinary(settings);
  const binary = resolveBinary(name);
  if (!binary) {
    throw new EngineError(`the ${engine} engine's binary ${name} was not found`, {
      hint: INSTALL_HINT[engine],
    });
  }
  let output: string;
  try {
    output = await run(binary, ["--version"], signal);
  } catch (error) {
    if (error instanceof CancelledError) throw error;
    const tail = String((error as { output?: string }).output ?? "")
      .trim()
      .split("\n")
      .slice(-4)
      .join(" ");
    throw new EngineError(`${binary} --version failed: ${tail || (error as Error).message}`, {
      hint: INSTALL_HINT[engine],
    });
  }
  const version = engine === "vllm" ? parseVllmVersion(output) : parseLlamaServerVersion(output);
  return { engine, binary, version: version ?? output.trim().split("\n")[0]?.slice(0, 80) ?? "unknown" };
}

/** vLLM answers GET /version with {"version": "0.11.0"}; llama-server's /props has build_info. */
async function urlVersion(url: string): Promise<string> {
  const base = url.replace(/\/+$/, "").replace(/\/v1$/, "");
  const get = async (path: string) => {
    const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(5000) });
    return response.ok ? ((await response.json()) as Record<string, unknown>) : null;
  };
  try {
    await fetch(`${base}/health`, { signal: AbortSignal.timeout(5000) });
  } catch (error) {
    throw new EngineError(`no engine answers at ${url}: ${(error as Error).message}`, {
      hint: "start the engine first, or drop --engine-url to let sn11 spawn one",
    });
  }
  const vllm = await get("/version").catch(() => null);
  if (typeof vllm?.version === "string") return `vllm ${vllm.version}`;
  const props = await get("/props").catch(() => null);
  if (typeof props?.build_info === "string") return `llama-server ${props.build_info}`;
  return "unknown";
}
