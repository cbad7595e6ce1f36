import { type Db, prepared } from "./db.js";

/** Sampled judge sets, so a resumed or repeated evaluation uses exactly the same conversations. */
export class SampleSets {
  constructor(private readonly db: Db) {}

  get<T>(key: string): T[] | undefined {
    const row = prepared(this.db, "SELECT samples_json FROM sample_sets WHERE key = ?").get(key) as
      | { samples_json: string }
      | undefined;
    return row ? (JSON.parse(row.samples_json) as T[]) : undefined;
  }

  put(
    entry: { key: string; datasetDigest: string; seed: string; samples: readonly unknown[] },
    now = new Date(),
  ): void {
    prepared(
      this.db,
      `INSERT OR IGNORE INTO sample_sets (key, dataset_digest, seed, count, created_at, samples_json)
         VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(
      entry.key,
      entry.datasetDigest,
      entry.seed,
      entry.samples.length,
      now.toISOString(),
      JSON.stringify(entry.samples),
    );
  }
}
