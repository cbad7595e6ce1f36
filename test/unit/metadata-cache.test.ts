import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MetadataCache } from "../../src/chain/metadata-cache.js";
import { tempDir } from "../support/cli.js";

describe("MetadataCache", () => {
  it("keeps one gzipped file per runtime, keyed as @polkadot/api looks metadata up", () => {
    const dir = join(tempDir(), "chain-metadata");
    const cache = new MetadataCache(dir);
    expect(cache.load()).toEqual({});
    cache.save("0xabc-343", "0x6d657461ff");
    cache.save("0xabc-344", "0x6d65746100");
    cache.save("../escape", "0x00");
    expect(readdirSync(dir).sort()).toEqual(["0xabc-343.scale.gz", "0xabc-344.scale.gz"]);
    const again = new MetadataCache(dir);
    expect(again.load()).toEqual({ "0xabc-343": "0x6d657461ff", "0xabc-344": "0x6d65746100" });
    expect(again.has("0xabc-343")).toBe(true);
    writeFileSync(join(dir, "0xabc-344.scale.gz"), "damaged");
    const damaged = new MetadataCache(dir);
    expect(Object.keys(damaged.load())).toEqual(["0xabc-343"]);
    expect(damaged.has("0xabc-344")).toBe(false);
  });
});
