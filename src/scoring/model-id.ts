import { createHash } from "node:crypto";

/**
 * A miner's commitment: `namespace:name:chat_template:hotkey:hash:competition_id`.
 * Parsing reproduces the reference (`ModelId.from_compressed_str`) including its quirks, because a uid the
 * reference rejects must be rejected here too (consensus).
 */
export interface ModelId {
  readonly namespace: string;
  readonly name: string;
  readonly chatTemplate: string;
  /** The hotkey token inside the string ("None" becomes ""); validators check the metagraph hotkey instead. */
  readonly hotkey: string;
  /** Decimal entry hash as written; null when the token is "None". */
  readonly hash: string | null;
  readonly competitionId: string | null;
}

export type ParsedCommitment = { ok: true; modelId: ModelId } | { ok: false; error: string };

const NONE = "None";
export const MAX_COMMITMENT_BYTES = 128;

export function parseCommitment(data: string | null): ParsedCommitment {
  if (data === null) return { ok: false, error: "commitment is not a Raw bytes field" };
  const tokens = data.split(":");
  if (tokens.length < 5) {
    return { ok: false, error: `commitment has ${tokens.length} ':'-separated fields, needs >= 5` };
  }
  const [namespace, name, chatTemplate, hotkey, hash, competitionId] = tokens as [
    string,
    string,
    string,
    string,
    string,
    string | undefined,
  ];
  // The reference's pydantic model requires a str chat_template, so "None" there fails validation.
  if (chatTemplate === NONE) return { ok: false, error: "chat_template is None" };
  return {
    ok: true,
    modelId: {
      namespace,
      name,
      chatTemplate,
      hotkey: hotkey === NONE ? "" : hotkey,
      hash: hash === NONE ? null : hash,
      competitionId: competitionId === undefined || competitionId === NONE ? null : competitionId,
    },
  };
}

export function repoId(id: Pick<ModelId, "namespace" | "name">): string {
  return `${id.namespace}/${id.name}`;
}

/**
 * The reference's `regenerate_hash`: the first 16 hex digits of sha256("ns name template hotkey"),
 * as an unsigned 64-bit decimal string.
 */
export function entryHash(namespace: string, name: string, chatTemplate: string, hotkey: string): string {
  const digest = createHash("sha256")
    .update(`${namespace} ${name} ${chatTemplate} ${hotkey}`, "utf8")
    .digest("hex");
  return BigInt(`0x${digest.slice(0, 16)}`).toString(10);
}

/** The validator's rule 6: the string comparison of decimals, so leading zeros or "+1" never match. */
export function entryHashMatches(modelId: ModelId, metagraphHotkey: string): boolean {
  return modelId.hash === entryHash(modelId.namespace, modelId.name, modelId.chatTemplate, metagraphHotkey);
}

export function formatCommitment(id: ModelId): string {
  return [id.namespace, id.name, id.chatTemplate, id.hotkey, id.hash ?? NONE, id.competitionId ?? NONE].join(
    ":",
  );
}

const HF_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/**
 * What a miner's commitment must satisfy before it is worth sending: every problem, not just the first.
 * The chain stores at most 128 bytes as a Raw field, and validators decode the bytes one by one as Latin-1,
 * so anything outside ASCII would not round-trip.
 */
export function commitmentProblems(id: ModelId, chatTemplates: readonly string[]): string[] {
  const problems: string[] = [];
  for (const [field, value] of [
    ["namespace", id.namespace],
    ["name", id.name],
  ] as const) {
    if (!HF_NAME.test(value) || value.length > 96 || value.includes("--") || value.includes("..")) {
      problems.push(`${field} "${value}" is not a valid Hugging Face name`);
    }
  }
  if (!chatTemplates.includes(id.chatTemplate)) {
    problems.push(`chat template "${id.chatTemplate}" is not one of ${chatTemplates.join(", ")}`);
  }
  for (const [field, value] of [
    ["hotkey", id.hotkey],
    ["competition id", id.competitionId ?? ""],
  ] as const) {
    if (value.includes(":")) problems.push(`${field} must not contain ':'`);
  }
  if (id.hash === null || !/^(0|[1-9][0-9]*)$/.test(id.hash)) {
    problems.push("hash must be a canonical decimal entry hash");
  } else if (id.hash !== entryHash(id.namespace, id.name, id.chatTemplate, id.hotkey)) {
    problems.push("hash does not match namespace, name, chat template and hotkey");
  }
  const text = formatCommitment(id);
  if (!/^[\x20-\x7e]*$/.test(text)) problems.push("commitment must be printable ASCII");
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_COMMITMENT_BYTES) {
    problems.push(`commitment is ${bytes} bytes, the chain stores at most ${MAX_COMMITMENT_BYTES}`);
  }
  return problems;
}
