import { createHash } from "node:crypto";
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  statfsSync,
  statSync,
} from "node:fs";
import { dirname, join } from "node:path";
import pLimit from "p-limit";
import { CancelledError, NetworkError, UsageError } from "../../errors.js";
import type { Logger } from "../../log.js";
import { RetriesExhausted, retrying } from "../../retry.js";
import type { Progress } from "../progress.js";
import { assertFreeSpace, type ModelCache } from "./cache.js";
import type { RepoFile } from "./types.js";

export interface DownloadOptions {
  readonly endpoint: string;
  readonly token?: string;
  readonly cache: ModelCache;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  readonly onProgress?: Progress;
  /** Files fetched at once. */
  readonly concurrency?: number;
  /** A file whose bytes stop arriving for this long is aborted and resumed. */
  readonly stallMs?: number;
  /** Attempts per file (resuming each time) before giving up. */
  readonly attempts?: number;
  readonly statfs?: (path: string) => { bavail: number; bsize: number };
}

class Stalled extends Error {}

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

function sizeOf(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/**
 * Downloads a repo snapshot at a pinned commit into the cache: several files at once, each resumable
 * (HTTP Range on a `.partial` file), aborted and resumed when it stalls, LFS files verified against their
 * sha256 oid before they are used. Progress is reported for the whole repo in bytes.
 */
export async function downloadSnapshot(
  repo: string,
  sha: string,
  files: readonly RepoFile[],
  options: DownloadOptions,
): Promise<string> {
  const { cache, logger } = options;
  const total = files.reduce((s, f) => s + f.size, 0);
  const snapshot = cache.snapshotDir(repo, sha);
  const pending = files.filter((f) => !(f.lfsOid && sizeOf(cache.blobPath(f.lfsOid)) === f.size));
  const still = pending.reduce((s, f) => s + f.size - sizeOf(`${targetOf(f, cache, snapshot)}.partial`), 0);
  cache.makeRoom(total, { repo, sha });
  assertFreeSpace(cache.root, still, options.statfs ?? statfsSync);
  cache.acquire(repo, sha, total);
  // Bytes already on disk count as done, including partial files a previous run left behind.
  let done = total - still;
  const report = (detail: string) => options.onProgress?.({ stage: "download", done, total, detail });
  report(`${pending.length} of ${files.length} files to fetch`);
  const limit = pLimit(options.concurrency ?? 4);
  try {
    await Promise.all(
      files.map((file) =>
        limit(async () => {
          const target = targetOf(file, cache, snapshot);
          if (pending.includes(file)) {
            await fetchFile(repo, sha, file, target, options, (bytes) => {
              done += bytes;
              report(file.path);
            });
          }
          if (file.lfsOid) cache.linkInto(target, join(snapshot, file.path));
        }),
      ),
    );
  } catch (error) {
    cache.release(repo, sha);
    throw error;
  }
  cache.complete(repo, sha, total);
  logger.debug({ repo, sha, files: files.length, bytes: total }, "snapshot ready");
  return snapshot;
}

function targetOf(file: RepoFile, cache: ModelCache, snapshot: string): string {
  return file.lfsOid ? cache.blobPath(file.lfsOid) : join(snapshot, file.path);
}

async function fetchFile(
  repo: string,
  sha: string,
  file: RepoFile,
  target: string,
  options: DownloadOptions,
  onBytes: (n: number) => void,
): Promise<void> {
  const partial = `${target}.partial`;
  mkdirSync(dirname(target), { recursive: true });
  const url = `${options.endpoint.replace(/\/+$/, "")}/${repo}/resolve/${sha}/${file.path.split("/").map(encodeURIComponent).join("/")}`;
  const attempts = options.attempts ?? 5;
  // The hash follows the bytes as they are written, so verifying costs no second read; bytes a previous
  // run left in the partial file are hashed once up front.
  const digest: Digest = { hash: createHash("sha256"), bytes: 0 };
  if (sizeOf(partial) > 0) {
    for await (const chunk of createReadStream(partial)) {
      digest.hash.update(chunk as Buffer);
      digest.bytes += (chunk as Buffer).length;
    }
  }
  try {
    await retrying(
      async () => {
        await fetchInto(url, partial, file.size, options, onBytes, digest);
        if (sizeOf(partial) !== file.size)
          throw new NetworkError(`${file.path}: got ${sizeOf(partial)} of ${file.size} bytes`);
        if (file.lfsOid) {
          const actual = digest.bytes === file.size ? digest.hash.digest("hex") : await sha256File(partial);
          if (actual !== file.lfsOid) {
            rmSync(partial, { force: true });
            digest.hash = createHash("sha256");
            digest.bytes = 0;
            onBytes(-file.size);
            throw new NetworkError(
              `${file.path} is corrupted: sha256 ${actual}, the Hub says ${file.lfsOid}`,
            );
          }
        }
        renameSync(partial, target);
      },
      {
        attempts,
        delayMs: 200,
        maxDelayMs: 5000,
        signal: options.signal,
        // A usage error (a file the Hub refuses) will not change; anything else may be the network.
        retryable: (error) => !(error instanceof UsageError),
        onFailure: (error, attempt, again) => {
          if (again)
            options.logger.warn(
              { file: file.path, attempt, error: error.message },
              "download interrupted, resuming",
            );
        },
      },
    );
  } catch (error) {
    if (!(error instanceof RetriesExhausted)) throw error;
    throw new NetworkError(
      `downloading ${repo}/${file.path} failed after ${error.attempts} attempts: ${error.message}`,
      {
        hint: "the download resumes where it stopped when you run the command again",
        cause: error.cause,
      },
    );
  }
}

interface Digest {
  hash: ReturnType<typeof createHash>;
  bytes: number;
}

async function fetchInto(
  url: string,
  partial: string,
  size: number,
  options: DownloadOptions,
  onBytes: (n: number) => void,
  digest: Digest,
): Promise<void> {
  let offset = sizeOf(partial);
  if (offset === size && size > 0 && digest.bytes === offset) return;
  if (offset > size || digest.bytes !== offset) {
    // What is on disk and what was hashed disagree (or the file is too long): start this file over.
    rmSync(partial, { force: true });
    onBytes(-offset);
    offset = 0;
    digest.hash = createHash("sha256");
    digest.bytes = 0;
  }
  const controller = new AbortController();
  const onAbort = () => controller.abort(new CancelledError());
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const stallMs = options.stallMs ?? 60_000;
  let timer = setTimeout(() => controller.abort(new Stalled(`no data for ${stallMs} ms`)), stallMs);
  const resetTimer = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Stalled(`no data for ${stallMs} ms`)), stallMs);
  };
  try {
    const response = await fetch(url, {
      headers: {
        ...(offset > 0 ? { Range: `bytes=${offset}-` } : {}),
        ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
      },
      signal: controller.signal,
    });
    if (response.status === 404 || response.status === 401 || response.status === 403) {
      throw new UsageError(`${url} answered HTTP ${response.status}`);
    }
    if (!response.ok || !response.body) throw new NetworkError(`${url} answered HTTP ${response.status}`);
    if (offset > 0 && response.status !== 206) {
      // The server ignored the range: start over.
      onBytes(-offset);
      offset = 0;
      rmSync(partial, { force: true });
      digest.hash = createHash("sha256");
      digest.bytes = 0;
    }
    const out = createWriteStream(partial, { flags: offset > 0 ? "a" : "w" });
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        resetTimer();
        digest.hash.update(chunk);
        digest.bytes += chunk.length;
        if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
        onBytes(chunk.length);
      }
    } finally {
      await new Promise<void>((resolve, reject) =>
        out.end((error?: Error | null) => (error ? reject(error) : resolve())),
      );
    }
  } catch (error) {
    const reason = controller.signal.reason;
    if (reason instanceof CancelledError) throw reason;
    if (reason instanceof Stalled) throw new NetworkError(reason.message);
    throw error;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
}
