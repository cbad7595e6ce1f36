import { describe, expect, it } from "vitest";
import { buildPrompt, renderTemplate, stopTokens } from "../../src/eval/templates/render.js";
import { CHAT_TEMPLATES, type ChatTemplateName } from "../../src/scoring/profile.js";

const CONVERSATION = [
  { role: "system", content: "SYS" },
  { role: "user", content: "U1" },
  { role: "assistant", content: "A1" },
  { role: "user", content: "U2" },
];
const TOKENS = { bos: "<BOS>", eos: "<EOS>" };

/**
 * DIPPY-SPEC §3.2: each reference template rendered with [system SYS, user U1, assistant A1, user U2],
 * bos "<BOS>", eos "<EOS>", add_generation_prompt, before the BOS/EOS post-processing.
 */
const GOLDEN: Record<ChatTemplateName, string> = {
  chatml:
    "<|im_start|>system\nSYS<|im_end|>\n<|im_start|>user\nU1<|im_end|>\n<|im_start|>assistant\nA1<|im_end|>\n<|im_start|>user\nU2<|im_end|>\n<|im_start|>assistant\n",
  qwen2dot5:
    "<|im_start|>system\nSYS<|im_end|>\n<|im_start|>user\nU1<|im_end|>\n<|im_start|>assistant\nA1<|im_end|>\n<|im_start|>user\nU2<|im_end|>\n<|im_start|>assistant\n",
  llama3:
    "<BOS><|start_header_id|>system<|end_header_id|>\n\nSYS<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nU1<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nA1<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nU2<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
  llama3dot1:
    "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\nSYS<|eot_id|>\n<|start_header_id|>user<|end_header_id|>\nU1<|eot_id|>\n<|start_header_id|>assistant<|end_header_id|>\nA1<|eot_id|>\n<|start_header_id|>user<|end_header_id|>\nU2<|eot_id|>\n<|start_header_id|>assistant<|end_header_id|>\n",
  mistral: "<BOS>[SYSTEM_PROMPT]SYS[/SYSTEM_PROMPT][INST]U1[/INST]A1<EOS>[INST]U2[/INST]",
  gemma2:
    "\n    \n    \n\n\n\n\n    \n        \n    \n\n    \n        \n    \n\n    <start_of_turn>user\nSYS\n\nU1<end_of_turn>\n\n\n\n    \n        \n    \n\n    \n        \n    \n\n    <start_of_turn>model\nA1<end_of_turn>\n\n\n\n    \n        \n    \n\n    \n        \n    \n\n    <start_of_turn>user\nU2<end_of_turn>\n\n\n\n\n    <start_of_turn>model\n\n",
  zephyr:
    "\n<|system|>\nSYS<EOS>\n<|user|>\nU1<EOS>\n<|assistant|>\nA1<EOS>\n<|user|>\nU2<EOS>\n<|assistant|>",
  alpaca: "SYS\n### Instruction:\nU1\n### Response:\nA1\n### Instruction:\nU2\n### Response:",
  vicuna: "<BOS>SYS\nBEGINNING OF CONVERSATION:\n{{user}}: U1\n{{char}}: A1\n{{user}}: U2\n{{char}}: ",
  llama2: "[INST] <<SYS>>\nSYS\n<</SYS>>\n\n\nU1 [/INST]\n A1 <EOS>\n<BOS>[INST] U2 [/INST]\n",
};

describe("the ten reference templates, byte for byte (DIPPY-SPEC §3.2)", () => {
  it("covers every template of the profile", () => {
    expect(Object.keys(GOLDEN).sort()).toEqual([...CHAT_TEMPLATES].sort());
  });

  it.each(CHAT_TEMPLATES)("%s", (name) => {
    expect(renderTemplate(name, CONVERSATION, TOKENS)).toBe(GOLDEN[name]);
  });
});

/**
 * The same conversation with tabs, spaces and newlines around every content: which template strips what
 * (Jinja2's trim and Python's strip() in the reference's files) is all the difference from GOLDEN.
 */
const PADDED = [
  { role: "system", content: "\t SYS \n" },
  { role: "user", content: " U1\t" },
  { role: "assistant", content: "\nA1 " },
  { role: "user", content: "U2 \n" },
];
const PADDED_GOLDEN: Record<ChatTemplateName, string> = {
  // No strip anywhere.
  chatml:
    "<|im_start|>system\n\t SYS \n<|im_end|>\n<|im_start|>user\n U1\t<|im_end|>\n<|im_start|>assistant\n\nA1 <|im_end|>\n<|im_start|>user\nU2 \n<|im_end|>\n<|im_start|>assistant\n",
  qwen2dot5:
    "<|im_start|>system\n\t SYS \n<|im_end|>\n<|im_start|>user\n U1\t<|im_end|>\n<|im_start|>assistant\n\nA1 <|im_end|>\n<|im_start|>user\nU2 \n<|im_end|>\n<|im_start|>assistant\n",
  mistral: "<BOS>[SYSTEM_PROMPT]\t SYS \n[/SYSTEM_PROMPT][INST] U1\t[/INST]\nA1 <EOS>[INST]U2 \n[/INST]",
  zephyr:
    "\n<|system|>\n\t SYS \n<EOS>\n<|user|>\n U1\t<EOS>\n<|assistant|>\n\nA1 <EOS>\n<|user|>\nU2 \n<EOS>\n<|assistant|>",
  llama2: "[INST] <<SYS>>\n\t SYS \n\n<</SYS>>\n\n\n U1\t [/INST]\n \nA1  <EOS>\n<BOS>[INST] U2 \n [/INST]\n",
  // Every content stripped: the plain golden strings.
  llama3: GOLDEN.llama3,
  alpaca: GOLDEN.alpaca,
  vicuna: GOLDEN.vicuna,
  // System and user stripped, the assistant's content kept as it is.
  llama3dot1:
    "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\nSYS<|eot_id|>\n<|start_header_id|>user<|end_header_id|>\nU1<|eot_id|>\n<|start_header_id|>assistant<|end_header_id|>\n\nA1 <|eot_id|>\n<|start_header_id|>user<|end_header_id|>\nU2<|eot_id|>\n<|start_header_id|>assistant<|end_header_id|>\n",
  // The stripped system prompt + "\n\n" + the first turn, stripped as one: the turn's leading space stays.
  gemma2: GOLDEN.gemma2.replace("SYS\n\nU1", "SYS\n\n U1"),
};

describe("every template's whitespace filters, on contents padded with tabs, spaces and newlines", () => {
  it.each(CHAT_TEMPLATES)("%s", (name) => {
    expect(renderTemplate(name, PADDED, TOKENS)).toBe(PADDED_GOLDEN[name]);
  });

  it("strips as Python's str.strip() does, not JavaScript's trim(): U+0085 and U+001F go, U+FEFF stays", () => {
    const messages = [
      { role: "user", content: "\ufeffU1\x85" },
      { role: "assistant", content: "\x1fA1\u3000" },
    ];
    expect(renderTemplate("vicuna", messages, TOKENS)).toBe(
      "<BOS>\nBEGINNING OF CONVERSATION:\n{{user}}: \ufeffU1\n{{char}}: A1\n{{char}}: ",
    );
    expect(renderTemplate("llama3", messages, TOKENS)).toContain("\n\n\ufeffU1<|eot_id|>");
  });

  it("vicuna's system prompt is the first message's only", () => {
    expect(
      renderTemplate(
        "vicuna",
        [
          { role: "user", content: "U1" },
          { role: "system", content: "late" },
        ],
        TOKENS,
      ),
    ).toBe("<BOS>\nBEGINNING OF CONVERSATION:\n{{user}}: U1\n{{char}}: ");
  });
});

describe("details the golden strings do not show", () => {
  const render = (name: ChatTemplateName, messages: { role: string; content: string }[], gen = true) =>
    renderTemplate(name, messages, { ...TOKENS, addGenerationPrompt: gen });

  it("gemma2 without a system message has the shorter head, and no generation prompt when not asked", () => {
    expect(render("gemma2", [{ role: "user", content: " U " }], false)).toBe(
      "\n    \n\n\n\n\n    \n        \n    \n\n    \n        \n    \n\n    <start_of_turn>user\nU<end_of_turn>\n\n\n\n",
    );
  });

  it("vicuna strips each message as the reference's template does", () => {
    expect(
      render("vicuna", [
        { role: "system", content: "SYS" },
        { role: "user", content: "  U1 \n" },
        { role: "assistant", content: "\tA1  " },
      ]),
    ).toBe("<BOS>SYS\nBEGINNING OF CONVERSATION:\n{{user}}: U1\n{{char}}: A1\n{{char}}: ");
  });

  it("qwen2dot5 injects its default system text when there is none", () => {
    expect(render("qwen2dot5", [{ role: "user", content: "hi" }])).toBe(
      "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
    );
  });

  it("llama3dot1 strips system and user content but not the assistant's", () => {
    expect(
      render(
        "llama3dot1",
        [
          { role: "user", content: " u " },
          { role: "assistant", content: " a " },
        ],
        false,
      ),
    ).toBe(
      "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\nu<|eot_id|>\n<|start_header_id|>assistant<|end_header_id|>\n a <|eot_id|>\n",
    );
  });

  it("alpaca takes the last system message, renders user_context as Input, and no prompt after an assistant turn", () => {
    expect(
      render("alpaca", [
        { role: "system", content: "first" },
        { role: "system", content: " second " },
        { role: "user_context", content: "ctx" },
        { role: "assistant", content: "a" },
      ]),
    ).toBe("second\n### Input:\nctx\n### Response:\na");
  });

  it("llama2 ends every message with a newline, unknown roles too, and adds BOS from the third message on", () => {
    expect(
      render("llama2", [
        { role: "narrator", content: "n" },
        { role: "user", content: "u" },
        { role: "user", content: "v" },
      ]),
    ).toBe("\nu [/INST]\n<BOS>[INST] v [/INST]\n");
  });

  it("mistral refuses roles other than user, system and assistant", () => {
    expect(() => render("mistral", [{ role: "tool", content: "x" }])).toThrow(
      /only user, system and assistant/,
    );
  });
});

describe("buildPrompt: the reference's BOS/EOS post-processing (§2.6)", () => {
  it("prepends BOS when the render does not start with it", () => {
    expect(buildPrompt("chatml", CONVERSATION, TOKENS).startsWith("<BOS><|im_start|>system")).toBe(true);
    expect(
      buildPrompt("gemma2", CONVERSATION, { bos: "<bos>", eos: "<eos>" }).startsWith("<bos>\n    \n"),
    ).toBe(true);
  });

  it("does not double a BOS the template wrote", () => {
    expect(buildPrompt("llama3", CONVERSATION, TOKENS).startsWith("<BOS><|start_header_id|>")).toBe(true);
    expect(buildPrompt("llama3", CONVERSATION, TOKENS).startsWith("<BOS><BOS>")).toBe(false);
  });

  it("strips one trailing EOS", () => {
    const ending = [
      { role: "user", content: "u" },
      { role: "assistant", content: "a" },
    ];
    expect(buildPrompt("mistral", ending, TOKENS)).toBe("<BOS>[INST]u[/INST]a");
    expect(buildPrompt("zephyr", ending, { ...TOKENS, addGenerationPrompt: false })).toBe(
      "<BOS>\n<|user|>\nu<EOS>\n<|assistant|>\na",
    );
  });

  it("without a BOS string nothing is prepended", () => {
    expect(buildPrompt("chatml", CONVERSATION, { bos: null, eos: null })).toBe(GOLDEN.chatml);
  });

  it("unknown template and empty conversation are usage errors", () => {
    expect(() => buildPrompt("phi3", CONVERSATION, TOKENS)).toThrow(/unknown chat template "phi3"/);
    expect(() => buildPrompt("chatml", [], TOKENS)).toThrow(/no messages/);
  });

  it("stop tokens: gemma2 <end_of_turn> (107) and mistral </s> (2), none for the rest", () => {
    expect(stopTokens("gemma2")).toEqual({ ids: [107], strings: ["<end_of_turn>"] });
    expect(stopTokens("mistral")).toEqual({ ids: [2], strings: ["</s>"] });
    expect(stopTokens("chatml")).toEqual({ ids: [], strings: [] });
  });
});
