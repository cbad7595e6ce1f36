#!/usr/bin/env -S node --max-semi-space-size=2
// The flag (sea/node-flags.json, which the single binary gets through its execArgv): V8's young generation
// grows to 2 × 16 MiB after one busy minute and never shrinks; capped at 2 MiB the idle daemon holds
// ~28 MiB less (npm run bench:daemon-rss), with no measurable cost to the replay (npm run bench:weights).
// npm's entry point: the bundle that `npm ci` builds through `prepare` (node build.mjs --bundle).
import { existsSync } from "node:fs";

const bundle = new URL("../dist/bundle/sn11.mjs", import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write("error: dist/bundle/sn11.mjs is missing\nhint: run `npm ci` (or `node build.mjs --bundle`) in the sn11 checkout\n");
  process.exit(1);
}
await import(bundle.href);
