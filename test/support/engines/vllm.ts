import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../cli.js";
import { REPO_ROOT } from "../shared.js";
import { LLAMA_SERVER } from "./llama.js";

export const VLLM_FLAGS = JSON.parse(
  readFileSync(join(REPO_ROOT, "test", "support", "engines", "vllm-flags.json"), "utf8"),
) as Record<"0.8.5" | "current", string[]>;

export interface VllmLaunch {
  readonly model: string;
  readonly options: Record<string, string | true>;
  readonly cuda_visible_devices: string | null;
}

/**
 * A `vllm` binary for --engine-bin: the stand-in (vllm-standin.mjs) behind a wrapper that sets its
 * environment, since sn11 spawns engines with its own process environment.
 */
export function vllmStandIn(
  options: { release?: "current" | "0.8.5"; version?: string; forbid?: string[] } = {},
) {
  const dir = tempDir("sn11-vllm-");
  const bin = join(dir, "vllm");
  const log = join(dir, "launches.jsonl");
  const vars = {
    VLLM_STANDIN_LLAMA_SERVER: LLAMA_SERVER,
    VLLM_STANDIN_RELEASE: options.release ?? "current",
    VLLM_STANDIN_VERSION: options.version ?? "0.11.0",
    VLLM_STANDIN_FORBID: (options.forbid ?? []).join(","),
    VLLM_STANDIN_LOG: log,
  };
  const assignments = Object.entries(vars)
    .map(([k, v]) => `${k}='${v}'`)
    .join(" ");
  const script = join(REPO_ROOT, "test", "support", "engines", "vllm-standin.mjs");
  writeFileSync(bin, `#!/bin/sh\nexec env ${assignments} '${process.execPath}' '${script}' "$@"\n`, {
    mode: 0o755,
  });
  return {
    bin,
    launches: (): VllmLaunch[] =>
      existsSync(log)
        ? readFileSync(log, "utf8")
            .trim()
            .split("\n")
            .map((line) => JSON.parse(line) as VllmLaunch)
        : [],
  };
}
