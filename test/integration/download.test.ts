import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, NetworkError } from "../../src/errors.js";
import { assertFreeSpace, ModelCache } from "../../src/eval/hub/cache.js";
import { downloadSnapshot } from "../../src/eval/hub/download.js";
import { HfHub } from "../../src/eval/hub/hub.js";
import type { ProgressEvent } from "../../src/eval/progress.js";
import { createLogger } from "../../src/log.js";
import { Store } from "../../src/store/store.js";
import { tempDir } from "../support/cli.js";
import { modelRepoFiles } from "../support/hub/model-files.js";
import { type HubFault, LocalHub } from "../support/hub/server.js";

const logger = createLogger({ write: () => true }, "silent");
let hub: LocalHub;
const files = modelRepoFiles({ shardMiB: 2 });
const SHARD = "model-00002-of-00002.safetensors";
let store: Store;

beforeAll(async () => {
  hub = await LocalHub.start();
  hub.addRepo("alice/small", { files });
});
afterAll(async () => {
  await hub.stop();
});
afterEach(() => store?.close());

async function setup(budget: number | null = null) {
  const dataDir = tempDir();
  store = Store.open(dataDir);
  const cache = new ModelCache(join(dataDir, "models"), store.modelCache, budget);
  const inspection = await new HfHub({ endpoint: hub.url }).inspect("alice/small", "main");
  return { cache, inspection };
}

function options(cache: ModelCache, events: ProgressEvent[] = []) {
  return { endpoint: hub.url, cache, logger, stallMs: 500, onProgress: (e: ProgressEvent) => events.push(e) };
}

describe("downloadSnapshot", () => {
  it("downloads every file at the pinned commit, verified, with progress for the whole repo", async () => {
    const { cache, inspection } = await setup();
    const events: ProgressEvent[] = [];
    const dir = await downloadSnapshot(
      "alice/small",
      inspection.sha as string,
      inspection.files,
      options(cache, events),
    );
    for (const [path, bytes] of Object.entries(files))
      expect(readFileSync(join(dir, path)).equals(bytes)).toBe(true);
    const last = events.at(-1) as ProgressEvent;
    expect(last.done).toBe(last.total);
    expect(last.total).toBe(Object.values(files).reduce((s, b) => s + b.length, 0));
    expect(store.modelCache.all()[0]).toMatchObject({ repo: "alice/small", complete: true });
    // A second call finds the verified blobs and fetches nothing.
    const before = hub.requests.length;
    await downloadSnapshot("alice/small", inspection.sha as string, inspection.files, options(cache));
    expect(hub.requests.slice(before).filter((r) => r.url.endsWith(".safetensors"))).toEqual([]);
  });

  it("a dropped connection resumes with a Range request and the file still verifies", async () => {
    const { cache, inspection } = await setup();
    hub.inject({ path: SHARD, action: "drop", afterBytes: 700_000 });
    const before = hub.requests.length;
    const dir = await downloadSnapshot(
      "alice/small",
      inspection.sha as string,
      inspection.files,
      options(cache),
    );
    expect(readFileSync(join(dir, SHARD)).equals(files[SHARD] as Buffer)).toBe(true);
    const ranges = hub.requests.slice(before).filter((r) => r.url.endsWith(SHARD) && r.range);
    expect(ranges.map((r) => r.range)).toContainEqual(expect.stringMatching(/^bytes=\d+-$/));
    expect(Number(/bytes=(\d+)-/.exec(ranges.at(-1)?.range ?? "")?.[1])).toBeGreaterThan(0);
  });

  it.each<[string, HubFault]>([
    [
      "a stalled transfer is aborted after the stall timeout and resumed",
      { path: SHARD, action: "stall", afterBytes: 300_000 },
    ],
    [
      "a corrupted byte is caught by the sha256 check and the file is fetched again",
      { path: SHARD, action: "corrupt", offset: 12345 },
    ],
  ])("%s", async (_label, fault) => {
    const { cache, inspection } = await setup();
    hub.inject(fault);
    const dir = await downloadSnapshot(
      "alice/small",
      inspection.sha as string,
      inspection.files,
      options(cache),
    );
    expect(readFileSync(join(dir, SHARD)).equals(files[SHARD] as Buffer)).toBe(true);
  });

  it("gives up with a network error when every attempt is corrupted", async () => {
    const { cache, inspection } = await setup();
    for (let i = 0; i < 3; i++) hub.inject({ path: SHARD, action: "corrupt", offset: 1 });
    const error = await downloadSnapshot("alice/small", inspection.sha as string, inspection.files, {
      ...options(cache),
      attempts: 3,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.message).toContain("is corrupted");
  });
});

describe("the cache budget", () => {
  it("evicts least recently used snapshots, never one in use, and refuses when it cannot make room", async () => {
    const size = Object.values(files).reduce((s, b) => s + b.length, 0);
    hub.addRepo("bob/small", { files: modelRepoFiles({ shardMiB: 2 }) });
    hub.addRepo("carol/small", { files: modelRepoFiles({ shardMiB: 2 }) });
    const { cache } = await setup(Math.floor(size * 2.5));
    const hubClient = new HfHub({ endpoint: hub.url });
    const get = async (repo: string) => {
      const i = await hubClient.inspect(repo, "main");
      await downloadSnapshot(repo, i.sha as string, i.files, options(cache));
      return i;
    };
    const a = await get("alice/small");
    cache.release("alice/small", a.sha as string);
    const b = await get("bob/small"); // stays in use
    await get("carol/small"); // needs room: alice (released, oldest) goes
    expect(
      store.modelCache
        .all()
        .map((m) => m.repo)
        .sort(),
    ).toEqual(["bob/small", "carol/small"]);
    expect(store.modelCache.totalBytes()).toBeLessThanOrEqual(size * 2.5);
    // Both remaining are in use by this process: a fourth model cannot fit.
    hub.addRepo("dave/small", { files: modelRepoFiles({ shardMiB: 2 }) });
    cache.release("carol/small", (await hubClient.inspect("carol/small", "main")).sha as string);
    await get("dave/small");
    expect(
      store.modelCache
        .all()
        .map((m) => m.repo)
        .sort(),
    ).toEqual(["bob/small", "dave/small"]);
    // Both are in use now: nothing may be evicted for a fifth.
    hub.addRepo("erin/small", { files: modelRepoFiles({ shardMiB: 2 }) });
    await expect(get("erin/small")).rejects.toThrow(/cache budget .* cannot hold/);
    expect(
      store.modelCache
        .all()
        .map((m) => m.repo)
        .sort(),
    ).toEqual(["bob/small", "dave/small"]);
    void b;
  });

  it("the free-disk check refuses a download that does not fit", () => {
    expect(() => assertFreeSpace("/x", 10 * 1024 ** 3, () => ({ bavail: 1024, bsize: 4096 }))).toThrow(
      ConfigError,
    );
    expect(() => assertFreeSpace("/x", 1024, () => ({ bavail: 1024 ** 3, bsize: 4096 }))).not.toThrow();
  });
});
