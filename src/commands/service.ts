import { resolve } from "node:path";
import { z } from "zod";
import { BUILD } from "../build-info.js";
import { UsageError } from "../errors.js";
import {
  checkValidateArgs,
  installService,
  selfProgram,
  servicePaths,
  uninstallService,
  unitGlobals,
} from "../service/install.js";
import { systemctlLines, systemdUnit, type UnitSpec } from "../service/unit.js";
import { isSingleBinary } from "../single-binary.js";
import { defineCommand } from "./define.js";
import { validateCommand } from "./validate.js";

export const serviceCommand = defineCommand({
  name: "service",
  uses: ["chain", "wallet", "store", "profile"],
  description:
    "install writes a systemd unit that runs `sn11 validate` with the options after `--` (checked now, as\n" +
    "validate checks them) and this run's data dir, network, netuid, profile and wallet, restarts it on\n" +
    "failure (not on a usage or configuration error), gives the graceful stop time to finish the samples\n" +
    "in flight, logs to the journal, and reads secrets from an EnvironmentFile (mode 0600, created with the\n" +
    "variables' names). It prints the systemctl lines to start and follow it; it starts nothing itself.\n" +
    "With --worker the unit runs `sn11 worker` instead (a GPU box of a shared --store; SN11_STORE goes in\n" +
    "the EnvironmentFile), named sn11-worker unless --name says otherwise.",
  examples: [
    "sn11 service install --user -- --engine vllm --gpus 0,1 --dataset api --metrics-port 9311",
    "sudo sn11 service install --run-as validator -- --engine vllm --gpus 0",
    "sn11 service install --user --print -- --engine vllm",
    "sudo sn11 service install --worker --run-as sn11 -- --engine vllm --gpus 0:1",
    "sn11 service uninstall --user",
  ],
  arguments: [
    { name: "action", description: "install or uninstall", required: true },
    {
      name: "options",
      description: "after --: the options of sn11 validate (or of sn11 worker with --worker)",
      required: false,
      variadic: true,
    },
  ],
  options: z.object({
    user: z.boolean().default(false).describe("a user unit (~/.config/systemd/user), no root needed"),
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.@-]+$/, "letters, digits and _ . @ - only")
      .optional()
      .describe("the unit's name (default: sn11-validator, or sn11-worker with --worker)"),
    worker: z
      .boolean()
      .default(false)
      .describe("run sn11 worker (the options after -- are its) instead of sn11 validate"),
    runAs: z
      .string()
      .optional()
      .describe("a system unit's account (default: the one that ran sudo)")
      .meta({ valueName: "user" }),
    force: z.boolean().default(false).describe("replace an existing unit"),
    print: z.boolean().default(false).describe("print the unit, write nothing"),
  }),
  async run({ args, options: o }, ctx) {
    const [action, ...validateArgs] = args;
    if (action !== "install" && action !== "uninstall") {
      throw new UsageError(`unknown action ${action}: install or uninstall`, {
        hint: "sn11 service install --user -- --engine vllm",
      });
    }
    const scope = o.user ? "user" : "system";
    const name = o.name ?? (o.worker ? "sn11-worker" : "sn11-validator");
    const paths = servicePaths(name, scope, ctx.env);
    const lines = systemctlLines(name, scope);
    const isRoot = process.getuid?.() === 0;
    if (scope === "system" && !isRoot && !o.print) {
      throw new UsageError("a system unit is written to /etc/systemd/system: run with sudo, or pass --user");
    }
    if (action === "uninstall") {
      uninstallService(paths);
      return {
        json: { removed: paths.unit, environment_file_kept: paths.environmentFile, stop: lines.stop },
        text: () =>
          `removed ${paths.unit} (the secrets in ${paths.environmentFile} are kept)\nstop and forget it:\n${lines.stop.map((l) => `  ${l}`).join("\n")}`,
      };
    }
    const command = o.worker ? "worker" : "validate";
    checkValidateArgs(
      validateArgs,
      o.worker ? (await import("./worker.js")).workerCommand.options : validateCommand.options,
      command,
    );
    const config = ctx.loaded.config;
    const spec: UnitSpec = {
      name,
      command,
      scope,
      program: selfProgram(await isSingleBinary(), process.execPath, process.argv[1]),
      globals: unitGlobals({ ...config, dataDir: resolve(ctx.cwd, config.dataDir) }),
      validateArgs,
      dataDir: resolve(ctx.cwd, config.dataDir),
      environmentFile: paths.environmentFile,
      runAs: o.runAs ?? ctx.env.SUDO_USER,
      version: BUILD.version,
    };
    if (o.print)
      return {
        json: { unit: paths.unit, text: systemdUnit(spec) },
        text: () => systemdUnit(spec),
        raw: true,
      };
    const installed = installService(spec, paths, { force: o.force });
    return {
      json: {
        unit: paths.unit,
        environment_file: paths.environmentFile,
        environment_file_state: installed.environmentFile,
        start: lines.start,
        stop: lines.stop,
      },
      text: () =>
        [
          `wrote ${paths.unit}`,
          `secrets: ${paths.environmentFile} (${installed.environmentFile === "created" ? "created with the variables' names: fill in what this validator uses" : "kept"}, mode 0600)`,
          "",
          "start it and follow its log:",
          ...lines.start.map((l) => `  ${l}`),
        ].join("\n"),
    };
  },
});
