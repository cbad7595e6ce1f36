/**
 * The secret values of this process (the judge key, the dataset token, HF_TOKEN, a wallet password):
 * whatever text sn11 stores, logs or prints passes through `redact`, so an endpoint that echoes a key
 * back (in an error body, say) does not get it written to disk or a terminal. Key-based censoring in
 * the logger covers fields named like secrets; this covers the values wherever they appear.
 */
const secrets = new Set<string>();

/** Values shorter than this are not treated as secrets: replacing them would garble ordinary text. */
const MIN_SECRET_LENGTH = 6;

export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= MIN_SECRET_LENGTH) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.replaceAll(secret, "[redacted]");
  return out;
}

/** For tests. */
export function forgetSecrets(): void {
  secrets.clear();
}
