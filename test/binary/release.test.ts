import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runChild, tempDir } from "../support/cli.js";
import { REPO_ROOT } from "../support/shared.js";

/**
 * install.sh and `sn11 update` against a local HTTP server serving the real release directory that
 * `node build.mjs --release` wrote (.ci/run builds it; SN11_TEST_BINARY enables the binary's tests).
 */
const binary = process.env.SN11_TEST_BINARY ? resolve(REPO_ROOT, process.env.SN11_TEST_BINARY) : "";
const releaseDir = join(REPO_ROOT, "dist/release");
const asset = `sn11-linux-${process.arch}`;
const enabled = binary !== "" && existsSync(join(releaseDir, `${asset}.gz`));
if (!enabled) {
  process.stderr.write(
    "skipping the release tests: they need SN11_TEST_BINARY and dist/release (node build.mjs --release)\n",
  );
}

type Fault = "none" | "corrupt" | "drop-once";

/** The release directory over HTTP; a fault for the binary's download, and the requests counted. */
async function releaseServer(version: string) {
  let fault: Fault = "none";
  let dropped = false;
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const name = (req.url ?? "/").slice(1);
    requests.push(name);
    if (name === "VERSION") return void res.end(`${version}\n`);
    const file = join(releaseDir, name);
    if (!/^[\w.-]+$/.test(name) || !existsSync(file)) {
      res.writeHead(404);
      return void res.end();
    }
    let bytes = readFileSync(file);
    if (name.endsWith(".gz") && fault === "corrupt") {
      bytes = Buffer.from(bytes);
      bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0xff;
    }
    res.writeHead(200, { "content-length": String(bytes.length) });
    if (name.endsWith(".gz") && fault === "drop-once" && !dropped) {
      dropped = true;
      res.write(bytes.subarray(0, bytes.length >> 2));
      setTimeout(() => res.socket?.destroy(), 50);
      return;
    }
    res.end(bytes);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    setFault(f: Fault) {
      fault = f;
      dropped = false;
      requests.length = 0;
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

describe.skipIf(!enabled)("install.sh against a local release directory", () => {
  let release: Awaited<ReturnType<typeof releaseServer>>;
  beforeAll(async () => {
    release = await releaseServer("0.1.0");
  });
  afterAll(async () => {
    await release?.stop();
  });

  const install = (prefix: string, env: Record<string, string> = {}) =>
    runChild("sh", [join(releaseDir, "install.sh"), "--prefix", prefix], {
      env: { PATH: "/usr/bin:/bin", HOME: tempDir("sn11-home-"), SN11_RELEASE_URL: release.url, ...env },
    });

  it("installs the verified binary, which runs, and says the directory is not on PATH", async () => {
    release.setFault("none");
    const prefix = tempDir("sn11-prefix-");
    const run = await install(prefix);
    expect(run.code, run.stderr).toBe(0);
    const installed = join(prefix, "bin", "sn11");
    expect(sha256(installed)).toBe(sha256(binary));
    expect(statSync(installed).mode & 0o777).toBe(0o755);
    // As root it runs nothing it does not have to (the version check included).
    expect(run.stderr).toMatch(
      process.getuid?.() === 0 ? /installed .*\/bin\/sn11\n/ : /installed .*\/bin\/sn11 \(sn11 \d+\.\d+\.\d+/,
    );
    const version = await runChild(installed, ["--version"], {
      env: { PATH: "/usr/bin:/bin", HOME: tempDir("sn11-home-") },
    });
    expect(version.code).toBe(0);
    expect(run.stderr).toContain("is not on your PATH");
  }, 120_000);

  it("refuses a corrupted download and installs nothing", async () => {
    release.setFault("corrupt");
    const prefix = tempDir("sn11-prefix-");
    const run = await install(prefix);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${asset}.gz does not match SHA256SUMS: refusing to install it`);
    expect(existsSync(join(prefix, "bin", "sn11"))).toBe(false);
  }, 120_000);

  it("retries a download that broke off", async () => {
    release.setFault("drop-once");
    const prefix = tempDir("sn11-prefix-");
    const run = await install(prefix);
    expect(run.code, run.stderr).toBe(0);
    expect(release.requests.filter((r) => r.endsWith(".gz")).length).toBeGreaterThanOrEqual(2);
    expect(sha256(join(prefix, "bin", "sn11"))).toBe(sha256(binary));
  }, 120_000);

  it("refuses an architecture it has no binary for, with a message", async () => {
    const bin = tempDir("sn11-uname-");
    writeFileSync(join(bin, "uname"), '#!/bin/sh\ncase "$1" in -s) echo Linux;; -m) echo riscv64;; esac\n');
    chmodSync(join(bin, "uname"), 0o755);
    const prefix = tempDir("sn11-prefix-");
    const run = await install(prefix, { PATH: `${bin}:/usr/bin:/bin` });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("unsupported architecture riscv64: sn11 ships for linux x64 and arm64");
    expect(existsSync(join(prefix, "bin"))).toBe(false);
  });

  it("without a release URL it says what to set", async () => {
    const run = await runChild("sh", [join(releaseDir, "install.sh")], {
      env: { PATH: "/usr/bin:/bin", HOME: tempDir("sn11-home-") },
    });
    if (readFileSync(join(releaseDir, "install.sh"), "utf8").includes("__SN11_RELEASE_URL__")) {
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("set SN11_RELEASE_URL");
    }
  });
});

describe.skipIf(!enabled)("sn11 update against a local release directory", () => {
  const copy = () => {
    const dir = tempDir("sn11-bin-");
    const file = join(dir, "sn11");
    copyFileSync(binary, file);
    chmodSync(file, 0o755);
    return file;
  };
  const env = (url: string) => ({
    PATH: "/usr/bin:/bin",
    HOME: tempDir("sn11-home-"),
    SN11_RELEASE_URL: url,
    SN11_DATA_DIR: tempDir(),
  });

  it("--check reports a newer release; update installs it verified; the same version is the latest", async () => {
    const newer = await releaseServer("9.9.9");
    try {
      const file = copy();
      const check = await runChild(file, ["update", "--check", "--json"], { env: env(newer.url) });
      expect(check.code, check.stderr).toBe(0);
      expect(JSON.parse(check.stdout)).toMatchObject({ latest: "9.9.9", newer: true, installed: null });
      const before = statSync(file).ino;
      const run = await runChild(file, ["update"], { env: env(newer.url) });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^updated .*sn11: sn11 \d+\.\d+\.\d+ → 9\.9\.9/);
      expect(statSync(file).ino).not.toBe(before);
      expect(sha256(file)).toBe(sha256(binary));
      expect((await runChild(file, ["--version"], { env: env(newer.url) })).code).toBe(0);
    } finally {
      await newer.stop();
    }
    const same = await releaseServer(
      JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).version,
    );
    try {
      const run = await runChild(copy(), ["update"], { env: env(same.url) });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/is the latest/);
    } finally {
      await same.stop();
    }
  }, 180_000);

  it("a corrupted release leaves the binary untouched (exit 69)", async () => {
    const newer = await releaseServer("9.9.9");
    newer.setFault("corrupt");
    try {
      const file = copy();
      const before = { ino: statSync(file).ino, sha: sha256(file) };
      const run = await runChild(file, ["update"], { env: env(newer.url) });
      expect(run.code).toBe(69);
      expect(run.stderr).toContain("does not match SHA256SUMS: not installed, this binary is unchanged");
      expect({ ino: statSync(file).ino, sha: sha256(file) }).toEqual(before);
    } finally {
      await newer.stop();
    }
  }, 180_000);
});
