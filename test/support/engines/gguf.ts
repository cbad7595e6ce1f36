import { writeFileSync } from "node:fs";

/**
 * Writes a tiny real llama-architecture GGUF (v3) model: random F32 weights, an SPM vocabulary of
 * <unk> <s> </s>, the 256 byte tokens and a few dozen word pieces. It loads in milliseconds and generates
 * garbage quickly — enough to drive real llama.cpp end to end in tests.
 */
const T = { UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7, STRING: 8, ARRAY: 9 } as const;
const ALIGN = 32;

class Writer {
  private chunks: Buffer[] = [];
  length = 0;
  push(b: Buffer): void {
    this.chunks.push(b);
    this.length += b.length;
  }
  u32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.push(b);
  }
  i32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    this.push(b);
  }
  u64(v: number | bigint): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  f32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.push(b);
  }
  str(s: string): void {
    const b = Buffer.from(s, "utf8");
    this.u64(b.length);
    this.push(b);
  }
  buffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

type Value =
  | { t: "u32"; v: number }
  | { t: "f32"; v: number }
  | { t: "str"; v: string }
  | { t: "bool"; v: boolean }
  | { t: "strs"; v: string[] }
  | { t: "f32s"; v: number[] }
  | { t: "i32s"; v: number[] };

function writeKv(w: Writer, key: string, value: Value): void {
  w.str(key);
  switch (value.t) {
    case "u32":
      w.u32(T.UINT32);
      w.u32(value.v);
      return;
    case "f32":
      w.u32(T.FLOAT32);
      w.f32(value.v);
      return;
    case "bool":
      w.u32(T.BOOL);
      w.push(Buffer.from([value.v ? 1 : 0]));
      return;
    case "str":
      w.u32(T.STRING);
      w.str(value.v);
      return;
    case "strs":
      w.u32(T.ARRAY);
      w.u32(T.STRING);
      w.u64(value.v.length);
      for (const s of value.v) w.str(s);
      return;
    case "f32s":
      w.u32(T.ARRAY);
      w.u32(T.FLOAT32);
      w.u64(value.v.length);
      for (const f of value.v) w.f32(f);
      return;
    case "i32s":
      w.u32(T.ARRAY);
      w.u32(T.INT32);
      w.u64(value.v.length);
      for (const i of value.v) w.i32(i);
      return;
  }
}

const WORDS = [
  "▁the",
  "▁a",
  "▁you",
  "▁I",
  "▁and",
  "▁to",
  "▁of",
  "▁is",
  "▁it",
  "▁that",
  "▁in",
  "▁my",
  "▁me",
  "▁your",
  "▁hello",
  "▁yes",
  "▁no",
  "▁what",
  "▁how",
  "▁are",
  "▁be",
  "▁we",
  "▁do",
  "▁so",
  "▁smiles",
  "▁nods",
  "▁tavern",
  "▁room",
  "▁please",
  "▁thank",
  "▁good",
  "▁well",
  "▁here",
  "▁there",
  "▁now",
  "▁this",
  "▁with",
  "▁for",
  "▁on",
  "▁at",
];

/** A deterministic pseudo-random fill, so the same seed writes the same model. */
function filler(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s / 4294967296 - 0.5) * 0.2;
  };
}

export interface TinyModelOptions {
  readonly seed?: number;
  readonly embedding?: number;
  readonly layers?: number;
  readonly heads?: number;
  readonly feedForward?: number;
  readonly contextLength?: number;
  /**
   * Leans the model towards byte `next` right after byte `after` (its output row gets `strength` times
   * the embedding of `after`): a judge built this way prefers one answer, more or less firmly.
   */
  readonly prefer?: { readonly after: string; readonly next: string; readonly strength: number };
}

export function tinyGguf(options: TinyModelOptions = {}): Buffer {
  const nEmbd = options.embedding ?? 64;
  const nLayer = options.layers ?? 2;
  const nHead = options.heads ?? 4;
  const nFf = options.feedForward ?? 128;
  const rand = filler(options.seed ?? 7);

  const tokens = [
    "<unk>",
    "<s>",
    "</s>",
    ...Array.from({ length: 256 }, (_, i) => `<0x${i.toString(16).toUpperCase().padStart(2, "0")}>`),
    ...WORDS,
  ];
  const types = tokens.map((_, i) => (i === 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1));
  const scores = tokens.map((_, i) => (i < 259 ? 0 : -(i - 259) - 1));
  const nVocab = tokens.length;

  const tensors: { name: string; dims: number[] }[] = [
    { name: "token_embd.weight", dims: [nEmbd, nVocab] },
    { name: "output_norm.weight", dims: [nEmbd] },
    { name: "output.weight", dims: [nEmbd, nVocab] },
  ];
  for (let i = 0; i < nLayer; i++) {
    tensors.push(
      { name: `blk.${i}.attn_norm.weight`, dims: [nEmbd] },
      { name: `blk.${i}.attn_q.weight`, dims: [nEmbd, nEmbd] },
      { name: `blk.${i}.attn_k.weight`, dims: [nEmbd, nEmbd] },
      { name: `blk.${i}.attn_v.weight`, dims: [nEmbd, nEmbd] },
      { name: `blk.${i}.attn_output.weight`, dims: [nEmbd, nEmbd] },
      { name: `blk.${i}.ffn_norm.weight`, dims: [nEmbd] },
      { name: `blk.${i}.ffn_gate.weight`, dims: [nEmbd, nFf] },
      { name: `blk.${i}.ffn_down.weight`, dims: [nFf, nEmbd] },
      { name: `blk.${i}.ffn_up.weight`, dims: [nEmbd, nFf] },
    );
  }

  const kv: [string, Value][] = [
    ["general.architecture", { t: "str", v: "llama" }],
    ["general.name", { t: "str", v: "sn11-tiny" }],
    ["general.alignment", { t: "u32", v: ALIGN }],
    ["llama.context_length", { t: "u32", v: options.contextLength ?? 2048 }],
    ["llama.embedding_length", { t: "u32", v: nEmbd }],
    ["llama.block_count", { t: "u32", v: nLayer }],
    ["llama.feed_forward_length", { t: "u32", v: nFf }],
    ["llama.attention.head_count", { t: "u32", v: nHead }],
    ["llama.attention.head_count_kv", { t: "u32", v: nHead }],
    ["llama.rope.dimension_count", { t: "u32", v: nEmbd / nHead }],
    ["llama.attention.layer_norm_rms_epsilon", { t: "f32", v: 1e-5 }],
    ["llama.vocab_size", { t: "u32", v: nVocab }],
    ["tokenizer.ggml.model", { t: "str", v: "llama" }],
    ["tokenizer.ggml.tokens", { t: "strs", v: tokens }],
    ["tokenizer.ggml.scores", { t: "f32s", v: scores }],
    ["tokenizer.ggml.token_type", { t: "i32s", v: types }],
    ["tokenizer.ggml.bos_token_id", { t: "u32", v: 1 }],
    ["tokenizer.ggml.eos_token_id", { t: "u32", v: 2 }],
    ["tokenizer.ggml.unknown_token_id", { t: "u32", v: 0 }],
    ["tokenizer.ggml.add_bos_token", { t: "bool", v: true }],
    // A plain-text chat template without a generation prompt: llama-server folds the generation prompt into
    // JSON-schema grammars, and that fails to initialise with this vocabulary (chatml's <|im_start|> or not).
    [
      "tokenizer.chat_template",
      {
        t: "str",
        v: "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}",
      },
    ],
  ];

  const header = new Writer();
  header.u32(0x46554747); // "GGUF"
  header.u32(3);
  header.u64(tensors.length);
  header.u64(kv.length);
  for (const [key, value] of kv) writeKv(header, key, value);
  let offset = 0;
  const datas: Buffer[] = [];
  for (const tensor of tensors) {
    header.str(tensor.name);
    header.u32(tensor.dims.length);
    for (const d of tensor.dims) header.u64(d);
    header.u32(0); // F32
    header.u64(offset);
    const count = tensor.dims.reduce((a, b) => a * b, 1);
    const data = Buffer.alloc(count * 4);
    const isNorm = tensor.name.endsWith("norm.weight");
    for (let i = 0; i < count; i++) data.writeFloatLE(isNorm ? 1 : rand(), i * 4);
    const padded = Math.ceil(data.length / ALIGN) * ALIGN;
    datas.push(data, Buffer.alloc(padded - data.length));
    offset += padded;
  }
  if (options.prefer) {
    const [embd, , output] = datas.filter((_, i) => i % 2 === 0) as [Buffer, Buffer, Buffer];
    const after = 3 + options.prefer.after.charCodeAt(0);
    const next = 3 + options.prefer.next.charCodeAt(0);
    for (let i = 0; i < nEmbd; i++) {
      const e = embd.readFloatLE((after * nEmbd + i) * 4);
      const o = output.readFloatLE((next * nEmbd + i) * 4);
      output.writeFloatLE(o + options.prefer.strength * e, (next * nEmbd + i) * 4);
    }
  }
  const head = header.buffer();
  const pad = Buffer.alloc((ALIGN - (head.length % ALIGN)) % ALIGN);
  return Buffer.concat([head, pad, ...datas]);
}

export function writeTinyGguf(path: string, options?: TinyModelOptions): string {
  writeFileSync(path, tinyGguf(options));
  return path;
}
