import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { UsageError } from "../errors.js";
import { parseConversation } from "../eval/conversation.js";
import { CHAT_TEMPLATES } from "../scoring/profile.js";
import { jsonPath } from "../scoring/snapshot.js";
import { defineCommand } from "./define.js";

export const renderCommand = defineCommand({
  name: "render",
  uses: ["profile"],
  description:
    "Renders a conversation through one of the reference chat templates exactly as validators do:\n" +
    "plain Jinja whitespace rules, then one trailing EOS stripped and the BOS prepended when missing.\n" +
    "The file holds {system_prompt, messages: [{role, content}]} (a dataset row) or a list of messages.",
  examples: [
    "sn11 render --chat-template chatml --conversation chat.json",
    "sn11 render --chat-template gemma2 --conversation chat.json --bos '<bos>' --eos '<eos>' --json",
  ],
  options: z.object({
    chatTemplate: z
      .enum(CHAT_TEMPLATES)
      .describe("the template named in the commitment")
      .meta({ valueName: "name" }),
    conversation: z.string().min(1).describe("JSON file with the conversation").meta({ valueName: "file" }),
    bos: z
      .string()
      .optional()
      .describe("the tokenizer's BOS string (default: none)")
      .meta({ valueName: "text" }),
    eos: z
      .string()
      .optional()
      .describe("the tokenizer's EOS string (default: none)")
      .meta({ valueName: "text" }),
  }),
  async run({ options }, ctx) {
    const file = resolve(ctx.cwd, options.conversation);
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
      throw new UsageError(`cannot read the conversation ${file}: ${(error as Error).message}`);
    }
    const parsed = parseConversation(value);
    if (!parsed.ok) {
      throw new UsageError(`conversation ${file}: ${jsonPath(parsed.path)}: ${parsed.message}`, {
        hint: 'expected {"system_prompt": "...", "messages": [{"role": "user", "content": "..."}]}',
      });
    }
    // Loaded here: the Jinja engine is only needed by this command.
    const { buildPrompt, isChatTemplate, stopTokens } = await import("../eval/templates/render.js");
    const template = options.chatTemplate;
    if (!isChatTemplate(template)) throw new UsageError(`unknown chat template ${template}`);
    const tokens = { bos: options.bos ?? null, eos: options.eos ?? null };
    const prompt = buildPrompt(template, parsed.messages, tokens);
    const stop = stopTokens(template);
    return {
      json: {
        chat_template: template,
        bos: tokens.bos,
        eos: tokens.eos,
        prompt,
        stop_token_ids: stop.ids,
        stop: stop.strings,
      },
      // The prompt itself, byte for byte: no added newline.
      text: () => prompt,
      raw: true,
    };
  },
});
