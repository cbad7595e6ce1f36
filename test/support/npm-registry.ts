import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { homedir } from "node:os";
import { join } from "node:path";
import type { PinnedPackage } from "../../src/eval/engines/llama-binaries.js";

/**
 * A registry in npm's URL layout (`/@scope/name/-/name-1.2.3.tgz`) serving the tarballs it is given, and
 * counting requests. Real npm clients and sn11's installer fetch from it the same way as from npmjs.org.
 */
export class LocalNpmRegistry {
  readonly requests: string[] = [];
  private readonly tarballs = new Map<string, Buffer>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<LocalNpmRegistry> {
    let registry: LocalNpmRegistry | null = null;
    const server = createServer((req, res) => {
      registry?.requests.push(req.url ?? "");
      const body = registry?.tarballs.get(req.url ?? "");
      if (!body) return res.writeHead(404).end("not found");
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    registry = new LocalNpmRegistry(server, `http://127.0.0.1:${port}`);
    return registry;
  }

  publish(pkg: { name: string; version: string }, tarball: Buffer): void {
    const base = pkg.name.split("/").at(-1) as string;
    this.tarballs.set(`/${pkg.name}/-/${base}-${pkg.version}.tgz`, tarball);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export function integrityOf(tarball: Buffer): string {
  return `sha512-${createHash("sha512").update(tarball).digest("base64")}`;
}

/** The exact tarball npm downloaded for a pinned package, from npm's content cache (null if not there). */
export function tarballFromNpmCache(pkg: PinnedPackage): Buffer | null {
  const hex = Buffer.from(pkg.integrity.slice("sha512-".length), "base64").toString("hex");
  const file = join(
    homedir(),
    ".npm",
    "_cacache",
    "content-v2",
    "sha512",
    hex.slice(0, 2),
    hex.slice(2, 4),
    hex.slice(4),
  );
  return existsSync(file) ? readFileSync(file) : null;
}
