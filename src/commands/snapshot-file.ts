import { readFileSync } from "node:fs";
import { UsageError } from "../errors.js";
import { parseSnapshot, type Snapshot } from "../scoring/snapshot.js";

/** A replay snapshot from a file the user named: every way it can be wrong is a usage error. */
export function readSnapshotFile(file: string): Snapshot {
  let raw: string;
  try {
    raw = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === "ENOENT"
        ? `snapshot ${file} does not exist`
        : `cannot read snapshot ${file}: ${code ?? error}`,
      { hint: "sn11 snapshot --out FILE writes one from the chain; examples/demo-step.json is one" },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new UsageError(`snapshot ${file} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = parseSnapshot(value);
  if (!parsed.ok) {
    throw new UsageError(`snapshot ${file}: ${parsed.path}: ${parsed.message}`, {
      hint: "the snapshot format is described in the README (sn11 weights)",
    });
  }
  return parsed.snapshot;
}
