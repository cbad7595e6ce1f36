import type { ChatTemplateName } from "../../scoring/profile.js";

/**
 * The reference's ten prompt formats, written for sn11 as Jinja sources that render byte for byte what
 * the reference's templates render under plain Jinja defaults (no trim_blocks, no lstrip_blocks, one
 * trailing newline dropped). Whitespace-control dashes keep these sources readable; where the reference's
 * output carries layout artefacts (gemma2, llama2) they are emitted explicitly and named as such.
 */
export interface TemplateSpec {
  readonly source: string;
  /** Token ids the reference passes to vLLM as stop tokens for this template, and their text. */
  readonly stopTokenIds: readonly number[];
  readonly stopStrings: readonly string[];
}

const chatml = `
{%- for m in messages -%}
{{- '<|im_start|>' ~ m['role'] ~ '\\n' ~ m['content'] ~ '<|im_end|>\\n' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}
`;

const qwen2dot5 = `
{%- if messages[0]['role'] == 'system' -%}
{{- '<|im_start|>system\\n' ~ messages[0]['content'] ~ '<|im_end|>\\n' -}}
{%- else -%}
{{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' -}}
{%- endif -%}
{%- for m in messages -%}
{%- if m['role'] == 'user' or m['role'] == 'assistant' or (m['role'] == 'system' and not loop.first) -%}
{{- '<|im_start|>' ~ m['role'] ~ '\\n' ~ m['content'] ~ '<|im_end|>\\n' -}}
{%- endif -%}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}
`;

const llama3 = `
{%- for m in messages -%}
{%- if loop.first -%}{{- bos_token -}}{%- endif -%}
{{- '<|start_header_id|>' ~ m['role'] ~ '<|end_header_id|>\\n\\n' ~ py_strip(m['content']) ~ '<|eot_id|>' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' -}}{%- endif -%}
`;

const llama3dot1 = `
{{- '<|begin_of_text|>' -}}
{%- for m in messages -%}
{%- if m['role'] == 'system' or m['role'] == 'user' -%}
{{- '<|start_header_id|>' ~ m['role'] ~ '<|end_header_id|>\\n' ~ py_strip(m['content']) ~ '<|eot_id|>\\n' -}}
{%- else -%}
{{- '<|start_header_id|>assistant<|end_header_id|>\\n' ~ m['content'] ~ '<|eot_id|>\\n' -}}
{%- endif -%}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<|start_header_id|>assistant<|end_header_id|>\\n' -}}{%- endif -%}
`;

const mistral = `
{{- bos_token -}}
{%- for m in messages -%}
{%- if m['role'] == 'user' -%}{{- '[INST]' ~ m['content'] ~ '[/INST]' -}}
{%- elif m['role'] == 'system' -%}{{- '[SYSTEM_PROMPT]' ~ m['content'] ~ '[/SYSTEM_PROMPT]' -}}
{%- elif m['role'] == 'assistant' -%}{{- m['content'] ~ eos_token -}}
{%- else -%}{{- raise_exception('mistral: only user, system and assistant roles are supported') -}}
{%- endif -%}
{%- endfor -%}
`;

// The reference's gemma template is laid out with indented, non-dashed tags, so its output carries fixed
// runs of newlines and spaces around each turn. They are reproduced here as named strings.
const gemma2 = `
{%- set head_with_system = '\\n    \\n    \\n\\n\\n' -%}
{%- set head_without_system = '\\n    \\n\\n\\n' -%}
{%- set before_turn = '\\n\\n    \\n        \\n    \\n\\n    \\n        \\n    \\n\\n    ' -%}
{%- set after_turns = '\\n\\n' -%}
{%- set before_generation = '\\n    ' -%}
{%- set after_generation = '\\n' -%}
{%- set ns = namespace(prefix='', turns=messages) -%}
{%- if messages[0]['role'] == 'system' -%}
{%- set ns.prefix = py_strip(messages[0]['content']) ~ '\\n\\n' -%}
{%- set ns.turns = messages[1:] -%}
{{- head_with_system -}}
{%- else -%}
{{- head_without_system -}}
{%- endif -%}
{%- for m in ns.turns -%}
{%- set text = (ns.prefix ~ m['content']) if loop.first else m['content'] -%}
{%- set speaker = 'model' if m['role'] == 'assistant' else m['role'] -%}
{{- before_turn ~ '<start_of_turn>' ~ speaker ~ '\\n' ~ py_strip(text) ~ '<end_of_turn>\\n' ~ '\\n' -}}
{%- endfor -%}
{{- after_turns -}}
{%- if add_generation_prompt -%}{{- before_generation ~ '<start_of_turn>model\\n' ~ after_generation -}}{%- endif -%}
`;

const zephyr = `
{%- for m in messages -%}
{%- if m['role'] == 'user' or m['role'] == 'system' or m['role'] == 'assistant' -%}
{{- '\\n<|' ~ m['role'] ~ '|>\\n' ~ m['content'] ~ eos_token -}}
{%- endif -%}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '\\n<|assistant|>' -}}{%- endif -%}
`;

const alpaca = `
{%- set ns = namespace(system='') -%}
{%- for m in messages -%}{%- if m['role'] == 'system' -%}{%- set ns.system = py_strip(m['content']) -%}{%- endif -%}{%- endfor -%}
{{- ns.system -}}
{%- for m in messages -%}
{%- if m['role'] == 'user' -%}{{- '\\n### Instruction:\\n' ~ py_strip(m['content']) -}}
{%- elif m['role'] == 'assistant' -%}{{- '\\n### Response:\\n' ~ py_strip(m['content']) -}}
{%- elif m['role'] == 'user_context' -%}{{- '\\n### Input:\\n' ~ py_strip(m['content']) -}}
{%- endif -%}
{%- endfor -%}
{%- if add_generation_prompt and messages[-1]['role'] != 'assistant' -%}{{- '\\n### Response:' -}}{%- endif -%}
`;

// The system prompt is the first message's only (a later system message renders nothing), as in the reference.
const vicuna = `
{%- set system = py_strip(messages[0]['content']) if messages[0]['role'] == 'system' else '' -%}
{{- bos_token ~ system -}}
{%- if include_beginning_of_conversation -%}{{- '\\nBEGINNING OF CONVERSATION:' -}}{%- endif -%}
{%- for m in messages -%}
{%- if m['role'] == 'user' -%}{{- '\\n{{user}}: ' ~ py_strip(m['content']) -}}
{%- elif m['role'] == 'assistant' -%}{{- '\\n{{char}}: ' ~ py_strip(m['content']) -}}
{%- endif -%}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '\\n{{char}}: ' -}}{%- endif -%}
`;

// Every message ends with a newline in the reference's output, unknown roles included (a layout artefact).
const llama2 = `
{%- for m in messages -%}
{%- if m['role'] == 'user' -%}
{%- if loop.index0 > 1 -%}{{- bos_token ~ '[INST] ' ~ m['content'] ~ ' [/INST]' -}}
{%- else -%}{{- m['content'] ~ ' [/INST]' -}}
{%- endif -%}
{%- elif m['role'] == 'system' -%}{{- '[INST] <<SYS>>\\n' ~ m['content'] ~ '\\n<</SYS>>\\n\\n' -}}
{%- elif m['role'] == 'assistant' -%}{{- ' ' ~ m['content'] ~ ' ' ~ eos_token -}}
{%- endif -%}
{{- '\\n' -}}
{%- endfor -%}
`;

const plain = { stopTokenIds: [], stopStrings: [] } as const;

export const TEMPLATES: Readonly<Record<ChatTemplateName, TemplateSpec>> = {
  vicuna: { source: vicuna, ...plain },
  chatml: { source: chatml, ...plain },
  zephyr: { source: zephyr, ...plain },
  mistral: { source: mistral, stopTokenIds: [2], stopStrings: ["</s>"] },
  alpaca: { source: alpaca, ...plain },
  llama2: { source: llama2, ...plain },
  llama3: { source: llama3, ...plain },
  llama3dot1: { source: llama3dot1, ...plain },
  gemma2: { source: gemma2, stopTokenIds: [107], stopStrings: ["<end_of_turn>"] },
  qwen2dot5: { source: qwen2dot5, ...plain },
};
