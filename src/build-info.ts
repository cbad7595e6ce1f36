import { createRequire } from "node:module";
import { DEFAULT_PROFILE_ID, PROFILE_IDS } from "./scoring/profile.js";

declare const __SN11_VERSION__: string | undefined;
declare const __SN11_GIT_SHA__: string | undefined;
declare const __SN11_RELEASE_URL__: string | undefined;

function sourceVersion(): string {
  try {
    return (createRequire(import.meta.url)("../package.json") as { version: string }).version;
  } catch {
    return "0.0.0-dev";
  }
}

/** Version and git sha are baked in by the bundler; running from source reads package.json. */
export const BUILD = {
  version: typeof __SN11_VERSION__ === "string" ? __SN11_VERSION__ : sourceVersion(),
  gitSha: typeof __SN11_GIT_SHA__ === "string" ? __SN11_GIT_SHA__ : "source",
  /** Where `sn11 update` looks (SN11_RELEASE_URL when the binary was built); "" when none. */
  releaseUrl: typeof __SN11_RELEASE_URL__ === "string" ? __SN11_RELEASE_URL__ : "",
};

export function versionText(): string {
  const profiles = PROFILE_IDS.map((id) => (id === DEFAULT_PROFILE_ID ? `${id} (default)` : id)).join(", ");
  return `sn11 ${BUILD.version} (${BUILD.gitSha}, node ${process.versions.node})\nscoring profiles: ${profiles}`;
}

/** `--json --version`: the same facts as one JSON document. */
export function versionJson(): string {
  return JSON.stringify({
    version: BUILD.version,
    git_sha: BUILD.gitSha,
    node: process.versions.node,
    profiles: PROFILE_IDS,
    default_profile: DEFAULT_PROFILE_ID,
  });
}
