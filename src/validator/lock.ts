import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../errors.js";
import { isProcessAlive } from "../process-alive.js";

/**
 * One validator per data dir: two would evaluate the same queue twice and race on set_weights.
 * The lock file holds the owner's pid; a lock whose process is gone (kill -9, power cut) is taken over.
 */
export function acquireDataDirLock(dataDir: string, name = "validate.lock"): () => void {
  const file = join(dataDir, name);
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
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = Number.parseInt(readFileSync(file, "utf8").trim(), 10);
      if (Number.isInteger(pid) && pid !== process.pid && isProcessAlive(pid)) {
        throw new ConfigError(`another sn11 validate (pid ${pid}) is using ${dataDir}`, {
          hint: "stop it first, or give this one its own --data-dir",
        });
      }
      rmSync(file, { force: true });
    }
  }
  throw new ConfigError(`cannot take the lock ${file}`, { hint: "remove it if no sn11 validate is running" });
}
