import { render } from "ink";
import type { CleanupRegistry } from "../cleanup.js";
import { DashboardApp } from "./app.js";
import type { DashboardSource } from "./source.js";

const ALT_SCREEN_ON = "\x1b[?1049h\x1b[?25l";
const ALT_SCREEN_OFF = "\x1b[?25h\x1b[?1049l";

/**
 * The live dashboard on the terminal: Ink draws on stderr (stdout stays for results) in the alternate
 * screen, which is restored however it ends (q, Ctrl-C, a signal, an error).
 */
export async function runDashboard(
  source: DashboardSource,
  o: { stderr: NodeJS.WriteStream; stdin: NodeJS.ReadStream; cleanup: CleanupRegistry; signal: AbortSignal },
): Promise<void> {
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    o.stderr.write(ALT_SCREEN_OFF);
  };
  o.stderr.write(ALT_SCREEN_ON);
  o.cleanup.add("dashboard screen", restore);
  source.start();
  const app = render(
    <DashboardApp
      subscribe={source.subscribe}
      getData={source.get}
      refresh={() => source.refresh()}
      examples={source.examples}
    />,
    { stdout: o.stderr, stdin: o.stdin, exitOnCtrlC: false, patchConsole: true, maxFps: 10 },
  );
  const onAbort = () => app.unmount();
  o.signal.addEventListener("abort", onAbort, { once: true });
  void source.refreshChain();
  try {
    await app.waitUntilExit();
  } finally {
    o.signal.removeEventListener("abort", onAbort);
    source.stop();
    restore();
  }
}
