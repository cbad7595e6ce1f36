import { z } from "zod";
import { freeBytesAt } from "../ensure-dir.js";
import { UsageError } from "../errors.js";
import { defaultCacheBudget, ModelCache, modelsDir } from "../eval/hub/cache.js";
import { formatBytes } from "../eval/hub/prechecks.js";
import { joinFitting, outputWidth, plural, renderTable } from "../render/table.js";
import type { CachedModel } from "../store/model-cache.js";
import { defineCommand } from "./define.js";

const DAY_MS = 86_400_000;

export const cacheCommand = defineCommand({
  name: "cache",
  uses: ["store"],
  description:
    "Models live in <data dir>/models: content-addressed blobs hard-linked into one snapshot per repo and\n" +
    "commit. `list` (the default) shows each snapshot, its size, when it was last used and whether a running\n" +
    "sn11 holds it, with the total, the default budget and the free disk. `prune` removes the snapshots not\n" +
    "used for --older-than days (or --all of them); one a running process uses always stays.",
  examples: ["sn11 cache", "sn11 cache prune --older-than 3", "sn11 cache prune --all --dry-run --json"],
  arguments: [{ name: "action", description: "list (default) or prune", required: false }],
  options: z.object({
    olderThan: z.coerce
      .number()
      .min(0)
      .default(7)
      .describe("prune: snapshots unused for this many days")
      .meta({ valueName: "days" }),
    all: z.boolean().default(false).describe("prune: every snapshot not in use"),
    dryRun: z.boolean().default(false).describe("prune: say what would go, remove nothing"),
  }),
  async run({ args, options: o }, ctx) {
    const action = args[0] ?? "list";
    if (action !== "list" && action !== "prune")
      throw new UsageError(`unknown action ${action}: list or prune`);
    const store = ctx.store();
    const dir = modelsDir(ctx.loaded.config.dataDir);
    const models = store.modelCache.all();
    const total = models.reduce((s, m) => s + m.bytes, 0);
    const free = freeBytesAt(dir);
    const budget = defaultCacheBudget(free, total);
    const modelJson = (m: CachedModel) => ({
      repo: m.repo,
      sha: m.sha,
      bytes: m.bytes,
      complete: m.complete,
      last_used: m.lastUsed,
      in_use_pid: m.inUsePid,
    });
    if (action === "prune") {
      const cutoff = Date.now() - o.olderThan * DAY_MS;
      const pick = (m: CachedModel) => o.all || Date.parse(m.lastUsed) < cutoff;
      const cache = new ModelCache(dir, store.modelCache, null);
      const result = o.dryRun
        ? { removed: models.filter(pick), bytes: models.filter(pick).reduce((s, m) => s + m.bytes, 0) }
        : cache.prune(pick);
      const verb = o.dryRun ? "would remove" : "removed";
      return {
        json: { dir, dry_run: o.dryRun, removed: result.removed.map(modelJson), bytes: result.bytes },
        text: () =>
          [
            ...result.removed.map((m) => `${verb} ${m.repo}@${m.sha.slice(0, 12)} (${formatBytes(m.bytes)})`),
            `${verb} ${result.removed.length} of ${models.length} snapshots, ${formatBytes(result.bytes)} (${dir})`,
          ].join("\n"),
      };
    }
    return {
      json: {
        dir,
        total_bytes: total,
        default_budget_bytes: budget,
        free_bytes: free,
        models: models.map(modelJson),
      },
      text: () =>
        `${
          models.length === 0
            ? "no models downloaded yet"
            : renderTable(
                [
                  { header: "repo", value: (m: CachedModel) => m.repo, shrink: 20 },
                  { header: "revision", value: (m) => m.sha.slice(0, 12) },
                  { header: "size", value: (m) => formatBytes(m.bytes), align: "right" },
                  { header: "last used", value: (m) => m.lastUsed.slice(0, 16).replace("T", " ") },
                  {
                    header: "state",
                    value: (m) =>
                      m.inUsePid ? `in use (pid ${m.inUsePid})` : m.complete ? "complete" : "partial",
                  },
                ],
                models,
                { width: outputWidth(ctx.stdout) },
              )
        }\n\n${joinFitting(
          [
            `${dir}: ${formatBytes(total)} in ${plural(models.length, "snapshot")}`,
            `default budget ${formatBytes(budget)} (80 % of free + cached; --cache-budget sets it)`,
            `${formatBytes(free)} free`,
          ],
          outputWidth(ctx.stdout),
        )}`,
    };
  },
});
