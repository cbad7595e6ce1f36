import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { fileURLToPath } from "node:url";
import { CancelledError, EngineError, NetworkError } from "../../errors.js";
import type { Logger } from "../../log.js";
import type { Progress } from "../progress.js";

export const LLAMA_GPUS = ["cuda", "vulkan"] as const;
export type LlamaGpu = (typeof LLAMA_GPUS)[number];

/** One npm package, pinned to the integrity the lock file records (checked against it by a test). */
export interface PinnedPackage {
  readonly name: string;
  readonly version: string;
  readonly integrity: string;
}

/**
 * node-llama-cpp's prebuilt GPU binaries for linux-x64. The single binary carries only the CPU build
 * (these are 80–540 MB each); they are fetched from npm the first time a GPU is asked for.
 */
export const LLAMA_GPU_PACKAGES: Readonly<Record<LlamaGpu, readonly PinnedPackage[]>> = {
  cuda: [
    {
      name: "@node-llama-cpp/linux-x64-cuda",
      version: "3.21.1",
      integrity:
        "sha512-idsE55VoD/FbvLhnBC9krUJaUoC0XnebseAAnCpm/brKf61HEbu+idgbb5eN6mxkjLSrHtILprJ0nDcUJjVrFg==",
    },
    {
      name: "@node-llama-cpp/linux-x64-cuda-ext",
      version: "3.21.1",
      integrity:
        "sha512-1PuURowccBcks3CCoMe1mTHh5vD0V5bFHMUEgtbI/OSDjpP+Pdbn+lf42CGUrepTzR8kCH1HovQ7d8q6/vuIKA==",
    },
  ],
  vulkan: [
    {
      name: "@node-llama-cpp/linux-x64-vulkan",
      version: "3.21.1",
      integrity:
        "sha512-flEeSzONQ6OIm5bYKLQf4eEnBzcC5WugFbyPUwkCqyyOFZ8pH0H9ulQ7ZNDLSIczeKneMRJornlyY1Hq7d3GDA==",
    },
  ],
};

/** The node_modules directory node-llama-cpp lives in (its GPU packages must sit beside it). */
export function llamaNodeModules(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "node_modules", "node-llama-cpp", "package.json")))
      return join(dir, "node_modules");
    if (dirname(dir) === dir) throw new EngineError("node-llama-cpp is not installed next to sn11");
  }
}

/** The npm registry's tarball URL: `<registry>/@scope/name/-/name-1.2.3.tgz`. */
export function tarballUrl(registry: string, pkg: PinnedPackage): string {
  const base = pkg.name.split("/").at(-1) as string;
  return `${registry.replace(/\/+$/, "")}/${pkg.name}/-/${base}-${pkg.version}.tgz`;
}

function installedVersion(dir: string): string | null {
  try {
    return (
      (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version?: string }).version ?? null
    );
  } catch {
    return null;
  }
}

export interface InstallOptions {
  readonly registry: string;
  readonly nodeModules: string;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  readonly onProgress?: Progress;
}

/**
 * Makes sure one pinned package is unpacked in `nodeModules`: downloaded from the registry, its sha512
 * checked against the pin while it streams, unpacked into a temporary directory and moved into place
 * only when the digest matches. Returns whether it had to download.
 */
export async function ensurePackage(pkg: PinnedPackage, options: InstallOptions): Promise<boolean> {
  const target = join(options.nodeModules, ...pkg.name.split("/"));
  if (installedVersion(target) === pkg.version) return false;
  const url = tarballUrl(options.registry, pkg);
  const [algorithm, expected] = pkg.integrity.split(/-(.*)/s) as [string, string];
  const staging = `${target}.sn11-${process.pid}-${Date.now()}`;
  options.logger.info({ package: pkg.name, version: pkg.version, url }, "fetching the engine's GPU build");
  let response: Response;
  try {
    response = await fetch(url, { signal: options.signal });
  } catch (error) {
    if (options.signal?.aborted) throw new CancelledError();
    throw new NetworkError(
      `cannot fetch ${pkg.name}@${pkg.version} from ${options.registry}: ${(error as Error).message}`,
      {
        hint: "the GPU build of the embedded engine comes from npm on first use; set SN11_NPM_REGISTRY for a mirror",
        cause: error,
      },
    );
  }
  if (!response.ok || !response.body) {
    throw new NetworkError(`${url} answered HTTP ${response.status}`, {
      hint: "set SN11_NPM_REGISTRY to a registry that serves node-llama-cpp's packages",
    });
  }
  const total = Number(response.headers.get("content-length") ?? 0);
  const hash = createHash(algorithm);
  let received = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      received += chunk.length;
      options.onProgress?.({
        stage: "gpu-build",
        done: received,
        total: total || received,
        detail: pkg.name,
      });
      callback(null, chunk);
    },
  });
  const { x: extract } = await import("tar");
  mkdirSync(staging, { recursive: true });
  try {
    await pipeline(
      Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
      meter,
      extract({ cwd: staging, strip: 1 }),
      { signal: options.signal },
    );
    const actual = hash.digest("base64");
    if (actual !== expected) {
      throw new EngineError(
        `${pkg.name}@${pkg.version} from ${options.registry} does not match its pinned digest`,
        {
          hint: `expected ${pkg.integrity}, got ${algorithm}-${actual}: the registry or a proxy altered it`,
        },
      );
    }
    if (installedVersion(staging) !== pkg.version) {
      throw new EngineError(`the tarball of ${pkg.name} does not hold version ${pkg.version}`);
    }
    rmSync(target, { recursive: true, force: true });
    mkdirSync(dirname(target), { recursive: true });
    try {
      renameSync(staging, target);
    } catch (error) {
      // Another process installed it meanwhile: theirs is as good as ours.
      if (installedVersion(target) !== pkg.version) throw error;
    }
  } catch (error) {
    if (options.signal?.aborted) throw new CancelledError();
    throw error;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  options.logger.info({ package: pkg.name, bytes: received }, "GPU build installed");
  return true;
}

/** Every package of one GPU build, installed on demand; returns how many were downloaded. */
export async function ensureLlamaGpu(gpu: LlamaGpu, options: InstallOptions): Promise<number> {
  let downloaded = 0;
  for (const pkg of LLAMA_GPU_PACKAGES[gpu]) if (await ensurePackage(pkg, options)) downloaded++;
  return downloaded;
}
