import type { AddressInfo } from "node:net";
import { z } from "zod";
import { assertSs58 } from "../chain/ss58.js";
import { ConfigError, UsageError } from "../errors.js";
import { findProfile } from "../scoring/profile.js";
import { registerSecret } from "../secrets.js";
import { defineCommand } from "./define.js";

export const serveCommand = defineCommand({
  name: "serve",
  uses: ["store", "shared", "profile"],
  gracefulStop: true,
  description:
    "Serves the reference's validation API from this data dir's store (or the --store the workers share),\n" +
    "so validators without a GPU can read the scores `sn11 validate` and its workers compute (a reference\n" +
    "validator's VALIDATION_SERVER, or\n" +
    "`sn11 validate --score-source remote --score-url URL`): GET /model_submission_details, /minerboard,\n" +
    "/hc and /leaderboard, and the admin call POST /check_model, which queues an entry for the daemon.\n" +
    "Admin calls need SN11_SERVE_ADMIN_TOKEN (as the body's admin_key or a bearer token, compared in\n" +
    "constant time) or an sr25519 signature of a --admin-hotkeys hotkey over the timestamped request;\n" +
    "SN11_SERVE_READ_TOKEN, when set, protects the read endpoints too.",
  examples: [
    "sn11 serve",
    "SN11_SERVE_ADMIN_TOKEN=… sn11 serve --host 0.0.0.0 --port 8000",
    "sn11 validate --score-source remote --score-url http://127.0.0.1:8000 --offline",
  ],
  options: z.object({
    host: z.string().default("127.0.0.1").describe("address to listen on"),
    port: z.coerce
      .number()
      .int()
      .min(0)
      .max(65535)
      .default(8000)
      .describe("port to listen on (0: any free port)"),
    adminHotkeys: z
      .string()
      .optional()
      .describe("hotkeys (SS58, comma-separated) whose signed requests may call /check_model")
      .meta({ valueName: "ss58,…" }),
  }),
  async run({ options }, ctx) {
    const profile = findProfile(ctx.loaded.config.profile);
    if (!profile) throw new Error(`unknown profile ${ctx.loaded.config.profile}`);
    const adminHotkeys = new Set(
      (options.adminHotkeys ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    );
    for (const hotkey of adminHotkeys) await assertSs58(hotkey);
    const adminToken = ctx.env.SN11_SERVE_ADMIN_TOKEN || null;
    const readToken = ctx.env.SN11_SERVE_READ_TOKEN || null;
    registerSecret(adminToken);
    registerSecret(readToken);
    if (adminToken && adminToken.length < 16) {
      throw new ConfigError("SN11_SERVE_ADMIN_TOKEN is shorter than 16 characters", {
        hint: "use a long random token, e.g. openssl rand -hex 32",
      });
    }
    const { scoreServer } = await import("../serve/server.js");
    const shared = await ctx.shared();
    const server = scoreServer({
      store: ctx.store(),
      shared,
      profile,
      logger: ctx.logger,
      adminToken,
      adminHotkeys,
      readToken,
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", (error: NodeJS.ErrnoException) =>
        reject(
          new UsageError(`cannot listen on ${options.host}:${options.port}: ${error.code ?? error.message}`, {
            hint: "pick another --port, or stop what holds it",
          }),
        ),
      );
      server.listen(options.port, options.host, () => resolve());
    });
    const closed = new Promise<void>((resolve) => server.once("close", () => resolve()));
    ctx.cleanup.add("score server", () => {
      server.closeAllConnections();
      server.close();
    });
    const address = server.address() as AddressInfo;
    const url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
    ctx.logger.info(
      {
        url,
        profile: profile.id,
        store: shared.location,
        admin: Boolean(adminToken) || adminHotkeys.size > 0,
      },
      "serving",
    );
    ctx.stderr.write(
      `sn11 serve: listening on ${url} · profile ${profile.id} · store ${shared.location} · admin calls ${
        adminToken || adminHotkeys.size > 0
          ? "enabled"
          : "disabled (no SN11_SERVE_ADMIN_TOKEN, no --admin-hotkeys)"
      }\n`,
    );
    await new Promise<void>((resolve) => {
      if (ctx.stop.aborted) return resolve();
      ctx.stop.addEventListener("abort", () => resolve(), { once: true });
    });
    server.closeIdleConnections();
    server.close();
    await closed;
    return { json: { url, stopped: true }, text: () => `sn11 serve: stopped (${url})` };
  },
});
