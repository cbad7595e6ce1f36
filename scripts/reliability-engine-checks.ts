/**
 * The defects of ../shared/RELIABILITY-FINDINGS.md that need an engine and a judge (2, 5, 7, 11, 14), as
 * black-box checks of one checkout's bin/sn11.mjs (built: `node build.mjs --bundle`), beside
 * scripts/reliability-blackbox.sh, so an old and a new build can be compared side by side:
 *   npx tsx scripts/reliability-engine-checks.ts /path/to/checkout      (RUNS=5 by default)
 * The tiny model, the judge and the stand-ins come from this checkout's test support. Takes a few minutes:
 * a hung judge is given HUNG_LIMIT_S (150 s) before it counts as a hang.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { cleanEnv, runChild, tempDir } from "../test/support/cli.js";
import { judgeStandIn } from "../test/support/engines/judge-standin.js";
import { startLocalJudge, tinyModelPath } from "../test/support/engines/llama.js";
import { scoreArgs, writeDataset } from "../test/support/score-args.js";

const checkout = resolve(process.argv[2] ?? ".");
const RUNS = Number(process.env.RUNS ?? 5);
/** ONLY=8,15: just those defects' checks. */
const ONLY = process.env.ONLY ? new Set(process.env.ONLY.split(",")) : null;
const wanted = (defect: string) => !ONLY || ONLY.has(defect);
const HUNG_LIMIT_S = Number(process.env.HUNG_LIMIT_S ?? 150);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
  card?: { status?: string; tally?: unknown; win_rate?: number; valid?: number; failed?: number };
}

/** The checkout's sn11 as a child; `during` sees the data dir while it runs; killed at `limitS` (code -1). */
async function sn11(
  args: string[],
  o: { dataDir: string; env?: Record<string, string>; limitS?: number; during?: () => void },
): Promise<Run> {
  const t0 = performance.now();
  const watcher = o.during ? setInterval(o.during, 50) : undefined;
  try {
    const run = await runChild(process.execPath, [join(checkout, "bin", "sn11.mjs"), ...args], {
      env: cleanEnv({ SN11_DATA_DIR: o.dataDir, ...o.env }),
      killAfterMs: (o.limitS ?? 300) * 1000,
    });
    let card: Run["card"];
    try {
      card = JSON.parse(run.stdout);
    } catch {
      card = undefined;
    }
    return { ...run, seconds: (performance.now() - t0) / 1000, card };
  } finally {
    clearInterval(watcher);
  }
}

function generations(dataDir: string): string[] {
  if (!existsSync(join(dataDir, "sn11.db"))) return [];
  const db = new Database(join(dataDir, "sn11.db"), { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(
        "SELECT generation FROM score_samples WHERE run_id = (SELECT MAX(id) FROM score_runs) ORDER BY idx",
      )
      .all() as { generation: string | null }[];
    return rows.map((r) => r.generation ?? "");
  } catch {
    return []; // not migrated yet
  } finally {
    db.close();
  }
}

const enginePid = (dataDir: string) => {
  const file = join(dataDir, "llama-server.pid");
  return existsSync(file) ? Number(readFileSync(file, "utf8").split(" ")[0]) : 0;
};
const cardKey = (r: Run) =>
  JSON.stringify({ tally: r.card?.tally, win_rate: r.card?.win_rate, valid: r.card?.valid });
const out = (check: string, result: string) => console.log(`${check.padEnd(58)} ${result}`);
const refused = (r: Run) => (r.code === 2 ? `refused (exit 2: ${r.stderr.split("\n")[0]?.slice(0, 50)})` : "");

/** The arguments without one flag and its value. */
const without = (args: string[], flag: string) => args.filter((_, i) => args[i] !== flag && args[i - 1] !== flag);

const judge = await startLocalJudge();
const model = tinyModelPath({ seed: 3 });
const dataset = writeDataset();
const score = (o: { samples: number; maxTokens: number; judgeUrl?: string; data?: string }, extra: string[] = []) =>
  scoreArgs(
    { model, dataset: o.data ?? dataset, judgeUrl: o.judgeUrl ?? judge.url, samples: o.samples, maxTokens: o.maxTokens },
    extra,
  );

try {
  // 8 and 15: garbage bodies from the engine and the dataset API; an absurd --max-tokens with a real model
  if (wanted("8") || wanted("15")) {
    const garbage = createServer((_q, r) => {
      r.writeHead(200, { "content-type": "text/html" });
      r.end("<html>garbage</html>");
    });
    await new Promise<void>((r) => garbage.listen(0, "127.0.0.1", r));
    const junk = `http://127.0.0.1:${(garbage.address() as { port: number }).port}`;
    if (wanted("8")) {
      const engine = await sn11([...without(score({ samples: 2, maxTokens: 8 }), "--engine-bin"), "--engine-url", junk], {
        dataDir: tempDir(),
      });
      out("8 --engine-url answering garbage", `exit ${engine.code}`);
      const data = await sn11(
        score({ samples: 2, maxTokens: 8 }).map((a) => (a === dataset ? "api" : a)),
        { dataDir: tempDir(), env: { SN11_DATASET_API_URL: `${junk}/rows` } },
      );
      out("8 dataset API answering garbage (score)", `exit ${data.code}`);
    }
    garbage.close();
    if (wanted("15")) {
      const huge = await sn11(
        score({ samples: 2, maxTokens: 7 }).map((a) => (a === "7" ? "1000000000000" : a)),
        { dataDir: tempDir() },
      );
      out("15 --max-tokens 1e12 with a real model", `exit ${huge.code}`);
    }
  }

  // 2: fresh runs, one seed: how many distinct cards and generation sets
  for (const extra of wanted("2") ? [[], ["--deterministic"]] : []) {
    const cards = new Set<string>();
    const texts = new Set<string>();
    let refusal = "";
    for (let i = 0; i < RUNS && !refusal; i++) {
      const dataDir = tempDir();
      const run = await sn11(score({ samples: 16, maxTokens: 32 }, extra), { dataDir });
      refusal = refused(run);
      cards.add(cardKey(run));
      texts.add(createHash("sha256").update(JSON.stringify(generations(dataDir))).digest("hex"));
    }
    out(
      `2 ${RUNS} fresh runs ${extra.join(" ") || "(defaults)"}`,
      refusal || `${cards.size} distinct cards, ${texts.size} distinct generation sets`,
    );
  }

  if (wanted("5")) {
  // 5: prompts of ~1000 tokens (the tiny model: ~1 token a character) in a promised 2048-token context
  const long = writeDataset(
    Array.from({ length: 8 }, (_, i) => ({
      system_prompt: `${"qzxv".repeat(250)} ${i}`,
      messages: [
        { role: "user", content: `hello ${i}` },
        { role: "assistant", content: `welcome ${i}` },
      ],
    })),
  );
  const ctx = await sn11(score({ samples: 4, maxTokens: 16, data: long }), { dataDir: tempDir() });
  out("5 1000-token prompts, --context-size 2048", `exit ${ctx.code} ${ctx.card?.status ?? ""}`.trim());
  }

  if (wanted("7")) {
  // 7: the engine killed once ≥2 generations are committed, three runs, against an uninterrupted run
  const deterministic = refused(await sn11(score({ samples: 1, maxTokens: 4 }, ["--deterministic"]), { dataDir: tempDir() }))
    ? []
    : ["--deterministic"];
  const reference = await sn11(score({ samples: 12, maxTokens: 48 }, deterministic), { dataDir: tempDir() });
  const killed: Run[] = [];
  for (let i = 0; i < 3; i++) {
    const dataDir = tempDir();
    let done = false;
    killed.push(
      await sn11(score({ samples: 12, maxTokens: 48 }, deterministic), {
        dataDir,
        during: () => {
          const pid = enginePid(dataDir);
          if (done || !pid || generations(dataDir).filter(Boolean).length < 2) return;
          try {
            process.kill(-pid, "SIGKILL");
            done = true;
          } catch {
            // not up yet
          }
        },
      }),
    );
  }
  out(
    `7 engine killed mid-generation ×3 ${deterministic.join(" ")}`.trim(),
    `exits ${killed.map((r) => r.code).join(",")}; ${killed.filter((r) => r.card?.status === "COMPLETED").length}/3 COMPLETED, ` +
      `${killed.filter((r) => r.card && cardKey(r) === cardKey(reference)).length}/3 the uninterrupted card`,
  );
  }

  if (wanted("11")) {
  // 11: a judge that takes connections and never answers, default settings
  const silent = createServer(() => {});
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
  const hungUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}/v1`;
  const hung = await sn11(score({ samples: 2, maxTokens: 16, judgeUrl: hungUrl }), {
    dataDir: tempDir(),
    limitS: HUNG_LIMIT_S,
  });
  silent.closeAllConnections();
  silent.close();
  out(
    "11 hung judge, default timeouts",
    hung.code === -1 ? `still running after ${HUNG_LIMIT_S} s (killed)` : `exit ${hung.code} after ${Math.round(hung.seconds)} s`,
  );
  }

  if (wanted("14")) {
  // 14: a judge that echoes the Authorization header in its error bodies; secrets in the environment
  const secrets = {
    SN11_JUDGE_API_KEY: "sk-judge-0123456789abcdef",
    HF_TOKEN: "hf_secret0123456789abcdef",
    SN11_DATASET_API_TOKEN: "ds-secret-0123456789abcdef",
    SN11_WALLET_PASSWORD: "pw-secret-0123456789abcdef",
  };
  const echo = await judgeStandIn(judge.url, (_served, body, headers) =>
    /tavern keeper/.test(body)
      ? { status: 400, body: JSON.stringify({ error: "bad request", echo: headers.authorization }) }
      : "forward",
  );
  const dataDir = tempDir();
  let environ = "";
  const leak = await sn11(score({ samples: 4, maxTokens: 8, judgeUrl: echo.url }, ["--verbose"]), {
    dataDir,
    env: secrets,
    during: () => {
      const pid = enginePid(dataDir);
      if (environ || !pid) return;
      try {
        environ = readFileSync(`/proc/${pid}/environ`, "utf8");
      } catch {
        // not up yet
      }
    },
  });
  await echo.stop();
  const values = Object.values(secrets);
  const stored = readdirSync(dataDir)
    .filter((f) => f.startsWith("sn11.db"))
    .map((f) => readFileSync(join(dataDir, f)));
  out(
    "14 judge echoing the key (--verbose), 4 secrets in env",
    `exit ${leak.code}; key in output: ${(leak.stdout + leak.stderr).includes(secrets.SN11_JUDGE_API_KEY) ? "yes" : "no"}, ` +
      `in store: ${stored.some((b) => b.includes(secrets.SN11_JUDGE_API_KEY)) ? "yes" : "no"}, ` +
      `engine environ: ${environ ? `${values.filter((v) => environ.includes(v)).length}/4 secrets` : "not read"}`,
  );
  }
} finally {
  await judge.stop();
}
