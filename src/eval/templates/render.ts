import { Environment, Interpreter, parse, tokenize } from "@huggingface/jinja";
import { UsageError } from "../../errors.js";
import { CHAT_TEMPLATES, type ChatTemplateName } from "../../scoring/profile.js";
import { pythonStrip } from "./python-strip.js";
import { TEMPLATES } from "./sources.js";

export interface ChatMessage {
  readonly role: string;
  readonly content: string;
}

export interface RenderOptions {
  /** The model tokenizer's BOS and EOS strings; null where the tokenizer has none. */
  readonly bos: string | null;
  readonly eos: string | null;
  readonly addGenerationPrompt?: boolean;
}

type Program = ReturnType<typeof parse>;
const compiled = new Map<string, Program>();

/**
 * Parsed with the library's lower-level pieces and default options: `Template` would turn on trim_blocks
 * and lstrip_blocks (the Hugging Face convention), while the reference renders with plain Jinja defaults.
 */
function program(source: string): Program {
  let parsed = compiled.get(source);
  if (!parsed) {
    parsed = parse(tokenize(source, {}));
    compiled.set(source, parsed);
  }
  return parsed;
}

export function renderSource(source: string, variables: Record<string, unknown>): string {
  const env = new Environment();
  env.set("true", true);
  env.set("false", false);
  env.set("none", null);
  // Jinja2's trim is Python's str.strip(); the library's is JavaScript's trim(), which differs (python-strip.ts).
  env.set("py_strip", (text: unknown) => pythonStrip(String(text)));
  env.set("raise_exception", (message: unknown) => {
    throw new UsageError(`the chat template refused the conversation: ${String(message)}`);
  });
  for (const [key, value] of Object.entries(variables)) env.set(key, value);
  return new Interpreter(env).run(program(source)).value as string;
}

export function isChatTemplate(name: string): name is ChatTemplateName {
  return (CHAT_TEMPLATES as readonly string[]).includes(name);
}

/** The template's raw output, before the reference's BOS/EOS post-processing. */
export function renderTemplate(
  name: ChatTemplateName,
  messages: readonly ChatMessage[],
  options: RenderOptions,
): string {
  return renderSource(TEMPLATES[name].source, {
    messages: messages.map((m) => ({ role: m.role, content: m.content })),
    bos_token: options.bos ?? "",
    eos_token: options.eos ?? "",
    add_generation_prompt: options.addGenerationPrompt ?? true,
    include_beginning_of_conversation: true,
  });
}

/**
 * The exact prompt the reference sends the model (DIPPY-SPEC §2.6): render, strip one trailing EOS,
 * prepend the BOS unless the prompt already starts with it.
 */
export function buildPrompt(name: string, messages: readonly ChatMessage[], options: RenderOptions): string {
  if (!isChatTemplate(name)) {
    throw new UsageError(`unknown chat template "${name}"`, { hint: `one of: ${CHAT_TEMPLATES.join(", ")}` });
  }
  if (messages.length === 0) throw new UsageError("the conversation has no messages");
  let prompt = renderTemplate(name, messages, options);
  if (options.eos && prompt.endsWith(options.eos)) prompt = prompt.slice(0, -options.eos.length);
  if (options.bos !== null && !prompt.startsWith(options.bos)) prompt = options.bos + prompt;
  return prompt;
}

export function stopTokens(name: ChatTemplateName): { ids: readonly number[]; strings: readonly string[] } {
  return { ids: TEMPLATES[name].stopTokenIds, strings: TEMPLATES[name].stopStrings };
}
