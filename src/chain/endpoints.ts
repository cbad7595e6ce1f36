import { UsageError } from "../errors.js";

/** Known networks, each an ordered list: the client falls back to the next endpoint when one fails. */
export const NETWORK_ENDPOINTS: Readonly<Record<string, readonly string[]>> = {
  finney: ["wss://entrypoint-finney.opentensor.ai:443", "wss://archive.chain.opentensor.ai:443"],
  test: ["wss://test.finney.opentensor.ai:443"],
  local: ["ws://127.0.0.1:9944"],
};

/** `finney`, `test`, `local`, one ws(s):// URL or several separated by commas. */
export function resolveEndpoints(network: string): string[] {
  const known = NETWORK_ENDPOINTS[network];
  if (known) return [...known];
  const urls = network
    .split(",")
    .map((u) => u.trim())
    .filter(Boolean);
  for (const url of urls) {
    if (!/^wss?:\/\/\S+$/.test(url)) {
      throw new UsageError(`--network: "${url}" is not finney, test, local or a ws(s):// URL`);
    }
  }
  if (urls.length === 0) throw new UsageError("--network: no endpoint given");
  return urls;
}
