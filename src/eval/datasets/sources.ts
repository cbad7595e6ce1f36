import { readFileSync } from "node:fs";
import { downloadFile, listFiles } from "@huggingface/hub";
import { parquetReadObjects } from "hyparquet";
import { NetworkError, UsageError } from "../../errors.js";
import { jsonBody } from "../../http-json.js";
import { NOT_JSON } from "./rows.js";

/** Rows of a JSON file (an array, or `{all_convos: [...]}` as the dataset API returns) or of a JSONL file. */
export function parseRowsText(text: string, name: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
    try {
      const value = JSON.parse(trimmed) as unknown;
      if (Array.isArray(value)) return value;
      if (
        value &&
        typeof value === "object" &&
        Array.isArray((value as { all_convos?: unknown }).all_convos)
      ) {
        return (value as { all_convos: unknown[] }).all_convos;
      }
      if (!name.endsWith(".jsonl")) return [value];
    } catch (error) {
      if (!name.endsWith(".jsonl") && trimmed.startsWith("[")) {
        throw new UsageError(`${name} is not valid JSON: ${(error as Error).message}`);
      }
    }
  }
  // JSON Lines: a bad line is a bad row, counted by the validation that follows.
  return trimmed
    .split("\n")
    .filter((line) => line.trim().length > 0)
    .map((line) => {
      try {
        return JSON.parse(line) as unknown;
      } catch {
        return { [NOT_JSON]: line.slice(0, 80) };
      }
    });
}

export function readLocalRows(path: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(
      `cannot read the dataset ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  return parseRowsText(text, path);
}

export async function parquetRows(bytes: ArrayBuffer): Promise<unknown[]> {
  return (await parquetReadObjects({ file: bytes })) as unknown[];
}

/** The Dippy dataset API: `GET url?start_date&end_date&limit` with a bearer token; rows under `all_convos`. */
export async function fetchDippyApiRows(options: {
  /** The API, then its backups: tried in order until one answers, as the reference does. */
  url: string | readonly string[];
  token?: string;
  startDate: string;
  endDate: string;
  limit: number;
  signal?: AbortSignal;
}): Promise<unknown[]> {
  const urls = typeof options.url === "string" ? options.url.split(",") : options.url;
  const failures: string[] = [];
  for (const [i, base] of urls.entries()) {
    try {
      // The reference asks its backups without the limit.
      return await fetchOneDatasetApi(base, options, i === 0 ? options.limit : null);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      failures.push((error as Error).message);
    }
  }
  throw new NetworkError(failures.join("; "), {
    hint:
      urls.length > 1
        ? "every dataset API URL failed: check SN11_DATASET_API_URL and the token"
        : "add backup URLs to SN11_DATASET_API_URL, separated by commas, or pass --dataset FILE",
  });
}

async function fetchOneDatasetApi(
  base: string,
  options: { token?: string; startDate: string; endDate: string; signal?: AbortSignal },
  limit: number | null,
): Promise<unknown[]> {
  const url = new URL(base);
  url.searchParams.set("start_date", options.startDate);
  url.searchParams.set("end_date", options.endDate);
  if (limit !== null) url.searchParams.set("limit", String(limit));
  let response: Response;
  try {
    response = await fetch(url, {
      headers: options.token ? { Authorization: `Bearer ${options.token}` } : {},
      signal: options.signal ?? AbortSignal.timeout(60_000),
    });
  } catch (error) {
    throw new NetworkError(
      `the dataset API at ${url.origin} could not be reached: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (!response.ok) {
    throw new NetworkError(`the dataset API at ${url.origin} answered HTTP ${response.status}`, {
      hint: response.status === 401 || response.status === 403 ? "check the dataset API token" : undefined,
    });
  }
  const body = await jsonBody<{ all_convos?: unknown } | null>(response, (m) => new NetworkError(m));
  if (!body || typeof body !== "object")
    throw new NetworkError(`the dataset API at ${url.origin} answered no JSON object`);
  return Array.isArray(body.all_convos) ? body.all_convos : [];
}

const DATA_FILE = /\.(parquet|jsonl|json)$/;

/** Every parquet, JSON and JSONL file of a Hugging Face dataset repo at a revision, in path order. */
export async function fetchHubDatasetRows(options: {
  endpoint: string;
  token?: string;
  repo: string;
  revision?: string;
}): Promise<unknown[]> {
  const credentials = { hubUrl: options.endpoint, ...(options.token ? { accessToken: options.token } : {}) };
  const repo = { type: "dataset" as const, name: options.repo };
  const paths: string[] = [];
  try {
    for await (const entry of listFiles({
      repo,
      revision: options.revision,
      recursive: true,
      ...credentials,
    })) {
      if (entry.type === "file" && DATA_FILE.test(entry.path)) paths.push(entry.path);
    }
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 401 || status === 403 || status === 404) {
      throw new UsageError(`dataset ${options.repo} is not available on the Hub (HTTP ${status})`);
    }
    throw new NetworkError(`the Hub could not list dataset ${options.repo}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (paths.length === 0) throw new UsageError(`dataset ${options.repo} has no parquet, JSON or JSONL files`);
  const rows: unknown[] = [];
  for (const path of paths.sort()) {
    const blob = await downloadFile({ repo, path, revision: options.revision, ...credentials });
    if (!blob) continue;
    const bytes = await blob.arrayBuffer();
    rows.push(
      ...(path.endsWith(".parquet")
        ? await parquetRows(bytes)
        : parseRowsText(Buffer.from(bytes).toString("utf8"), path)),
    );
  }
  return rows;
}
