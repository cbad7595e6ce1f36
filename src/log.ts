import { type DestinationStream, type Logger, pino } from "pino";
import { inertText } from "./render/inert.js";
import { redact } from "./secrets.js";

export type { Logger };

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Key names whose values never reach a log line, at any depth pino can address. */
const SECRET_KEYS = [
  "mnemonic",
  "secretPhrase",
  "secretSeed",
  "privateKey",
  "password",
  "apiKey",
  "token",
  "hfToken",
  "authorization",
];
const REDACT_PATHS = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

export interface Writer {
  write(chunk: string): unknown;
  isTTY?: boolean;
  /** A terminal's width. */
  columns?: number;
}

/** One line per record for people: `12:00:01 WARN message key=value`. */
function humanDestination(out: Writer): DestinationStream {
  const labels: Record<number, string> = {
    10: "TRACE",
    20: "DEBUG",
    30: "INFO",
    40: "WARN",
    50: "ERROR",
    60: "FATAL",
  };
  return {
    write(line: string) {
      const {
        level,
        time,
        msg,
        pid: _pid,
        hostname: _host,
        ...rest
      } = JSON.parse(line) as Record<string, unknown>;
      const clock = new Date(time as number).toISOString().slice(11, 19);
      const extra = Object.entries(rest)
        .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
        .join(" ");
      out.write(
        inertText(`${clock} ${labels[level as number] ?? level} ${msg ?? ""}${extra ? ` ${extra}` : ""}`) +
          "\n",
      );
    },
  };
}

/**
 * The one logger: synchronous (a bundle has no worker files for pino transports), to stderr,
 * JSON lines unless stderr is a terminal, secrets censored by key.
 */
export function createLogger(stderr: Writer, level: LogLevel): Logger {
  // Secret values are replaced in every line, whatever field or message they ended up in.
  const safe: Writer = { write: (s) => stderr.write(redact(s)), isTTY: stderr.isTTY };
  const destination: DestinationStream = stderr.isTTY
    ? humanDestination(safe)
    : { write: (s) => safe.write(s) };
  return pino(
    {
      level,
      base: undefined,
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    },
    destination,
  );
}
