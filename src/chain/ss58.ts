import { UsageError } from "../errors.js";

/** An SS58 address checked as the chain's own tools check it (alphabet, length, checksum), or a usage error. */
export async function assertSs58(address: string, flag = "--hotkey"): Promise<string> {
  // Loaded here: util-crypto is a large import that commands reaching no address never pay for.
  const { decodeAddress } = await import("@polkadot/util-crypto");
  try {
    decodeAddress(address);
    return address;
  } catch {
    throw new UsageError(`${flag} ${address} is not an SS58 address`, {
      hint: "a hotkey looks like 5F…, 48 characters",
    });
  }
}
