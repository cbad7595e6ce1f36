import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runChild } from "../support/cli.js";
import { REPO_ROOT, shippedNodeFlags } from "../support/shared.js";

describe("the npm entry point", () => {
  const entry = join(REPO_ROOT, "bin", "sn11.mjs");

  it("gives node the V8 flags the single binary gets (sea/node-flags.json)", () => {
    const flags = shippedNodeFlags();
    const shebang = readFileSync(entry, "utf8").split("\n")[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${flags.join(" ")}`);
  });

  it("runs through its shebang (env -S), as npm's bin link starts it", async () => {
    const run = await runChild(entry, ["--version"], {
      env: { PATH: `${process.execPath.replace(/\/node$/, "")}:/usr/bin:/bin` },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^sn11 \d+\.\d+\.\d+/);
  });
});
