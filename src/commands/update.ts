import { z } from "zod";
import { BUILD } from "../build-info.js";
import { UsageError } from "../errors.js";
import { isSingleBinary } from "../single-binary.js";
import { checkForUpdate, installUpdate, releaseUrl } from "../update/update.js";
import { defineCommand } from "./define.js";

export const updateCommand = defineCommand({
  name: "update",
  description:
    "Reads the release directory's VERSION (SN11_RELEASE_URL, or the one this binary was built with); when it\n" +
    "is newer, downloads the binary for this machine, checks the download and the unpacked binary against\n" +
    "SHA256SUMS, and renames it over this one. A failed download or check leaves this binary untouched.\n" +
    "A running validator keeps the old binary until it is restarted.",
  examples: [
    "sn11 update --check",
    "sn11 update",
    "SN11_RELEASE_URL=https://mirror.example/sn11/latest sn11 update",
  ],
  options: z.object({
    check: z.boolean().default(false).describe("only say whether a newer release exists"),
    force: z.boolean().default(false).describe("install the release even when it is not newer"),
  }),
  async run({ options: o }, ctx) {
    const url = releaseUrl(ctx.env, BUILD.releaseUrl);
    const check = await checkForUpdate(url, BUILD.version, ctx.signal);
    const json = { current: check.current, latest: check.latest, newer: check.newer, url: check.url };
    if (o.check || (!check.newer && !o.force)) {
      return {
        json: { ...json, installed: null },
        text: () =>
          check.newer
            ? `sn11 ${check.latest} is available (this is ${check.current}): sn11 update installs it`
            : `sn11 ${check.current} is the latest (${check.url})`,
      };
    }
    if (!(await isSingleBinary())) {
      throw new UsageError(
        "this sn11 runs from its npm package, not the single binary: it has no file to replace",
        {
          hint: "in a clone: git pull && npm ci; or install the binary with install.sh",
        },
      );
    }
    const installed = await installUpdate({
      url,
      execPath: process.execPath,
      platform: process.platform,
      arch: process.arch,
      signal: ctx.signal,
    });
    return {
      json: { ...json, installed: installed.path, sha256: installed.sha256 },
      text: () =>
        `updated ${installed.path}: sn11 ${check.current} → ${check.latest} (sha256 ${installed.sha256.slice(0, 16)}…)`,
    };
  },
});
