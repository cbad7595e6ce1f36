import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "./shared.js";

/** Child-process tests run the npm entry point, so make sure its bundle matches the sources. */
export default function setup(): void {
  execFileSync(process.execPath, [join(REPO_ROOT, "build.mjs"), "--bundle"], {
    cwd: REPO_ROOT,
    stdio: "ignore",
  });
}
