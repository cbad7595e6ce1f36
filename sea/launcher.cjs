"use strict";
// The single executable's main script: unpack the versioned runtime payload once (hash-checked, atomic),
// then import the real ESM bundle from it. Placeholders are filled in by build.mjs.
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { pathToFileURL } = require("node:url");
const sea = require("node:sea");
const { brotliDecompressSync } = require("node:zlib");

const VERSION = "__SN11_VERSION__";
const PAYLOAD_SHA256 = "__SN11_PAYLOAD_SHA256__";

function fail(message) {
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}

function cacheRoot() {
  if (process.env.SN11_RUNTIME_DIR) return process.env.SN11_RUNTIME_DIR;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "sn11", "runtime");
}

function isComplete(dir) {
  try {
    return fs.readFileSync(path.join(dir, ".complete"), "utf8") === PAYLOAD_SHA256;
  } catch {
    return false;
  }
}

function extract(root, dir) {
  const packed = Buffer.from(sea.getRawAsset("payload"));
  const digest = createHash("sha256").update(packed).digest("hex");
  if (digest !== PAYLOAD_SHA256)
    fail(`this sn11 binary is damaged (payload sha256 ${digest}, expected ${PAYLOAD_SHA256})`);
  const payload = brotliDecompressSync(packed);
  const headerLength = payload.readUInt32LE(0);
  const header = JSON.parse(payload.subarray(4, 4 + headerLength).toString("utf8"));
  fs.mkdirSync(root, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(root, ".extract-"));
  let offset = 4 + headerLength;
  for (const file of header.files) {
    const bytes = payload.subarray(offset, offset + file.size);
    offset += file.size;
    if (createHash("sha256").update(bytes).digest("hex") !== file.sha256)
      fail(`payload file ${file.path} is damaged`);
    const target = path.join(tmp, file.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, bytes, { mode: file.mode });
  }
  fs.writeFileSync(path.join(tmp, ".complete"), PAYLOAD_SHA256);
  try {
    fs.renameSync(tmp, dir);
  } catch {
    // Another sn11 finished first, or a damaged leftover is in the way.
    if (isComplete(dir)) {
      fs.rmSync(tmp, { recursive: true, force: true });
      return;
    }
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
  }
}

// node-llama-cpp checks its native binding by forking process.execPath with a script: run it as node would.
// fork() puts process.execArgv (the binary's own, sea/node-flags.json) before the script: skip those.
const forkedFlags = process.argv.slice(2).findIndex((arg) => !arg.startsWith("--"));
if (
  process.env.TEST_BINDING_CP === "true" &&
  forkedFlags >= 0 &&
  /\.(c|m)?js$/.test(process.argv[2 + forkedFlags] ?? "")
) {
  process.argv.splice(1, 1 + forkedFlags);
  import(pathToFileURL(path.resolve(process.argv[1])).href).catch((error) =>
    fail(String(error?.stack ?? error)),
  );
} else {
  main();
}

/**
 * Unpacking decompresses the whole payload (~150 MiB) in memory, which a process never returns to the
 * system: a daemon that unpacked on its first run would hold it for its lifetime. So a child of this same
 * binary unpacks (SN11_UNPACK_ONLY), and this process only checks the result.
 */
function unpackInChild(root, dir) {
  const { spawnSync } = require("node:child_process");
  const child = spawnSync(process.execPath, [], {
    env: { ...process.env, SN11_UNPACK_ONLY: dir },
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (child.error)
    extract(root, dir); // could not start a child: unpack here
  else if (child.signal)
    process.kill(process.pid, child.signal); // Ctrl-C mid-unpack: end as the child did
  else if (child.status !== 0)
    process.exit(child.status); // the child said why
  else if (!isComplete(dir)) extract(root, dir);
}

function unpackFailure(root, error) {
  fail(
    `cannot unpack the sn11 runtime into ${root}: ${error.message}\nhint: set SN11_RUNTIME_DIR to a writable directory`,
  );
}

function main() {
  const root = cacheRoot();
  const dir = path.join(root, `${VERSION}-${PAYLOAD_SHA256.slice(0, 16)}`);
  if (process.env.SN11_UNPACK_ONLY === dir) {
    try {
      if (!isComplete(dir)) extract(root, dir);
      process.exit(0);
    } catch (error) {
      unpackFailure(root, error);
    }
  }
  delete process.env.SN11_UNPACK_ONLY;
  try {
    if (!isComplete(dir)) unpackInChild(root, dir);
  } catch (error) {
    unpackFailure(root, error);
  }
  globalThis.__SN11_RUNTIME__ = { dir };
  // V8's code cache for the unpacked modules, kept beside them (Node 22.1+; a no-op where unavailable or
  // not writable): every run after the first skips compiling the JavaScript it loads.
  require("node:module").enableCompileCache?.(path.join(dir, ".compile-cache"));
  // sn11 runs one of its own scripts in a child by name (the embedded engine's process): only a bare
  // name of the unpacked runtime, never a path from the environment.
  const script = /^[a-z][a-z-]*$/.test(process.env.SN11_RUN_SCRIPT ?? "")
    ? process.env.SN11_RUN_SCRIPT
    : "sn11";
  delete process.env.SN11_RUN_SCRIPT;
  import(pathToFileURL(path.join(dir, `${script}.mjs`)).href).catch((error) =>
    fail(error?.stack ? error.stack : String(error)),
  );
}
