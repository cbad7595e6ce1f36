import { createHash } from "node:crypto";
import { downloadFile, listFiles, modelInfo } from "@huggingface/hub";
import { NetworkError, UsageError } from "../../errors.js";
import { parseIndex } from "./model-hash.js";
import { assertRepoId, RepoNotPublic } from "./repo-id.js";

import type { RepoFile, RepoInspection } from "./types.js";

export const DEFAULT_HUB = "https://huggingface.co";

export interface HubOptions {
  /** HF_ENDPOINT, as the Hugging Face tools read it. */
  readonly endpoint?: string;
  /** HF_TOKEN; never logged. */
  readonly token?: string;
}

/** The edge to the Hugging Face Hub: inspect a repo at a revision and fetch small files, through @huggingface/hub. */
export interface Hub {
  readonly endpoint: string;
  inspect(repo: string, revision: string): Promise<RepoInspection>;
  fileBytes(repo: string, sha: string, path: string): Promise<Buffer | null>;
}

function hubError(error: unknown, repo: string, revision: string): Error {
  const status = (error as { statusCode?: number }).statusCode;
  if (status === 401 || status === 403 || status === 404) {
    const body = String((error as { data?: { error?: unknown } }).data?.error ?? "");
    if (/rev(ision)? ?id|revision not found/i.test(body)) {
      return new UsageError(`${repo} has no revision ${revision}`, {
        hint: "pass a branch, tag or commit sha with --revision",
      });
    }
    return new RepoNotPublic(repo, status);
  }
  return new NetworkError(`the Hub could not be reached for ${repo}: ${(error as Error).message ?? error}`, {
    hint: "check your connection, or HF_ENDPOINT",
    cause: error,
  });
}

export class HfHub implements Hub {
  readonly endpoint: string;
  private readonly token: string | undefined;

  constructor(options: HubOptions = {}) {
    this.endpoint = (options.endpoint ?? DEFAULT_HUB).replace(/\/+$/, "");
    this.token = options.token;
  }

  private credentials() {
    return { hubUrl: this.endpoint, ...(this.token ? { accessToken: this.token } : {}) };
  }

  async fileBytes(repo: string, sha: string, path: string): Promise<Buffer | null> {
    const blob = await downloadFile({
      repo: { type: "model", name: repo },
      path,
      revision: sha,
      ...this.credentials(),
    });
    return blob ? Buffer.from(await blob.arrayBuffer()) : null;
  }

  async inspect(repo: string, revision: string): Promise<RepoInspection> {
    assertRepoId(repo);
    let info: { private: boolean; gated: false | string; sha?: string };
    try {
      info = (await modelInfo({
        name: repo,
        revision,
        additionalFields: ["sha"],
        ...this.credentials(),
      })) as never;
    } catch (error) {
      throw hubError(error, repo, revision);
    }
    const sha = info.sha ?? revision;
    const files: RepoFile[] = [];
    try {
      for await (const entry of listFiles({
        repo: { type: "model", name: repo },
        revision: sha,
        recursive: true,
        ...this.credentials(),
      })) {
        if (entry.type === "file")
          files.push({
            path: entry.path,
            size: entry.lfs?.size ?? entry.size,
            lfsOid: entry.lfs?.oid ?? null,
          });
      }
    } catch (error) {
      throw hubError(error, repo, revision);
    }
    const has = (path: string) => files.some((f) => f.path === path);
    const fetchJson = async (path: string) => {
      if (!has(path)) return null;
      const bytes = await this.fileBytes(repo, sha, path);
      try {
        return bytes ? (JSON.parse(bytes.toString("utf8")) as Record<string, unknown>) : null;
      } catch {
        return null;
      }
    };
    const indexBytes = has("model.safetensors.index.json")
      ? await this.fileBytes(repo, sha, "model.safetensors.index.json")
      : null;
    const parsed = indexBytes
      ? parseIndex(indexBytes)
      : { index: null, problem: "model.safetensors.index.json is missing" };
    const hashes = new Map<string, Promise<string | null>>();
    return {
      repo,
      source: "hub",
      revision,
      sha,
      private: info.private,
      gated: Boolean(info.gated),
      files,
      index: parsed.index,
      indexProblem: parsed.problem,
      config: await fetchJson("config.json"),
      tokenizerConfig: await fetchJson("tokenizer_config.json"),
      contentSha256: (path) => {
        const file = files.find((f) => f.path === path);
        if (!file) return Promise.resolve(null);
        if (file.lfsOid) return Promise.resolve(file.lfsOid);
        let pending = hashes.get(path);
        if (!pending) {
          pending = this.fileBytes(repo, sha, path).then((b) =>
            b ? createHash("sha256").update(b).digest("hex") : null,
          );
          hashes.set(path, pending);
        }
        return pending;
      },
    };
  }
}
