import {
  chmodSync,
  existsSync,
  mkdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import type { z } from "zod";
import { parseCommandArgs } from "../commands/args.js";
import type { Config } from "../config/schema.js";
import { UsageError } from "../errors.js";
import { environmentTemplate, systemdUnit, type UnitSpec } from "./unit.js";

export interface ServicePaths {
  readonly unit: string;
  readonly environmentFile: string;
}

/** Where a unit and its secrets live: ~/.config for a user unit, /etc for a system one. */
export function servicePaths(
  name: string,
  scope: "user" | "system",
  env: Readonly<Record<string, string | undefined>>,
): ServicePaths {
  if (scope === "system") {
    return { unit: `/etc/systemd/system/${name}.service`, environmentFile: `/etc/sn11/${name}.env` };
  }
  const config = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
  return {
    unit: join(config, "systemd", "user", `${name}.service`),
    environmentFile: join(config, "sn11", `${name}.env`),
  };
}

/**
 * The options the service will run `sn11 validate` with, checked now as validate will check them, so a
 * unit never crash-loops on a typo. A daemon's options only: --once is refused.
 */
export function checkValidateArgs(args: readonly string[], schema: z.ZodObject, command = "validate"): void {
  if (args.includes("--once") || args.includes("--until-empty")) {
    throw new UsageError("a service runs the daemon: drop --once and --until-empty");
  }
  parseCommandArgs(args, schema, `the ${command} options after --`);
}

/** How this sn11 is started again by systemd: the single binary itself, or node and the npm entry. */
export function selfProgram(isSea: boolean, execPath: string, entry: string | undefined): string[] {
  if (isSea) return [execPath];
  if (!entry) throw new Error("no entry script to start sn11 with");
  return [execPath, realpathSync(entry)];
}

/** The global options the unit fixes, so the service does not depend on a shell's environment or cwd. */
export function unitGlobals(config: Config): string[] {
  return [
    "--data-dir",
    config.dataDir,
    "--network",
    String(config.network),
    "--netuid",
    String(config.netuid),
    "--profile",
    config.profile,
    "--wallet.name",
    config.walletName,
    "--wallet.hotkey",
    config.walletHotkey,
    "--wallet.path",
    config.walletPath,
  ];
}

function writeAtomically(file: string, text: string, mode: number): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

export interface Installed {
  readonly paths: ServicePaths;
  readonly unitText: string;
  /** Created now (empty template), or already there (kept, mode made 0600). */
  readonly environmentFile: "created" | "kept";
}

export function installService(spec: UnitSpec, paths: ServicePaths, o: { force: boolean }): Installed {
  if (existsSync(paths.unit) && !o.force) {
    throw new UsageError(`${paths.unit} exists`, {
      hint: "pass --force to replace it, or --name for another service",
    });
  }
  const unitText = systemdUnit(spec);
  // systemd changes into the data dir before sn11 starts: it has to exist already.
  mkdirSync(spec.dataDir, { recursive: true });
  writeAtomically(paths.unit, unitText, 0o644);
  let environmentFile: Installed["environmentFile"] = "kept";
  if (existsSync(paths.environmentFile)) {
    // Secrets stay where they are; only who may read them changes.
    if (statSync(paths.environmentFile).mode & 0o077) chmodSync(paths.environmentFile, 0o600);
  } else {
    writeAtomically(paths.environmentFile, environmentTemplate(spec.name), 0o600);
    environmentFile = "created";
  }
  return { paths, unitText, environmentFile };
}

/** Removes the unit; the environment file with its secrets stays (the operator deletes it, knowingly). */
export function uninstallService(paths: ServicePaths): void {
  if (!existsSync(paths.unit)) {
    throw new UsageError(`no service unit at ${paths.unit}`, { hint: "check --name and --user" });
  }
  rmSync(paths.unit);
}
