import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One repo revision: files by path; LFS-tracked files are served with LFS metadata, like the Hub does. */
export interface HubRepo {
  readonly files: Record<string, Buffer>;
  readonly private?: boolean;
  readonly gated?: boolean;
  /** Commit sha of `main`; generated when absent. */
  readonly sha?: string;
}

const LFS = /\.(safetensors|gguf|bin|parquet|pt)$/;

export type HubFault =
  /** Close the connection after sending `afterBytes` of the body of `path`. */
  | { path: string; action: "drop"; afterBytes: number }
  /** Stop sending (keep the socket open) after `afterBytes` of the body. */
  | { path: string; action: "stall"; afterBytes: number }
  /** Flip one byte of the body at `offset`. */
  | { path: string; action: "corrupt"; offset: number };

/**
 * A local HTTP server in the Hugging Face Hub's URL layout: the API routes @huggingface/hub calls
 * (model info, tree listing) and `resolve/` file routes with Range requests, ETags and LFS metadata.
 */
export class LocalHub {
  private readonly repos = new Map<string, Required<Pick<HubRepo, "files" | "sha">> & HubRepo>();
  private readonly faults: HubFault[] = [];
  readonly requests: { method: string; url: string; range: string | null }[] = [];
  private constructor(private readonly server: Server) {}

  static async start(): Promise<LocalHub> {
    let hub: LocalHub | null = null;
    const server = createServer((req, res) => hub?.handle(req, res));
    hub = new LocalHub(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return hub;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  addRepo(id: string, repo: HubRepo, type: "model" | "dataset" = "model"): string {
    const sha = repo.sha ?? randomBytes(20).toString("hex");
    this.repos.set(type === "model" ? id : `datasets/${id}`, { ...repo, sha });
    return sha;
  }

  inject(fault: HubFault): void {
    this.faults.push(fault);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { "Content-Type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  }

  private find(id: string, revision: string, req: IncomingMessage, res: ServerResponse) {
    const repo = this.repos.get(id);
    const authorized = req.headers.authorization === "Bearer hf_test_token";
    if (!repo || ((repo.private || repo.gated) && !authorized)) {
      this.json(
        res,
        repo?.gated ? 403 : 401,
        { error: "Repository not found" },
        { "X-Error-Code": "RepoNotFound" },
      );
      return null;
    }
    if (revision !== "main" && revision !== "HEAD" && revision !== repo.sha) {
      this.json(res, 404, { error: `Invalid rev id: ${revision}` }, { "X-Error-Code": "RevisionNotFound" });
      return null;
    }
    return repo;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", this.url);
    this.requests.push({ method: req.method ?? "GET", url: url.pathname, range: req.headers.range ?? null });
    const path = decodeURIComponent(url.pathname);
    let m = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(path);
    if (m) {
      const repo = this.find(m[1] as string, m[2] as string, req, res);
      if (!repo) return;
      this.json(res, 200, {
        _id: m[1],
        id: m[1],
        sha: repo.sha,
        private: Boolean(repo.private),
        gated: repo.gated ? "auto" : false,
        downloads: 0,
        likes: 0,
        lastModified: "2026-01-01T00:00:00.000Z",
        siblings: Object.keys(repo.files).map((rfilename) => ({ rfilename })),
      });
      return;
    }
    m = /^\/api\/(models|datasets)\/([^/]+\/[^/]+)\/tree(?:\/([^/]+))?(\/.*)?$/.exec(path);
    if (m) {
      const key = m[1] === "models" ? (m[2] as string) : `datasets/${m[2]}`;
      const repo = this.find(key, m[3] ?? "main", req, res);
      if (!repo) return;
      const entries = Object.entries(repo.files).map(([p, bytes]) => ({
        type: "file",
        path: p,
        size: bytes.length,
        oid: createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex"),
        ...(LFS.test(p)
          ? { lfs: { oid: sha256(bytes), size: bytes.length, pointerSize: pointer(bytes).length } }
          : {}),
      }));
      this.json(res, 200, entries);
      return;
    }
    m = /^\/((?:datasets\/)?[^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    if (m) {
      const repo = this.find(m[1] as string, m[2] as string, req, res);
      if (!repo) return;
      const file = repo.files[m[3] as string];
      if (!file) {
        this.json(res, 404, { error: "Entry not found" }, { "X-Error-Code": "EntryNotFound" });
        return;
      }
      this.serveFile(req, res, m[3] as string, file);
      return;
    }
    this.json(res, 404, { error: "Not found" });
  }

  private serveFile(req: IncomingMessage, res: ServerResponse, path: string, file: Buffer): void {
    const etag = `"${LFS.test(path) ? sha256(file) : createHash("sha1").update(file).digest("hex")}"`;
    let start = 0;
    let end = file.length - 1;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
    const headers: Record<string, string> = {
      ETag: etag,
      "Accept-Ranges": "bytes",
      "Content-Type": "application/octet-stream",
      ...(LFS.test(path) ? { "X-Linked-ETag": etag, "X-Linked-Size": String(file.length) } : {}),
    };
    if (range) {
      start = Number(range[1]);
      end = range[2] ? Math.min(Number(range[2]), file.length - 1) : file.length - 1;
      if (start >= file.length) {
        res.writeHead(416, { "Content-Range": `bytes */${file.length}` });
        res.end();
        return;
      }
      headers["Content-Range"] = `bytes ${start}-${end}/${file.length}`;
    }
    let body = file.subarray(start, end + 1);
    headers["Content-Length"] = String(body.length);
    res.writeHead(range ? 206 : 200, headers);
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    const faultIndex = this.faults.findIndex((f) => f.path === path);
    const fault = faultIndex >= 0 ? this.faults.splice(faultIndex, 1)[0] : undefined;
    if (fault?.action === "corrupt" && fault.offset >= start && fault.offset <= end) {
      body = Buffer.from(body);
      body[fault.offset - start] = (body[fault.offset - start] as number) ^ 0xff;
    }
    if (fault?.action === "drop" || fault?.action === "stall") {
      const cut = Math.max(0, Math.min(body.length, fault.afterBytes));
      res.write(body.subarray(0, cut), () => {
        if (fault.action === "drop") res.socket?.destroy();
      });
      return;
    }
    res.end(body);
  }
}

export function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export function pointer(bytes: Buffer): Buffer {
  return Buffer.from(
    `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256(bytes)}\nsize ${bytes.length}\n`,
  );
}
