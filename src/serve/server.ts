import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { z } from "zod";
import { lastRecordedSnapshot } from "../leaderboard/sources.js";
import type { Logger } from "../log.js";
import { entryHash } from "../scoring/model-id.js";
import { CHAT_TEMPLATES, type ScoringProfile } from "../scoring/profile.js";
import type { SharedStore } from "../store/shared/shared-store.js";
import type { Store } from "../store/store.js";
import { bearer, checkSignature, ReplayGuard, tokenMatches } from "./auth.js";
import { offlineLeaderboard } from "./leaderboard.js";
import { type EntryFacts, entryFacts, minerboardRow, repoOf, scoreObject } from "./score-object.js";

export interface ScoreServerOptions {
  /** This box's store: the chain state the daemon's steps recorded (uids, the leaderboard). */
  readonly store: Store;
  /** The queue and results: the same SQLite file, or the PostgreSQL the workers share. */
  readonly shared: SharedStore;
  readonly profile: ScoringProfile;
  readonly logger: Logger;
  /** Admin calls (`POST /check_model`): this token (body `admin_key` or a bearer header)… */
  readonly adminToken: string | null;
  /** …or an sr25519 signature of one of these hotkeys over the timestamped request. */
  readonly adminHotkeys: ReadonlySet<string>;
  /** When set, the read endpoints need it as a bearer token too. */
  readonly readToken: string | null;
  readonly maxBodyBytes?: number;
  readonly now?: () => number;
}

/** FastAPI's error body, which the reference's clients read. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(detail);
  }
}

const MAX_BODY_BYTES = 64 * 1024;

/** `EvaluateModelRequest` as the reference's model queue posts it (DIPPY-SPEC §4.2). */
const checkModelBody = z.object({
  repo_namespace: z.string().min(1).max(200),
  repo_name: z.string().min(1).max(200),
  chat_template_type: z.string().min(1).max(100),
  hash: z.string().min(1).max(100),
  hotkey: z.string().min(1).max(100),
  block: z.number().int().nonnegative(),
  admin_key: z.string().optional(),
});

const detailsQuery = z.object({
  repo_namespace: z.string().min(1),
  repo_name: z.string().min(1),
  chat_template_type: z.string().min(1),
  hash: z.string().min(1),
  hotkey: z.string().min(1, "hotkey is required: the entry hash is checked against it"),
});

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Answer first (the connection closes after it); the rest of the body is read and dropped.
        req.removeAllListeners("data");
        req.resume();
        reject(new HttpError(413, `request body over ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    "content-type": "application/json",
    ...(status === 413 ? { connection: "close" } : {}),
  });
  res.end(JSON.stringify(body));
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join(".") || "body"}: ${issue.message}` : "invalid request";
}

/**
 * The reference's validation API (DIPPY-SPEC §6.1) served from this data dir's store: the same paths and
 * JSON shapes, so a reference validator's `VALIDATION_SERVER` and `sn11 validate --score-source remote`
 * can point at it; plus `/leaderboard`. The daemon (`sn11 validate`) writes the store; this only reads it,
 * except `/check_model`, which queues an entry for the daemon to evaluate.
 */
export function scoreServer(o: ScoreServerOptions): Server {
  const guard = new ReplayGuard();
  const limit = o.maxBodyBytes ?? MAX_BODY_BYTES;
  const now = o.now ?? Date.now;
  const profile = o.profile.id;

  const facts = async (repo: string, hash: string) => {
    // Both at once: over PostgreSQL they are two round trips on two of the pool's connections.
    const [evaluation, job] = await Promise.all([
      o.shared.evaluation(repo, hash, profile),
      o.shared.job(profile, repo, hash),
    ]);
    return entryFacts(evaluation, job);
  };

  const requireRead = (req: IncomingMessage) => {
    if (o.readToken && !tokenMatches(bearer(req.headers.authorization), o.readToken)) {
      throw new HttpError(401, "a bearer token is required");
    }
  };

  const requireAdmin = (req: IncomingMessage, path: string, body: Buffer, adminKey: string | undefined) => {
    const token = adminKey ?? bearer(req.headers.authorization);
    if (o.adminToken && tokenMatches(token, o.adminToken)) return;
    const signed = checkSignature({
      headers: req.headers,
      method: req.method ?? "POST",
      path,
      body,
      allowed: o.adminHotkeys,
      guard,
      nowMs: now(),
    });
    if (signed.ok) return;
    o.logger.warn({ path, reason: signed.reason }, "refused an admin call");
    throw new HttpError(403, "invalid key");
  };

  const routes: Record<string, (req: IncomingMessage, url: URL) => Promise<[number, unknown]>> = {
    "GET /hc": async () => [200, { g: true }],
    "GET /model_submission_details": async (req, url) => {
      requireRead(req);
      const q = detailsQuery.safeParse(Object.fromEntries(url.searchParams));
      if (!q.success) throw new HttpError(422, firstIssue(q.error));
      const { repo_namespace: ns, repo_name: name, chat_template_type: template, hash, hotkey } = q.data;
      if (entryHash(ns, name, template, hotkey) !== hash) {
        throw new HttpError(400, "Hash does not match the model details");
      }
      const f = await facts(repoOf(ns, name), hash);
      return [200, f ? scoreObject(f) : null];
    },
    "GET /minerboard": async (req) => {
      requireRead(req);
      const [jobs, evaluations] = await Promise.all([o.shared.jobs(profile), o.shared.evaluations(profile)]);
      const byEntry = new Map(evaluations.map((e) => [`${e.repo}\n${e.entryHash}`, e]));
      const rows = jobs.flatMap((job) => {
        const f = entryFacts(byEntry.get(`${job.repo}\n${job.entryHash}`), job);
        return f ? [minerboardRow(job, f)] : [];
      });
      return [200, rows];
    },
    "GET /leaderboard": async (req) => {
      requireRead(req);
      const board = await offlineLeaderboard(o.store, o.shared, o.profile);
      if (!board)
        throw new HttpError(404, "no validator step has recorded its chain state in this store yet");
      return [200, board];
    },
    "POST /check_model": async (req, url) => {
      const raw = await readBody(req, limit);
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw.toString("utf8") || "null");
      } catch {
        throw new HttpError(422, "the body is not JSON");
      }
      const body = checkModelBody.safeParse(parsed);
      // Authenticated first: the reference checks the hash before the key, telling anyone which hashes hold.
      requireAdmin(req, url.pathname + url.search, raw, body.success ? body.data.admin_key : undefined);
      if (!body.success) throw new HttpError(422, firstIssue(body.error));
      const m = body.data;
      if (entryHash(m.repo_namespace, m.repo_name, m.chat_template_type, m.hotkey) !== m.hash) {
        throw new HttpError(400, "Hash does not match the model details");
      }
      const repo = repoOf(m.repo_namespace, m.repo_name);
      const known = await facts(repo, m.hash);
      if (known) return [200, scoreObject(known)];
      if (!(CHAT_TEMPLATES as readonly string[]).includes(m.chat_template_type)) {
        await o.shared.putEvaluation({
          repo,
          entryHash: m.hash,
          profile,
          status: "FAILED",
          totalScore: 0,
          revision: null,
          reason: `Chat template type not supported: ${m.chat_template_type}`,
        });
        return [200, scoreObject((await facts(repo, m.hash)) as EntryFacts)];
      }
      const uid = registeredUid(o.store, m.hotkey);
      if (uid === null) {
        throw new HttpError(422, `hotkey ${m.hotkey} has no uid at the last step's block`);
      }
      await o.shared.addToQueue(profile, {
        repo,
        entryHash: m.hash,
        hotkey: m.hotkey,
        uid,
        commitBlock: m.block,
        chatTemplate: m.chat_template_type,
      });
      return [200, scoreObject((await facts(repo, m.hash)) as EntryFacts)];
    },
  };
  const knownPaths = new Set(Object.keys(routes).map((k) => k.split(" ")[1]));

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const t0 = performance.now();
    res.once("finish", () =>
      o.logger.debug(
        {
          method: req.method,
          path: url.pathname,
          status: res.statusCode,
          ms: Math.round(performance.now() - t0),
        },
        "request",
      ),
    );
    const route = routes[`${req.method} ${url.pathname}`];
    if (!route) {
      const status = knownPaths.has(url.pathname) ? 405 : 404;
      return send(res, status, { detail: status === 405 ? "Method Not Allowed" : "Not Found" });
    }
    route(req, url)
      .then(([status, body]) => send(res, status, body))
      .catch((error: unknown) => {
        if (error instanceof HttpError) return send(res, error.status, { detail: error.detail });
        // Never a stack trace in a response: the log has the error, the client a request it can report.
        o.logger.error({ path: url.pathname, error: (error as Error).message }, "score server error");
        send(res, 500, { detail: "internal error" });
      });
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  return server;
}

/** The hotkey's uid in the chain state the newest step recorded, or null. */
function registeredUid(store: Store, hotkey: string): number | null {
  const uid = lastRecordedSnapshot(store)?.snapshot.hotkeys.indexOf(hotkey) ?? -1;
  return uid >= 0 ? uid : null;
}
