import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { TEST_ENGINE_CACHE } from "./cli.js";
import { REPO_ROOT, sharedFile } from "./shared.js";

/**
 * Child-process tests run the npm entry point, so make sure its bundle matches the sources. The shared
 * llama-server unpacks its packages on first use; workers starting it at once on a cold cache race, so it
 * is unpacked here, once, before any test runs.
 */
export default function setup(): void {
  execFileSync(process.execPath, [join(REPO_ROOT, "build.mjs"), "--bundle"], {
    cwd: REPO_ROOT,
    stdio: "ignore",
  });
  const llamaServer = sharedFile("engines/llama-server");
  if (existsSync(llamaServer)) {
    try {
      execFileSync(llamaServer, ["--version"], {
        stdio: "ignore",
        timeout: 120_000,
        env: { ...process.env, SN11_TEST_ENGINE_CACHE: TEST_ENGINE_CACHE },
      });
    } catch {
      // A launcher that cannot run here is reported by the tests that use it.
    }
  }
}
