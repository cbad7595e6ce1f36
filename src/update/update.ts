import { createHash } from "node:crypto";
import { chmodSync, realpathSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import pRetry, { AbortError } from "p-retry";
import { ConfigError, NetworkError, UsageError } from "../errors.js";
import { assetName, compareVersions, parseSha256Sums } from "./release.js";

export interface UpdateCheck {
  readonly current: string;
  readonly latest: string;
  readonly newer: boolean;
  readonly url: string;
}

export function releaseUrl(env: Readonly<Record<string, string | undefined>>, baked: string): string {
  const url = (env.SN11_RELEASE_URL || baked).replace(/\/+$/, "");
  if (!url) {
    throw new ConfigError("no release URL to update from", {
      hint: "set SN11_RELEASE_URL to the release directory (the one install.sh came from)",
    });
  }
  return url;
}

/** One file of the release: retried on network errors and 5xx (an interrupted download starts again). */
async function get(url: string, signal: AbortSignal): Promise<Buffer> {
  return pRetry(
    async () => {
      let response: Response;
      try {
        response = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(300_000)]) });
      } catch (error) {
        if (signal.aborted) throw new AbortError(error as Error);
        throw new NetworkError(`cannot download ${url}: ${(error as Error).message}`);
      }
      if (response.status >= 500) throw new NetworkError(`${url} answered HTTP ${response.status}`);
      if (!response.ok) throw new AbortError(new NetworkError(`${url} answered HTTP ${response.status}`));
      try {
        return Buffer.from(await response.arrayBuffer());
      } catch (error) {
        throw new NetworkError(`the download of ${url} broke off: ${(error as Error).message}`);
      }
    },
    { retries: 3, minTimeout: 500, signal },
  );
}

export async function checkForUpdate(
  url: string,
  current: string,
  signal: AbortSignal,
): Promise<UpdateCheck> {
  const latest = (await get(`${url}/VERSION`, signal)).toString("utf8").trim();
  if (!/^v?\d+\.\d+\.\d+/.test(latest)) {
    throw new NetworkError(`${url}/VERSION is not a version: ${JSON.stringify(latest.slice(0, 40))}`);
  }
  return { current, latest, newer: compareVersions(latest, current) > 0, url };
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/**
 * Replaces the running binary with the release's, verified against SHA256SUMS (the download and the
 * unpacked binary) before it is written; written beside it, then renamed over it, so a failure at any
 * point leaves the old binary as it was.
 */
export async function installUpdate(o: {
  url: string;
  execPath: string;
  platform: string;
  arch: string;
  signal: AbortSignal;
}): Promise<{ path: string; sha256: string }> {
  const name = assetName(o.platform, o.arch);
  if (!name) throw new UsageError(`no sn11 release for ${o.platform} ${o.arch}: linux x64 and arm64 only`);
  const sums = parseSha256Sums((await get(`${o.url}/SHA256SUMS`, o.signal)).toString("utf8"));
  const want = { packed: sums.get(`${name}.gz`), binary: sums.get(name) };
  if (!want.packed || !want.binary)
    throw new NetworkError(`${o.url}/SHA256SUMS lists no ${name}.gz and ${name}`);
  const packed = await get(`${o.url}/${name}.gz`, o.signal);
  if (sha256(packed) !== want.packed) {
    throw new NetworkError(`${name}.gz does not match SHA256SUMS: not installed, this binary is unchanged`, {
      hint: "a damaged download or a tampered mirror: try again, or check SN11_RELEASE_URL",
    });
  }
  const binary = gunzipSync(packed);
  if (sha256(binary) !== want.binary) {
    throw new NetworkError(
      `the unpacked ${name} does not match SHA256SUMS: not installed, this binary is unchanged`,
    );
  }
  const target = realpathSync(o.execPath);
  const tmp = join(dirname(target), `.sn11.update.${process.pid}`);
  try {
    writeFileSync(tmp, binary, { mode: 0o755 });
    chmodSync(tmp, 0o755);
    renameSync(tmp, target);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw new ConfigError(`cannot replace ${target}: ${(error as Error).message}`, {
      hint: "run sn11 update as the user that owns the binary, or reinstall with install.sh",
    });
  }
  return { path: target, sha256: want.binary };
}
