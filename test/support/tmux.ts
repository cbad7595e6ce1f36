import { execFileSync } from "node:child_process";

export const HAS_TMUX = (() => {
  try {
    execFileSync("tmux", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

let sessions = 0;

/**
 * A command on a real terminal: a detached tmux session of a fixed size. Keys are sent one per call
 * (tmux joins printable keys sent together into one chunk); the screen is read with capture-pane.
 */
export function tmuxSession(command: string, o: { columns: number; rows: number }) {
  const name = `sn11-test-${process.pid}-${++sessions}`;
  execFileSync("tmux", [
    "new-session",
    "-d",
    "-s",
    name,
    "-x",
    String(o.columns),
    "-y",
    String(o.rows),
    // The shell stays a moment after the command so its exit line can be read.
    `${command}; echo EXIT=$?; sleep 30`,
  ]);
  const screen = () => execFileSync("tmux", ["capture-pane", "-p", "-t", name], { encoding: "utf8" });
  return {
    screen,
    send(key: string) {
      execFileSync("tmux", ["send-keys", "-t", name, key]);
    },
    /** Polls the screen until it holds `text` (or matches), up to the deadline. */
    async waitFor(text: string | RegExp, timeoutMs = 15_000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const now = screen();
        if (typeof text === "string" ? now.includes(text) : text.test(now)) return now;
        if (Date.now() > deadline)
          throw new Error(`the terminal never showed ${String(text)}; it shows:\n${now}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    kill() {
      try {
        execFileSync("tmux", ["kill-session", "-t", name], { stdio: "ignore" });
      } catch {
        // already gone
      }
    },
  };
}
