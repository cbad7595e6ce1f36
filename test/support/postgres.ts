import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

/** initdb and openssl take seconds on a loaded box: never block the event loop (a devnet may share it). */
const run = promisify(execFile);

/**
 * A real PostgreSQL for the tests: Debian's `postgresql` package (`.ci/run` installs it when missing),
 * initdb in a temp dir, a random loopback port, stopped (and its dir removed) by `stop()`. Run as root,
 * the server runs as the package's `postgres` user, as initdb refuses root.
 */
export interface TestPostgres {
  readonly port: number;
  /** With `tls`: the server's self-signed certificate (CN=localhost), to pass as `sslrootcert`. */
  readonly certificate: string | null;
  /** A fresh, empty database's URL. */
  database(name?: string): Promise<string>;
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** The directory of initdb and postgres, or null when PostgreSQL is not installed. */
export function postgresBinDir(): string | null {
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => existsSync(join(debian, v, "bin", "initdb")))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(debian, versions[0], "bin");
  }
  try {
    return execFileSync("pg_config", ["--bindir"], { encoding: "utf8" }).trim() || null;
  } catch {
    return null;
  }
}

export const POSTGRES_MISSING =
  "PostgreSQL is not installed (apt-get install postgresql; .ci/run installs it): the shared-store tests skip";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** Whether the tests can give the server a certificate (openssl on PATH). */
export function canMakeCertificates(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** `tls`: the server also accepts TLS, with a self-signed certificate made here. */
export async function startPostgres(o: { tls?: boolean } = {}): Promise<TestPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(POSTGRES_MISSING);
  const dir = mkdtempSync(join(tmpdir(), "sn11-pg-"));
  const data = join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  // initdb and postgres refuse to run as root: as root, they run as the package's user.
  const command = (file: string, args: string[]): [string, string[]] =>
    asRoot ? ["runuser", ["-u", "postgres", "--", join(bin, file), ...args]] : [join(bin, file), args];
  // The files the server reads belong to the account it runs as.
  const giveToServer = (file: string) => {
    if (!asRoot) return;
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }));
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }));
    chownSync(file, uid, gid);
  };
  giveToServer(dir);
  const [initdb, initArgs] = command("initdb", [
    "-D",
    data,
    "-U",
    "sn11",
    "--auth=trust",
    "-E",
    "UTF8",
    "--no-sync",
  ]);
  await run(initdb, initArgs);
  let certificate: string | null = null;
  const tlsArgs: string[] = [];
  if (o.tls) {
    certificate = join(dir, "server.crt");
    const key = join(dir, "server.key");
    await run("openssl", [
      "req",
      "-new",
      "-x509",
      "-days",
      "1",
      "-nodes",
      "-subj",
      "/CN=localhost",
      "-keyout",
      key,
      "-out",
      certificate,
    ]);
    chmodSync(key, 0o600);
    giveToServer(key);
    giveToServer(certificate);
    tlsArgs.push("-c", "ssl=on", "-c", `ssl_cert_file=${certificate}`, "-c", `ssl_key_file=${key}`);
  }
  const port = await freePort();
  const [postgres, args] = command("postgres", [
    "-D",
    data,
    "-p",
    String(port),
    "-k",
    dir,
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    "fsync=off",
    "-c",
    "max_connections=50",
    ...tlsArgs,
  ]);
  let server: ChildProcess;
  let log = "";
  const admin = `postgres://sn11@127.0.0.1:${port}/postgres`;
  // The server is its own process group (so it outlives nothing by accident): a test or bench process that
  // dies without stop() still takes it down on its way out.
  const killOnExit = () => {
    try {
      process.kill(-(server.pid as number), "SIGINT");
    } catch {
      // already gone
    }
  };
  process.on("exit", killOnExit);
  const start = async () => {
    server = spawn(postgres, args, { stdio: ["ignore", "ignore", "pipe"], detached: true });
    server.stderr?.on("data", (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-4000);
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const client = new pg.Client({ connectionString: admin });
      try {
        await client.connect();
        await client.end();
        return;
      } catch (error) {
        await client.end().catch(() => {});
        if (server.exitCode !== null || Date.now() > deadline) {
          throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${log}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  const halt = async () => {
    if (server.exitCode !== null) return;
    const exited = new Promise((r) => server.once("exit", r));
    // SIGINT: PostgreSQL's fast shutdown (disconnects clients, no checkpoint wait).
    try {
      process.kill(-(server.pid as number), "SIGINT");
    } catch {
      server.kill("SIGINT");
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (server.exitCode === null) server.kill("SIGKILL");
  };
  await start();
  let databases = 0;
  return {
    port,
    certificate,
    async database(name = `sn11_${++databases}_${process.pid}`) {
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://sn11@127.0.0.1:${port}/${name}`;
    },
    /** Stops the server and starts it again on the same port and data (a database restart). */
    async restart(downMs = 0) {
      await halt();
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    async stop() {
      await halt();
      process.off("exit", killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
