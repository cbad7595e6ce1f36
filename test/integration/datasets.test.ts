import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parquetWriteBuffer } from "hyparquet-writer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { judgeSet } from "../../src/eval/datasets/judge-set.js";
import { validateRows } from "../../src/eval/datasets/rows.js";
import { fetchDippyApiRows, fetchHubDatasetRows } from "../../src/eval/datasets/sources.js";
import { Store } from "../../src/store/store.js";
import { tempDir } from "../support/cli.js";
import { LocalHub } from "../support/hub/server.js";

const ROWS = Array.from({ length: 40 }, (_, i) => ({
  system_prompt: `You are character ${i}.`,
  messages: [
    { role: "user", content: `hello ${i}` },
    { role: "assistant", content: `greetings ${i}` },
    { role: "user", content: `how are you ${i}?` },
    { role: "assistant", content: `fine ${i}` },
  ],
}));

let hub: LocalHub;
beforeAll(async () => {
  hub = await LocalHub.start();
  const parquet = parquetWriteBuffer({
    columnData: [
      { name: "system_prompt", data: ROWS.slice(0, 30).map((r) => r.system_prompt), type: "STRING" },
      { name: "messages", data: ROWS.slice(0, 30).map((r) => JSON.stringify(r.messages)), type: "STRING" },
    ],
  });
  const jsonl = `${ROWS.slice(30)
    .map((r) => JSON.stringify(r))
    .join("\n")}\n{"not": "a conversation"}\n`;
  hub.addRepo(
    "DippyAI/rp-eval",
    {
      files: {
        "data/train-00000.parquet": Buffer.from(parquet),
        "data/extra.jsonl": Buffer.from(jsonl),
        "README.md": Buffer.from("#"),
      },
    },
    "dataset",
  );
});
afterAll(async () => {
  await hub.stop();
});

describe("dataset sources", () => {
  it("reads a Hub dataset's parquet and JSONL files (hyparquet), bad rows counted", async () => {
    const raw = await fetchHubDatasetRows({ endpoint: hub.url, repo: "DippyAI/rp-eval" });
    const { rows, bad } = validateRows(raw);
    expect(rows).toHaveLength(40);
    expect(bad).toBe(1);
    expect(rows[0]).toEqual(ROWS[30]); // files in path order: extra.jsonl before train-00000.parquet
    expect(rows.map((r) => r.system_prompt).sort()).toEqual(ROWS.map((r) => r.system_prompt).sort());
  });

  it("a missing dataset is a clear error", async () => {
    await expect(fetchHubDatasetRows({ endpoint: hub.url, repo: "DippyAI/nope" })).rejects.toThrow(
      /not available on the Hub/,
    );
  });

  it("the Dippy dataset API: date window, limit and bearer token, rows under all_convos", async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.url} ${req.headers.authorization}`);
      if (req.headers.authorization !== "Bearer jwt") {
        res.writeHead(401).end();
        return;
      }
      res
        .writeHead(200, { "Content-Type": "application/json" })
        .end(JSON.stringify({ all_convos: ROWS.slice(0, 3) }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dataset`;
    try {
      const rows = await fetchDippyApiRows({
        url,
        token: "jwt",
        startDate: "20241201",
        endDate: "20261125",
        limit: 2048,
      });
      expect(rows).toHaveLength(3);
      expect(seen[0]).toBe("/dataset?start_date=20241201&end_date=20261125&limit=2048 Bearer jwt");
      await expect(
        fetchDippyApiRows({ url, startDate: "20241201", endDate: "20261125", limit: 1 }),
      ).rejects.toThrow(/HTTP 401/);
      // Backups, tried in order as the reference tries its BACKUP_URLS, asked without the limit.
      seen.length = 0;
      const backups = await fetchDippyApiRows({
        url: `http://127.0.0.1:9/dataset,${url}`,
        token: "jwt",
        startDate: "20241201",
        endDate: "20261125",
        limit: 2048,
      });
      expect(backups).toHaveLength(3);
      expect(seen).toEqual(["/dataset?start_date=20241201&end_date=20261125 Bearer jwt"]);
      await expect(
        fetchDippyApiRows({ url: `http://127.0.0.1:9/a,${url}`, startDate: "1", endDate: "2", limit: 1 }),
      ).rejects.toThrow(/could not be reached.*; the dataset API at .* answered HTTP 401/);
    } finally {
      server.close();
    }
  });
});

describe("judgeSet", () => {
  it("is cached in the store: the second call returns the stored samples", async () => {
    const store = Store.open(tempDir());
    const { rows } = validateRows(ROWS);
    const first = await judgeSet(rows, "seed-1", { count: 10, maxMessages: 6 }, store.sampleSets);
    const second = await judgeSet(rows, "seed-1", { count: 10, maxMessages: 6 }, store.sampleSets);
    expect(first.cached).toBe(false);
    expect(second.cached).toBe(true);
    expect(second.samples).toEqual(first.samples);
    expect(first.samples).toHaveLength(10);
    const other = await judgeSet(rows, "seed-2", { count: 10, maxMessages: 6 }, store.sampleSets);
    expect(other.key).not.toBe(first.key);
    store.close();
  });

  it("replaces the prompts a filter rejects, as the reference replaces over-long ones; the filter is part of the key", async () => {
    const store = Store.open(tempDir());
    const { rows } = validateRows(ROWS);
    const plain = await judgeSet(rows, "seed-1", { count: 10, maxMessages: 6 });
    const banned = new Set(plain.samples.slice(0, 3).map((s) => s.source));
    const filter = {
      id: "test: not the first three",
      fits: async (s: { source: number }) => !banned.has(s.source),
    };
    const filtered = await judgeSet(rows, "seed-1", { count: 10, maxMessages: 6, filter }, store.sampleSets);
    expect(filtered.rejected).toBe(3);
    expect(filtered.samples).toHaveLength(10);
    // The same order, the rejected ones replaced by the next candidates.
    expect(filtered.samples.slice(0, 7)).toEqual(plain.samples.slice(3));
    expect(filtered.samples.some((s) => banned.has(s.source))).toBe(false);
    expect(filtered.key).not.toBe(plain.key);
    store.close();
  });
});
