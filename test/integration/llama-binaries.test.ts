import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { c as createTar } from "tar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EngineError, NetworkError } from "../../src/errors.js";
import {
  ensurePackage,
  LLAMA_GPU_PACKAGES,
  llamaNodeModules,
  type PinnedPackage,
} from "../../src/eval/engines/llama-binaries.js";
import { createLogger } from "../../src/log.js";
import { tempDir } from "../support/cli.js";
import { integrityOf, LocalNpmRegistry, tarballFromNpmCache } from "../support/npm-registry.js";
import { REPO_ROOT } from "../support/shared.js";

const logger = createLogger({ write: () => true }, "silent");

async function packTarball(name: string, version: string, files: Record<string, string>): Promise<Buffer> {
  const root = tempDir("sn11-pack-");
  mkdirSync(join(root, "package"), { recursive: true });
  writeFileSync(join(root, "package", "package.json"), JSON.stringify({ name, version }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, "package", path, ".."), { recursive: true });
    writeFileSync(join(root, "package", path), text);
  }
  const out = join(root, "pkg.tgz");
  await createTar({ gzip: true, file: out, cwd: root }, ["package"]);
  return readFileSync(out);
}

describe("the pinned GPU builds of node-llama-cpp", () => {
  it("match the lock file (name, version, integrity)", () => {
    const lock = JSON.parse(readFileSync(join(REPO_ROOT, "package-lock.json"), "utf8")) as {
      packages: Record<string, { version: string; integrity: string }>;
    };
    const llamaVersion = lock.packages["node_modules/node-llama-cpp"]?.version;
    for (const pkg of Object.values(LLAMA_GPU_PACKAGES).flat()) {
      expect(lock.packages[`node_modules/${pkg.name}`]).toMatchObject({
        version: pkg.version,
        integrity: pkg.integrity,
      });
      expect(pkg.version).toBe(llamaVersion);
    }
  });

  it("are found already installed in an npm checkout (no download)", async () => {
    const nodeModules = llamaNodeModules();
    expect(nodeModules).toBe(join(REPO_ROOT, "node_modules"));
    for (const pkg of LLAMA_GPU_PACKAGES.vulkan) {
      const downloaded = await ensurePackage(pkg, { registry: "http://127.0.0.1:9", nodeModules, logger });
      expect(downloaded).toBe(false);
    }
  });
});

describe("installing a pinned package from a registry", () => {
  let registry: LocalNpmRegistry;
  let pkg: PinnedPackage;
  beforeAll(async () => {
    registry = await LocalNpmRegistry.start();
    const tarball = await packTarball("@sn11-test/gpu-bins", "1.2.3", {
      "bins/lib.so": "binary",
      "dist/index.js": "",
    });
    pkg = { name: "@sn11-test/gpu-bins", version: "1.2.3", integrity: integrityOf(tarball) };
    registry.publish(pkg, tarball);
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it("downloads, checks the digest, unpacks into node_modules once", async () => {
    const nodeModules = tempDir("sn11-nm-");
    const options = { registry: registry.url, nodeModules, logger };
    expect(await ensurePackage(pkg, options)).toBe(true);
    const dir = join(nodeModules, "@sn11-test", "gpu-bins");
    expect(readFileSync(join(dir, "bins", "lib.so"), "utf8")).toBe("binary");
    const before = registry.requests.length;
    expect(await ensurePackage(pkg, options)).toBe(false);
    expect(registry.requests.length).toBe(before);
  });

  it("refuses a tarball whose digest differs from the pin and leaves nothing behind", async () => {
    const nodeModules = tempDir("sn11-nm-");
    const forged = { ...pkg, integrity: integrityOf(Buffer.from("something else")) };
    const error = await ensurePackage(forged, { registry: registry.url, nodeModules, logger }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(EngineError);
    expect(error.message).toContain("does not match its pinned digest");
    expect(readdirSync(join(nodeModules, "@sn11-test"))).toEqual([]);
  });

  it("a registry without the package is a network error with a hint", async () => {
    const missing = { ...pkg, version: "9.9.9" };
    const error = await ensurePackage(missing, {
      registry: registry.url,
      nodeModules: tempDir(),
      logger,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.hint).toContain("SN11_NPM_REGISTRY");
  });

  const vulkan = LLAMA_GPU_PACKAGES.vulkan[0] as PinnedPackage;
  const real = tarballFromNpmCache(vulkan);
  if (!real)
    process.stderr.write(`skipping the real ${vulkan.name} install: its tarball is not in ~/.npm's cache\n`);
  it.skipIf(!real)(
    "installs the real Vulkan build of node-llama-cpp with its pinned digest",
    async () => {
      registry.publish(vulkan, real as Buffer);
      const nodeModules = tempDir("sn11-nm-");
      expect(await ensurePackage(vulkan, { registry: registry.url, nodeModules, logger })).toBe(true);
      const dir = join(nodeModules, "@node-llama-cpp", "linux-x64-vulkan");
      expect(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version).toBe(vulkan.version);
      expect(existsSync(join(dir, "bins", "linux-x64-vulkan", "llama-addon.node"))).toBe(true);
    },
    60_000,
  );
});
