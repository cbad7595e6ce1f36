import { z } from "zod";
import { describeSource, redactedConfig } from "../config/load.js";
import { KEY_SPECS } from "../config/schema.js";
import { renderTable } from "../render/table.js";
import { defineCommand } from "./define.js";

export const configCommand = defineCommand({
  name: "config",
  summary: "show the effective configuration and where each value came from",
  description:
    "Precedence: flags > SN11_* environment > config file (~/.config/sn11/config.json or --config) > defaults.\n" +
    "Secrets are shown as [redacted].",
  examples: ["sn11 config", "SN11_NETWORK=test sn11 config --json"],
  options: z.object({}),
  async run(_input, ctx) {
    const { config, sources, file } = ctx.loaded;
    const shown = redactedConfig(config);
    const json = {
      file,
      config: shown,
      sources: Object.fromEntries(KEY_SPECS.map((s) => [s.key, describeSource(sources[s.key])])),
    };
    const rows = KEY_SPECS.map((s) => ({
      key: s.key,
      value: s.key in shown ? String(shown[s.key]) : "(unset)",
      source: describeSource(sources[s.key]),
      env: s.env.join(", "),
    }));
    const text = () =>
      renderTable(
        [
          { header: "key", value: (r: (typeof rows)[number]) => r.key },
          { header: "value", value: (r) => r.value },
          { header: "from", value: (r) => r.source },
          { header: "env", value: (r) => r.env },
        ],
        rows,
      ) + `\n\nconfig file: ${file ?? "none"}`;
    return { json, text };
  },
});
