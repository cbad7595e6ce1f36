#!/usr/bin/env node
// npm's entry point: the bundle that `npm ci` builds through `prepare` (node build.mjs --bundle).
import { existsSync } from "node:fs";

const bundle = new URL("../dist/bundle/sn11.mjs", import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write("error: dist/bundle/sn11.mjs is missing\nhint: run `npm ci` (or `node build.mjs --bundle`) in the sn11 checkout\n");
  process.exit(1);
}
await import(bundle.href);
