/** Whether this process is the single executable (Node's SEA), not node running the npm package. */
export async function isSingleBinary(): Promise<boolean> {
  try {
    const sea = (await import("node:sea")) as { isSea?: () => boolean };
    return sea.isSea?.() ?? false;
  } catch {
    return false;
  }
}
