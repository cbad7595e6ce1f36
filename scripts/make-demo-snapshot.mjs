// Writes examples/demo-step.json: a made-up but realistic validator step (80 uids, the burn uid 74,
// scored models, a duplicate, a queued and a failed model, a wrong hash). Deterministic.
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";

const ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
function base58(bytes) {
  let n = BigInt(`0x${Buffer.from(bytes).toString("hex")}`);
  let out = "";
  while (n > 0n) {
    out = ALPHABET[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = `1${out}`;
  }
  return out;
}
/** A generic-substrate (prefix 42) SS58 address for a deterministic public key. */
function ss58(seed) {
  const pubkey = createHash("sha256").update(`sn11-demo-${seed}`).digest();
  const body = Buffer.concat([Buffer.from([42]), pubkey]);
  const checksum = createHash("blake2b512").update(Buffer.concat([Buffer.from("SS58PRE"), body])).digest();
  return base58(Buffer.concat([body, checksum.subarray(0, 2)]));
}
function entryHash(ns, name, template, hotkey) {
  const hex = createHash("sha256").update(`${ns} ${name} ${template} ${hotkey}`).digest("hex");
  return BigInt(`0x${hex.slice(0, 16)}`).toString();
}

const hotkeys = Array.from({ length: 80 }, (_, uid) => ss58(uid));
const commitments = [];
const evaluations = [];
function miner(uid, repo, template, block, evaluation, options = {}) {
  const [ns, name] = repo.split("/");
  const hash = entryHash(ns, name, template, options.hashFor ?? hotkeys[uid]);
  commitments.push({ hotkey: hotkeys[uid], block, data: `${ns}:${name}:${template}:${hotkeys[uid]}:${hash}:d1` });
  if (evaluation) evaluations.push({ repo, hash, ...evaluation });
}
const done = (total_score) => ({ status: "COMPLETED", total_score });

miner(3, "moonlit/rp-hermes-24b", "chatml", 4_901_220, done(0.7021));
miner(7, "tavern-labs/kestrel-22b", "mistral", 4_955_410, done(0.6874));
miner(12, "quill/storyweaver-20b", "llama3", 4_960_002, done(0.7188));
miner(15, "emberai/companion-27b", "gemma2", 5_012_777, done(0.7342));
miner(21, "northwind/persona-32b", "qwen2dot5", 5_040_118, done(0.7090));
miner(26, "lantern/dialogue-21b", "zephyr", 4_990_640, done(0.6511));
miner(30, "moonlit/rp-hermes-24b", "chatml", 5_030_001, undefined); // a later copy of uid 3's repo
miner(33, "saltmarsh/narrator-24b", "llama3dot1", 5_080_313, { status: "RUNNING", total_score: null });
miner(38, "coldforge/rp-base-20b", "vicuna", 5_001_500, { status: "FAILED", total_score: null });
miner(41, "driftwood/chat-22b", "alpaca", 4_999_999, done(0.6702), { hashFor: "5SomeoneElse" });
miner(47, "brightpath/muse-24b", "llama2", 5_061_845, done(0.7301));
miner(52, "orchid/roleplay-20b", "chatml", 5_120_000, undefined); // committed after the step block
commitments.push({ hotkey: hotkeys[60], block: 5_050_000, data: "hello from uid 60" });

const snapshot = {
  netuid: 11,
  block: 5_100_000,
  hotkeys,
  commitments,
  evaluations,
  hyperparameters: { min_allowed_weights: 1, max_weights_limit: 65535 },
};
writeFileSync(new URL("../examples/demo-step.json", import.meta.url), `${JSON.stringify(snapshot, null, 2)}\n`);
