import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { readDashboard } from "../../src/dashboard/read.js";
import { DEFAULT_PROFILE_ID, findProfile } from "../../src/scoring/profile.js";
import { Store } from "../../src/store/store.js";
import { cleanEnv, runChild, runInProcess, tempDir } from "../support/cli.js";
import { dashboardStore } from "../support/dashboard-store.js";
import { REPO_ROOT } from "../support/shared.js";
import { HAS_TMUX, tmuxSession } from "../support/tmux.js";

const PROFILE = findProfile(DEFAULT_PROFILE_ID) ?? (undefined as never);

describe("the dashboard's store reader", () => {
  it("reads beside a writing daemon: no SQLITE_BUSY, progress only moves forward", async () => {
    const dataDir = dashboardStore();
    // Another process writes as the daemon does: progress rows and heartbeats, one transaction each.
    const writer = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import Database from "better-sqlite3";
         const db = new Database(process.argv[1], { timeout: 5000 });
         const job = db.prepare("SELECT job_id FROM job_progress").get().job_id;
         const put = db.prepare("INSERT OR REPLACE INTO job_progress (job_id, stage, done, total, detail, updated_at) VALUES (?, 'judge', ?, 3000, NULL, ?)");
         const beat = db.prepare("UPDATE validator_state SET heartbeat_at = ? WHERE id = 1");
         for (let i = 0; i <= 3000; i++) { put.run(job, i, new Date().toISOString()); if (i % 50 === 0) beat.run(new Date().toISOString()); }
         db.close();`,
        join(dataDir, "sn11.db"),
      ],
      { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    writer.stderr.on("data", (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((r) => writer.on("close", r));
    let done = false;
    void exited.then(() => {
      done = true;
    });
    const store = Store.openReadOnly(dataDir);
    const seen: number[] = [];
    try {
      while (!done) {
        const data = readDashboard(store, {
          profile: PROFILE,
          netuid: 11,
          network: "finney",
          dataDir,
          view: "auto",
          hotkey: null,
          base: { kind: "step" },
          chainError: null,
          now: new Date(),
        });
        const running = data.queue.find((q) => q.status === "RUNNING");
        if (running?.progress?.total === 3000) seen.push(running.progress.done);
        await new Promise((r) => setTimeout(r, 2));
      }
    } finally {
      store.close();
    }
    expect(await exited, stderr).toBe(0);
    expect(seen.length).toBeGreaterThan(5);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(new Set(seen).size).toBeGreaterThan(2);
  });

  it.each([
    ["a newer schema", 999, /schema version 999, this sn11 reads \d+/, "upgrade sn11"],
    ["an older schema", 11, /schema version 11, this sn11 reads \d+/, "to migrate it"],
  ])(
    "%s is exit 78 with what to do, and the file is left as it was",
    async (_name, version, message, hint) => {
      const dataDir = dashboardStore();
      const file = join(dataDir, "sn11.db");
      const db = new Database(file);
      db.pragma(`user_version = ${version}`);
      db.close();
      const run = await runInProcess(["dashboard", "--offline", "--once"], {
        env: cleanEnv({ SN11_DATA_DIR: dataDir }),
      });
      expect(run.code).toBe(78);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toContain(hint);
      const after = new Database(file, { readonly: true });
      expect(after.pragma("user_version", { simple: true })).toBe(version);
      after.close();
    },
  );

  it("no store yet: exit 78, and nothing is created", async () => {
    const dataDir = tempDir();
    const run = await runInProcess(["dashboard", "--once"], { env: cleanEnv({ SN11_DATA_DIR: dataDir }) });
    expect(run.code).toBe(78);
    expect(run.stderr).toContain("nothing has run with this data dir yet");
    expect(existsSync(join(dataDir, "sn11.db"))).toBe(false);
  });
});

describe("sn11 dashboard without a terminal", () => {
  it("a pipe gets one snapshot of every pane, exit 0; --json exactly one document", async () => {
    // Each run gets a store made just before it: the daemon's heartbeat is fresh for 15 s of real time.
    const text = await runChild(
      process.execPath,
      [join(REPO_ROOT, "bin/sn11.mjs"), "dashboard", "--offline"],
      { env: cleanEnv({ SN11_DATA_DIR: dashboardStore() }) },
    );
    expect(text.code, text.stderr).toBe(0);
    for (const title of [
      "== Queue (1 running",
      "== Board (step #1",
      "== Steps",
      "== Runs and judge",
      "== Log / errors",
    ]) {
      expect(text.stdout).toContain(title);
    }
    expect(text.stdout).toContain("saltmarsh/narrator-24b");
    const json = await runInProcess(["dashboard", "--offline", "--json"], {
      env: cleanEnv({ SN11_DATA_DIR: dashboardStore() }),
    });
    expect(json.code, json.stderr).toBe(0);
    const out = JSON.parse(json.stdout);
    expect(out).toMatchObject({ view: "validator", daemon: { state: "running" }, boardSource: "step #1" });
    expect(out.queue.map((q: { status: string }) => q.status)).toEqual(["RUNNING", "QUEUED", "ERROR"]);
    expect(out.queue[0].progress).toEqual({ stage: "judge", done: 312, total: 512 });
    expect(out.board).toHaveLength(80);
  });
});

const binary = process.env.SN11_TEST_BINARY ? resolve(REPO_ROOT, process.env.SN11_TEST_BINARY) : "";
const entries: [string, string][] = [
  ["src/main.ts (tsx)", `${process.execPath} --import tsx ${join(REPO_ROOT, "src/main.ts")}`],
  ["bin/sn11.mjs (npm)", `${process.execPath} ${join(REPO_ROOT, "bin/sn11.mjs")}`],
];
if (binary && existsSync(binary)) entries.push(["dist/sn11 (single binary, Node 24)", binary]);
else
  process.stderr.write("dashboard terminal test: SN11_TEST_BINARY not set, the single binary is not tried\n");

// .ci/run installs tmux; a developer machine without it skips, with a message.
if (!HAS_TMUX) process.stderr.write("skipping the dashboard's real-terminal test: tmux is not installed\n");

describe.skipIf(!HAS_TMUX)("sn11 dashboard on a real terminal (tmux)", () => {
  it.each(entries)(
    "%s: the board, Down + Enter shows the second model's entry hash, Esc, q exits 0",
    async (_name, sn11) => {
      const dataDir = dashboardStore();
      // CI=true makes Ink draw only the last frame; a user's terminal is not CI.
      const term = tmuxSession(
        `env CI=false SN11_DATA_DIR=${dataDir} HOME=${tempDir()} ${sn11} dashboard --offline`,
        {
          columns: 120,
          rows: 40,
        },
      );
      try {
        await term.waitFor("Queue (1 running · 1 queued · 1 error)");
        term.send("2");
        const board = await term.waitFor("quill/storyweaver-20b");
        expect(board).toMatch(/1\s+74 burn/);
        term.send("Down");
        term.send("Enter");
        const detail = await term.waitFor("entry hash 12102621095641365888");
        expect(detail).toContain("commitment: quill:storyweaver-20b:llama3:");
        expect(detail).toContain("realism");
        term.send("Escape");
        await term.waitFor(/Board \(step #1/);
        term.send("q");
        const end = await term.waitFor("EXIT=");
        expect(end).toContain("EXIT=0");
      } finally {
        term.kill();
      }
    },
    60_000,
  );
});
