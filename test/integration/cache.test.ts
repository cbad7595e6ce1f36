import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultCacheBudget, ModelCache, modelsDir } from "../../src/eval/hub/cache.js";
import { cleanEnv, inStore, runInProcess, tempDir } from "../support/cli.js";

const DAY = 86_400_000;

/** Three cached snapshots: one used 10 days ago, one yesterday, one 10 days ago but held by this process. */
function cacheFixture() {
  const dataDir = tempDir();
  inStore(dataDir, (store) => {
    const cache = new ModelCache(modelsDir(dataDir), store.modelCache, null);
    const put = (repo: string, sha: string, daysAgo: number, blob: string) => {
      writeFileSync(cache.blobPath(blob), `weights of ${repo}`);
      cache.linkInto(cache.blobPath(blob), join(cache.snapshotDir(repo, sha), "model.safetensors"));
      store.modelCache.upsert(repo, sha, 1000 + daysAgo, true, new Date(Date.now() - daysAgo * DAY));
    };
    put("old/model", "a".repeat(40), 10, "b1");
    put("new/model", "b".repeat(40), 1, "b2");
    put("busy/model", "c".repeat(40), 10, "b3");
    store.modelCache.markInUse("busy/model", "c".repeat(40), process.pid);
  });
  return dataDir;
}

describe("sn11 cache", () => {
  it("the default budget: 80 % of the free disk plus what the cache holds", () => {
    expect(defaultCacheBudget(100, 0)).toBe(80);
    expect(defaultCacheBudget(50, 50)).toBe(80);
  });

  it("lists the snapshots with the total, the default budget and the free disk", async () => {
    const dataDir = cacheFixture();
    const run = await runInProcess(["cache", "--json"], { env: cleanEnv({ SN11_DATA_DIR: dataDir }) });
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.dir).toBe(join(dataDir, "models"));
    expect(out.models.map((m: { repo: string }) => m.repo).sort()).toEqual([
      "busy/model",
      "new/model",
      "old/model",
    ]);
    expect(out.total_bytes).toBe(3000 + 10 + 1 + 10);
    expect(out.default_budget_bytes).toBe(Math.floor((out.free_bytes + out.total_bytes) * 0.8));
    const text = await runInProcess(["cache"], { env: cleanEnv({ SN11_DATA_DIR: dataDir }) });
    expect(text.stdout).toContain(`in use (pid ${process.pid})`);
    expect(text.stdout).toMatch(/in 3 snapshots\s·?\s*default budget/);
  });

  it("prune removes what was not used lately, never what a live process holds; --dry-run removes nothing", async () => {
    const dataDir = cacheFixture();
    const env = cleanEnv({ SN11_DATA_DIR: dataDir });
    const dry = await runInProcess(["cache", "prune", "--older-than", "3", "--dry-run", "--json"], { env });
    expect(
      JSON.parse(dry.stdout)
        .removed.map((m: { repo: string }) => m.repo)
        .sort(),
    ).toEqual(["busy/model", "old/model"]);
    expect(existsSync(join(dataDir, "models/snapshots/old--model"))).toBe(true);
    const run = await runInProcess(["cache", "prune", "--older-than", "3"], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("removed old/model@aaaaaaaaaaaa");
    expect(run.stdout).toContain("removed 1 of 3 snapshots");
    expect(existsSync(join(dataDir, "models/snapshots/old--model", "a".repeat(40)))).toBe(false);
    expect(existsSync(join(dataDir, "models/blobs/b1"))).toBe(false);
    expect(existsSync(join(dataDir, "models/blobs/b2"))).toBe(true);
    const all = await runInProcess(["cache", "prune", "--all", "--json"], { env });
    expect(JSON.parse(all.stdout).removed.map((m: { repo: string }) => m.repo)).toEqual(["new/model"]);
    const bad = await runInProcess(["cache", "shrink"], { env });
    expect(bad.code).toBe(2);
  });
});
