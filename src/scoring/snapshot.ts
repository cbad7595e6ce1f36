import { createHash } from "node:crypto";
import { z } from "zod";
import { EVALUATION_STATUSES } from "./registry.js";

/** The replay snapshot of SCORING.md §Replay: chain state at one block plus evaluation results. */

const blockNumber = z.number().int().nonnegative();

export const snapshotSchema = z
  .object({
    netuid: z.number().int().min(0).max(65535),
    block: blockNumber,
    hotkeys: z.array(z.string().min(1)),
    commitments: z.array(
      z.object({
        hotkey: z.string().min(1),
        block: blockNumber,
        data: z.string().nullable(),
      }),
    ),
    evaluations: z.array(
      z.object({
        repo: z.string().min(1),
        hash: z.string().min(1),
        status: z.enum(EVALUATION_STATUSES),
        total_score: z.number().nullable(),
      }),
    ),
    hyperparameters: z
      .object({
        min_allowed_weights: z.number().int().nonnegative().optional(),
        max_weights_limit: z.number().int().nonnegative().optional(),
      })
      .loose()
      .optional(),
  })
  .loose()
  .superRefine((snapshot, ctx) => {
    const seen = new Map<string, number>();
    snapshot.commitments.forEach((c, i) => {
      const first = seen.get(c.hotkey);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["commitments", i, "hotkey"],
          message: `second commitment for this hotkey (the first is commitments[${first}]); the chain keeps one`,
        });
      } else seen.set(c.hotkey, i);
    });
    const evaluations = new Map<string, number>();
    snapshot.evaluations.forEach((e, i) => {
      const key = `${e.repo}\n${e.hash}`;
      const first = evaluations.get(key);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["evaluations", i],
          message: `second evaluation for this repo and hash (the first is evaluations[${first}])`,
        });
      } else evaluations.set(key, i);
    });
  });

export type Snapshot = z.infer<typeof snapshotSchema>;

export type SnapshotParse = { ok: true; snapshot: Snapshot } | { ok: false; path: string; message: string };

export function jsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === "number" ? `${acc}[${key}]` : `${acc}.${String(key)}`),
    "$",
  );
}

export function parseSnapshot(value: unknown): SnapshotParse {
  const result = snapshotSchema.safeParse(value);
  if (result.success) return { ok: true, snapshot: result.data };
  const issue = result.error.issues[0] as z.core.$ZodIssue;
  return { ok: false, path: jsonPath(issue.path), message: issue.message };
}

/** sha256 of the snapshot's canonical JSON (keys sorted), so the same state always has the same digest. */
export function snapshotDigest(snapshot: Snapshot): string {
  return createHash("sha256").update(canonicalJson(snapshot)).digest("hex");
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
