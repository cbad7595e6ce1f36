import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { ensureDir } from "../ensure-dir.js";
import { ConfigError } from "../errors.js";
import { isProcessAlive } from "../process-alive.js";

/**
 * One validator per data dir: two would evaluate the same queue twice and race on set_weights.
 * The lock file holds the owner's pid; a lock whose process is gone (kill -9, power cut) is taken over.
 */
export function acquireDataDirLock(
  dataDir: string,
  name = "validate.lock",
  command = "sn11 validate",
): () => void {
  const file = join(dataDir, name);
  ensureDir(dataDir);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(file, "utf8").trim() === String(process.pid)) rmSync(file);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new ConfigError(`cannot take the lock ${file}: ${(error as Error).message}`, {
          hint: "check --data-dir (or SN11_DATA_DIR) and its permissions",
        });
      }
      const pid = ownerOf(file);
      if (Number.isInteger(pid) && pid !== process.pid && isProcessAlive(pid)) {
        throw new ConfigError(`another ${command} (pid ${pid}) is using ${dataDir}`, {
          hint: "stop it first, or give this one its own --data-dir",
        });
      }
      rmSync(file, { force: true });
    }
  }
  throw new ConfigError(`cannot take the lock ${file}`, { hint: `remove it if no ${command} is running` });
}

/**
 * The pid in a lock file. A file just created by another starting validator may not hold its pid yet:
 * it is read again for a moment before it counts as stale.
 */
function ownerOf(file: string): number {
  for (let i = 0; i < 20; i++) {
    let text = "";
    try {
      text = readFileSync(file, "utf8").trim();
    } catch {
      return Number.NaN; // removed meanwhile
    }
    if (text !== "") return Number.parseInt(text, 10);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25);
  }
  return Number.NaN;
}
