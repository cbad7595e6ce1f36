import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runInProcess, tempDir } from "../support/cli.js";

function conversationFile(value: unknown): string {
  const file = join(tempDir(), "chat.json");
  writeFileSync(file, JSON.stringify(value));
  return file;
}

const ROW = {
  system_prompt: "You are Aria, a tavern keeper.",
  messages: [
    { role: "user", content: "Hello!" },
    { role: "assistant", content: "Welcome, traveller." },
    { role: "user", content: "A room, please." },
  ],
};

describe("sn11 render", () => {
  it("prints exactly the prompt, byte for byte, with the BOS prepended", async () => {
    const run = await runInProcess([
      "render",
      "--chat-template",
      "chatml",
      "--conversation",
      conversationFile(ROW),
      "--bos",
      "<s>",
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      "<s><|im_start|>system\nYou are Aria, a tavern keeper.<|im_end|>\n<|im_start|>user\nHello!<|im_end|>\n" +
        "<|im_start|>assistant\nWelcome, traveller.<|im_end|>\n<|im_start|>user\nA room, please.<|im_end|>\n<|im_start|>assistant\n",
    );
  });

  it("--json carries the prompt and the template's stop tokens; a bare message list works too", async () => {
    const run = await runInProcess([
      "render",
      "--chat-template",
      "mistral",
      "--conversation",
      conversationFile(ROW.messages),
      "--bos",
      "<s>",
      "--eos",
      "</s>",
      "--json",
    ]);
    const out = JSON.parse(run.stdout);
    expect(out.prompt).toBe("<s>[INST]Hello![/INST]Welcome, traveller.</s>[INST]A room, please.[/INST]");
    expect(out.stop_token_ids).toEqual([2]);
  });

  it("an unknown template or a malformed conversation exits 2 with the path", async () => {
    const file = conversationFile(ROW);
    const unknown = await runInProcess(["render", "--chat-template", "phi3", "--conversation", file]);
    expect(unknown.code).toBe(2);
    const bad = await runInProcess([
      "render",
      "--chat-template",
      "chatml",
      "--conversation",
      conversationFile({ messages: [{ role: "user", content: 5 }] }),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("$.messages[0].content");
  });
});
