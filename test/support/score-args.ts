import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./cli.js";
import { LLAMA_SERVER } from "./engines/llama.js";

/** Tavern chats with two exchanges each: what the score tests and benchmarks evaluate on. */
export const TAVERN_ROWS = Array.from({ length: 30 }, (_, i) => ({
  system_prompt: `You are tavern keeper ${i}.`,
  messages: [
    { role: "user", content: `hello ${i}` },
    { role: "assistant", content: `welcome ${i}` },
    { role: "user", content: `a room please ${i}` },
    { role: "assistant", content: `here is your key ${i}` },
  ],
}));

/** Writes rows as a JSONL dataset in a fresh temp dir and returns its path. */
export function writeDataset(rows: readonly object[] = TAVERN_ROWS): string {
  const file = join(tempDir("sn11-chats-"), "chats.jsonl");
  writeFileSync(file, `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`);
  return file;
}

/** `sn11 score` of a tiny model on the spawned llama-server with a local judge, small and quick. */
export function scoreArgs(
  o: { model: string; dataset: string; judgeUrl: string; samples: number; maxTokens: number },
  extra: string[] = [],
): string[] {
  return [
    "score",
    o.model,
    "--chat-template",
    "chatml",
    "--dataset",
    o.dataset,
    "--samples",
    String(o.samples),
    "--engine-bin",
    LLAMA_SERVER,
    "--threads",
    "1",
    "--context-size",
    "2048",
    "--max-tokens",
    String(o.maxTokens),
    "--judge-url",
    o.judgeUrl,
    "--judge-model",
    "tiny-judge",
    "--judge-max-reasoning",
    "8",
    "--json",
    ...extra,
  ];
}
