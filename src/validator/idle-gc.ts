import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let collect: (() => void) | null | undefined;

/**
 * A full garbage collection when the daemon goes idle (after a step or an evaluation, with minutes to
 * the next): V8 otherwise lets the old generation grow with a step's garbage until its own limit, and
 * a validator that idles for months sits at that high-water mark. Measured by npm run bench:daemon-rss.
 */
export function collectGarbageWhileIdle(): void {
  if (collect === undefined) {
    try {
      setFlagsFromString("--expose-gc");
      collect = runInNewContext("gc") as () => void;
    } catch {
      collect = null;
    }
  }
  collect?.();
}
