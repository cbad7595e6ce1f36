import { z } from "zod";
import { runDoctor } from "../doctor/checks.js";
import { doctorExitCode, doctorText } from "../doctor/report.js";
import { findProfile } from "../scoring/profile.js";
import { defineCommand } from "./define.js";

export const doctorCommand = defineCommand({
  name: "doctor",
  uses: ["chain", "wallet", "store", "shared", "hub", "profile"],
  description:
    "Each check is ok, warn or fail with a one-line reason and, where something is to do, a hint. Exit 0\n" +
    "when nothing failed (warnings included), 1 when something did. Nothing is written: the store is read\n" +
    "only, the judge gets one cheap call, the chain and the Hub a few reads.",
  examples: [
    "sn11 doctor",
    "sn11 doctor --json",
    "sn11 doctor --dataset chats.jsonl --vllm-bin /opt/vllm/bin/vllm",
  ],
  options: z.object({
    vllmBin: z.string().default("vllm").describe("the vLLM binary to look for").meta({ valueName: "path" }),
    llamaServerBin: z
      .string()
      .default("llama-server")
      .describe("the llama-server binary to look for")
      .meta({ valueName: "path" }),
    dataset: z
      .string()
      .optional()
      .describe("the dataset source to try (default: the API when SN11_DATASET_API_URL is set)")
      .meta({ valueName: "source" }),
  }),
  async run({ options }, ctx) {
    const profile = findProfile(ctx.loaded.config.profile);
    if (!profile) throw new Error(`unknown profile ${ctx.loaded.config.profile}`);
    const t0 = performance.now();
    const checks = await runDoctor({
      config: ctx.loaded.config,
      profile,
      cwd: ctx.cwd,
      logger: ctx.logger,
      signal: ctx.signal,
      chain: ctx.chain,
      dataset: options.dataset ?? null,
      vllmBin: options.vllmBin,
      llamaServerBin: options.llamaServerBin,
    });
    const seconds = (performance.now() - t0) / 1000;
    const count = (s: string) => checks.filter((c) => c.status === s).length;
    return {
      json: {
        checks,
        ok: count("ok"),
        warnings: count("warn"),
        failed: count("fail"),
        seconds: Math.round(seconds * 100) / 100,
      },
      text: () => `${doctorText(checks)} · ${seconds.toFixed(1)} s`,
      exitCode: doctorExitCode(checks),
    };
  },
});
