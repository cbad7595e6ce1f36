/** What a systemd unit for `sn11 validate` (or a GPU box's `sn11 worker`) needs to know. */
export interface UnitSpec {
  readonly name: string;
  /** The daemon it runs: the validator, or an evaluation worker of a shared --store. */
  readonly command?: "validate" | "worker";
  readonly scope: "user" | "system";
  /** The program and its arguments up to the command: the binary, or node and the npm entry. */
  readonly program: readonly string[];
  /** Global options fixed in the unit (data dir, network, wallet …), then the command and its options. */
  readonly globals: readonly string[];
  readonly validateArgs: readonly string[];
  readonly dataDir: string;
  readonly environmentFile: string;
  /** For a system unit: the account it runs as. */
  readonly runAs?: string;
  readonly version: string;
}

/**
 * One argument of ExecStart as systemd reads it: split on whitespace, double quotes with C escapes,
 * `%` a specifier and `$` a variable unless doubled.
 */
export function quoteExecArg(arg: string): string {
  const escaped = arg.replaceAll("%", "%%").replaceAll("$", "$$$$");
  if (/^[A-Za-z0-9_@%+=:,./~-]+$/.test(escaped)) return escaped;
  return `"${escaped.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

/** The graceful stop finishes the samples in flight; a large model's reply can take minutes. */
export const STOP_TIMEOUT_SECONDS = 600;

export function systemdUnit(u: UnitSpec): string {
  const command = u.command ?? "validate";
  const exec = [...u.program, ...u.globals, command, ...u.validateArgs].map(quoteExecArg).join(" ");
  return `# Written by \`sn11 service install\` (sn11 ${u.version}). Secrets (SN11_JUDGE_API_KEY, HF_TOKEN,
# SN11_DATASET_API_TOKEN, SN11_WALLET_PASSWORD, SN11_STORE) go in the EnvironmentFile (mode 0600), never here.
[Unit]
Description=sn11 ${command === "worker" ? "evaluation worker" : "validator"} for Bittensor subnet 11 (${u.name})
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
ExecStart=${exec}
WorkingDirectory=${quoteExecArg(u.dataDir)}
EnvironmentFile=-${u.environmentFile}
Environment=SN11_LOG=info
${u.scope === "system" && u.runAs ? `User=${u.runAs}\n` : ""}Restart=on-failure
RestartSec=30
# A usage (2) or configuration (78) error does not get better by restarting: fix it, then start again.
RestartPreventExitStatus=2 78
# SIGTERM to sn11 alone: it finishes the samples in flight, requeues the evaluation and stops its engines;
# whatever is left in the cgroup after the timeout is killed.
KillMode=mixed
KillSignal=SIGTERM
TimeoutStopSec=${STOP_TIMEOUT_SECONDS}
StandardOutput=journal
StandardError=journal
SyslogIdentifier=${u.name}
NoNewPrivileges=true

[Install]
WantedBy=${u.scope === "user" ? "default.target" : "multi-user.target"}
`;
}

/** The environment file's first content: the secrets' names, commented out, for the operator to fill. */
export function environmentTemplate(name: string): string {
  return `# Secrets for the ${name} service (read by systemd; keep this file mode 0600).
# SN11_JUDGE_API_KEY=
# SN11_DATASET_API_URL=
# SN11_DATASET_API_TOKEN=
# HF_TOKEN=
# SN11_WALLET_PASSWORD=
# SN11_STORE=postgres://…    (the queue several boxes share; sn11 worker needs it)
`;
}

/** The commands that start, follow and stop the service, for the scope it was installed in. */
export function systemctlLines(name: string, scope: "user" | "system"): { start: string[]; stop: string[] } {
  const ctl = scope === "user" ? "systemctl --user" : "sudo systemctl";
  const journal = scope === "user" ? "journalctl --user" : "journalctl";
  return {
    start: [
      `${ctl} daemon-reload`,
      `${ctl} enable --now ${name}`,
      `${journal} -u ${name} -f`,
      ...(scope === "user" ? ["loginctl enable-linger $USER    # keep it running after you log out"] : []),
    ],
    stop: [`${ctl} disable --now ${name}`, `${ctl} daemon-reload`],
  };
}
