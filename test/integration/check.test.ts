import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entryHash } from "../../src/scoring/model-id.js";
import { cleanEnv, runInProcess, tempDir } from "../support/cli.js";
import { modelRepoFiles } from "../support/hub/model-files.js";
import { LocalHub, pointer, sha256 } from "../support/hub/server.js";

const HOTKEY = "5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX";
let hub: LocalHub;
const files = modelRepoFiles(); // two ~21 MiB shards: just above the 40 MiB minimum
let sha: string;

beforeAll(async () => {
  hub = await LocalHub.start();
  sha = hub.addRepo("alice/rp-mix-22b", { files });
  hub.addRepo("alice/secret", { files, private: true });
  hub.addRepo("alice/no-index", { files: { ...files, "model.safetensors.index.json": undefined as never } });
  const { "model.safetensors.index.json": _drop, ...withoutIndex } = files;
  hub.addRepo("alice/no-index", { files: withoutIndex });
  hub.addRepo("alice/custom", {
    files: modelRepoFiles({ shardMiB: 21, config: { auto_map: { AutoModel: "x.Model" } } }),
  });
  hub.addRepo("alice/tiny", { files: modelRepoFiles({ shardMiB: 1 }) });
});
afterAll(async () => {
  await hub.stop();
});

const env = () => cleanEnv({ HF_ENDPOINT: hub.url, SN11_DATA_DIR: tempDir() });

/** The reference's model hash, computed independently: index bytes, then each shard's pointer-text hash. */
function expectedModelHash(repo: Record<string, Buffer>): string {
  const hash = createHash("sha256").update(repo["model.safetensors.index.json"] as Buffer);
  for (const shard of ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]) {
    hash.update(sha256(pointer(repo[shard] as Buffer)));
  }
  return hash.digest("hex");
}

describe("sn11 check against a local Hub", () => {
  it("passes a good repo and prints the identities and the exact commitment", async () => {
    const run = await runInProcess(
      ["check", "alice/rp-mix-22b", "--chat-template", "chatml", "--hotkey", HOTKEY, "--json", "--offline"],
      {
        env: env(),
      },
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(Object.keys(out)).toEqual([
      "repo",
      "revision",
      "ok",
      "checks",
      "size_bytes",
      "model_hash",
      "content_hash",
      "chat_template",
      "hotkey",
      "entry_hash",
      "commitment",
      "commitment_bytes",
      "on_chain",
    ]);
    expect(out.on_chain).toEqual({ read: false, reason: "--offline" });
    expect(out.ok).toBe(true);
    expect(out.revision).toBe(sha);
    expect(out.checks.map((c: { name: string }) => c.name)).toEqual([
      "public",
      "safetensors_index",
      "repo_size",
      "chat_template",
      "no_custom_code",
      "commitment",
    ]);
    expect(out.model_hash).toBe(expectedModelHash(files));
    const hash = entryHash("alice", "rp-mix-22b", "chatml", HOTKEY);
    expect(out.entry_hash).toBe(hash);
    expect(out.commitment).toBe(`alice:rp-mix-22b:chatml:${HOTKEY}:${hash}:d1`);
    expect(out.commitment_bytes).toBe(out.commitment.length);
    // Nothing but small files was downloaded: the weights' hashes come from LFS metadata.
    expect(hub.requests.filter((r) => r.url.endsWith(".safetensors"))).toEqual([]);
  });

  it("a local directory gets the same model hash validators will compute after the upload", async () => {
    const dir = tempDir();
    for (const [path, bytes] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), bytes);
    }
    const run = await runInProcess(["check", dir, "--chat-template", "chatml", "--json"], { env: env() });
    const out = JSON.parse(run.stdout);
    expect(out.model_hash).toBe(expectedModelHash(files));
    expect(out.checks.find((c: { name: string }) => c.name === "public")).toBeUndefined();
  });

  it.each<[string, string[], string, string]>([
    ["no index", ["alice/no-index"], "safetensors_index", "model.safetensors.index.json is missing"],
    ["custom code", ["alice/custom"], "no_custom_code", "trust_remote_code"],
    ["too small", ["alice/tiny"], "repo_size", "allowed 40.0 MiB to 80.0 GiB"],
    [
      "unknown template",
      ["alice/rp-mix-22b", "--chat-template", "phi3"],
      "chat_template",
      '"phi3" is not one of',
    ],
    ["no template", ["alice/rp-mix-22b"], "chat_template", "no --chat-template given"],
  ])("fails (exit 2) on %s, naming the check and the reason", async (_label, args, check, reason) => {
    const argv = ["check", ...args, "--json"];
    if (!args.includes("--chat-template") && check !== "chat_template")
      argv.push("--chat-template", "chatml");
    const run = await runInProcess(argv, { env: env() });
    expect(run.code).toBe(2);
    const out = JSON.parse(run.stdout);
    expect(out.ok).toBe(false);
    const failed = out.checks.filter((c: { ok: boolean }) => !c.ok);
    expect(failed.map((c: { name: string }) => c.name)).toEqual([check]);
    expect(failed[0].detail).toContain(reason);
  });

  it("a commitment over 128 bytes fails the commitment check", async () => {
    const long = `alice/${"n".repeat(80)}`;
    hub.addRepo(long, { files });
    const run = await runInProcess(
      ["check", long, "--chat-template", "chatml", "--hotkey", HOTKEY, "--json"],
      { env: env() },
    );
    const out = JSON.parse(run.stdout);
    expect(out.commitment_bytes).toBeGreaterThan(128);
    expect(out.checks.at(-1)).toMatchObject({ name: "commitment", ok: false });
    expect(out.checks.at(-1).detail).toContain("at most 128");
  });

  it("a template that renders a BOS or EOS the tokenizer does not define fails 'template_tokens' (the reference renders None)", async () => {
    const qwenLike = {
      ...files,
      "tokenizer_config.json": Buffer.from(JSON.stringify({ bos_token: null, eos_token: "<|im_end|>" })),
    };
    hub.addRepo("alice/no-bos", { files: qwenLike });
    const check = (template: string) =>
      runInProcess(["check", "alice/no-bos", "--chat-template", template, "--hotkey", HOTKEY, "--json"], {
        env: env(),
      });
    const vicuna = JSON.parse((await check("vicuna")).stdout);
    const tokens = vicuna.checks.find((c: { name: string }) => c.name === "template_tokens");
    expect(tokens).toMatchObject({ ok: false });
    expect(tokens.detail).toContain("the vicuna template renders bos_token");
    // chatml renders neither token: nothing to check.
    const chatml = JSON.parse((await check("chatml")).stdout);
    expect(chatml.checks.map((c: { name: string }) => c.name)).not.toContain("template_tokens");
    // zephyr renders only the EOS, which is defined.
    const zephyr = JSON.parse((await check("zephyr")).stdout);
    expect(zephyr.checks.find((c: { name: string }) => c.name === "template_tokens")).toMatchObject({
      ok: true,
    });
  });

  it("a private or missing repo is a report with the failed 'public' check (exit 2); with HF_TOKEN a private repo is read but fails 'public'", async () => {
    for (const repo of ["alice/secret", "alice/nothing-here"]) {
      const json = await runInProcess(
        ["check", repo, "--chat-template", "chatml", "--json", "--hotkey", HOTKEY],
        {
          env: env(),
        },
      );
      expect(json.code).toBe(2);
      expect(json.stderr).toBe("");
      expect(JSON.parse(json.stdout)).toMatchObject({
        repo,
        ok: false,
        checks: [
          {
            name: "public",
            ok: false,
            detail: expect.stringMatching(/^the Hub answered HTTP (401|403|404)/),
          },
        ],
        commitment: null,
      });
      const text = await runInProcess(["check", repo, "--chat-template", "chatml"], { env: env() });
      expect(text.code).toBe(2);
      expect(text.stdout).toMatch(/FAIL public +the Hub answered HTTP/);
      expect(text.stdout).toContain("validators would reject this model");
    }
    const noTemplate = await runInProcess(["check", "alice/rp-mix-22b"], { env: env() });
    expect(noTemplate.stdout).toContain("pass --chat-template (the one you will commit) to finish the check");
    const noHotkey = await runInProcess(["check", "alice/rp-mix-22b", "--chat-template", "chatml"], {
      env: env(),
    });
    expect(noHotkey.code).toBe(0);
    expect(noHotkey.stdout).toContain("all checks passed; no commitment built (pass --hotkey");
    const down = await runInProcess(["check", "alice/rp-mix-22b", "--json"], {
      env: { ...env(), HF_ENDPOINT: "http://127.0.0.1:9" },
    });
    expect(down.code).toBe(69);
    expect(down.stdout).toBe("");
    const withToken = await runInProcess(["check", "alice/secret", "--chat-template", "chatml", "--json"], {
      env: { ...env(), HF_TOKEN: "hf_test_token" },
    });
    const out = JSON.parse(withToken.stdout);
    expect(out.checks[0]).toMatchObject({ name: "public", ok: false });
    expect(withToken.stdout + withToken.stderr).not.toContain("hf_test_token");
  });

  it("pins the revision: a commit sha works, an unknown revision is an error", async () => {
    const pinned = await runInProcess(
      ["check", "alice/rp-mix-22b", "--revision", sha, "--chat-template", "chatml", "--json"],
      {
        env: env(),
      },
    );
    expect(JSON.parse(pinned.stdout).revision).toBe(sha);
    const bad = await runInProcess(
      ["check", "alice/rp-mix-22b", "--revision", "nope", "--chat-template", "chatml"],
      {
        env: env(),
      },
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("has no revision nope");
  });

  it("rejects something that is neither a repo id nor a directory", async () => {
    const run = await runInProcess(["check", "not a repo"], { env: env() });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("is not a Hugging Face repo id");
  });
});
