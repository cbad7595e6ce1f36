/**
 * The last line of cleanup: synchronous work that must happen however the process ends — a second signal,
 * the grace timer, an uncaught error — when the async cleanup registry never gets to run. Node runs
 * `process.on("exit")` handlers on every exit but a fatal signal, and they may not wait for anything.
 */
const hooks = new Map<symbol, () => void>();
let installed = false;

function runHooks(): void {
  for (const run of [...hooks.values()].reverse()) {
    try {
      run();
    } catch {
      // Exiting: nothing left to tell, and the other hooks must still run.
    }
  }
  hooks.clear();
}

/** Registers `run` for process exit; call the returned function once the work is undone normally. */
export function atExit(run: () => void): () => void {
  if (!installed) {
    process.on("exit", runHooks);
    installed = true;
  }
  const key = Symbol();
  hooks.set(key, run);
  return () => {
    hooks.delete(key);
  };
}
