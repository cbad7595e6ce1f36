import { randomBytes } from "node:crypto";

/** A valid safetensors file: u64 header length, JSON header of F32 tensors, then the data. */
export function safetensorsFile(tensors: Record<string, number[]>, fill?: (n: number) => Buffer): Buffer {
  let offset = 0;
  const header: Record<string, unknown> = {};
  const parts: Buffer[] = [];
  for (const [name, shape] of Object.entries(tensors)) {
    const bytes = shape.reduce((a, b) => a * b, 1) * 4;
    header[name] = { dtype: "F32", shape, data_offsets: [offset, offset + bytes] };
    parts.push(fill ? fill(bytes) : randomBytes(bytes));
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, Buffer.from(json), ...parts]);
}

/**
 * A small sharded model repo: two safetensors shards (about `shardMiB` each), the index with
 * metadata.total_size and weight_map, config and tokenizer files.
 */
export function modelRepoFiles(
  options: { shardMiB?: number; extra?: Record<string, Buffer>; config?: object } = {},
): Record<string, Buffer> {
  const floats = Math.floor(((options.shardMiB ?? 21) * 1024 * 1024) / 4);
  const shard1 = safetensorsFile({ "model.embed_tokens.weight": [floats] });
  const shard2 = safetensorsFile({ "lm_head.weight": [floats] });
  const index = {
    metadata: { total_size: shard1.length + shard2.length - 16 },
    weight_map: {
      "model.embed_tokens.weight": "model-00001-of-00002.safetensors",
      "lm_head.weight": "model-00002-of-00002.safetensors",
    },
  };
  return {
    "config.json": Buffer.from(
      JSON.stringify(options.config ?? { architectures: ["LlamaForCausalLM"], model_type: "llama" }),
    ),
    "tokenizer_config.json": Buffer.from(JSON.stringify({ bos_token: "<s>", eos_token: "</s>" })),
    "tokenizer.json": Buffer.from(JSON.stringify({ version: "1.0", model: { type: "BPE" } })),
    "model.safetensors.index.json": Buffer.from(JSON.stringify(index, null, 2)),
    "model-00001-of-00002.safetensors": shard1,
    "model-00002-of-00002.safetensors": shard2,
    ...options.extra,
  };
}
