import type { ChatTemplateName, ScoringProfile } from "../../scoring/profile.js";
import { tokenText } from "../model-source.js";
import { TEMPLATES } from "../templates/sources.js";
import type { RepoInspection } from "./types.js";

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** Files that are weights (or data), by extension: what a repo's size counts. */
export const WEIGHTS = /\.(safetensors|gguf|bin|pt|pth|ckpt|parquet)$/;

export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/**
 * The size the reference bounds: LFS-tracked files only (here: the weight-like files, exact bytes; the
 * reference sums git-lfs's rounded decimal display, about 7 % above this at GB scale).
 */
export function repoSizeBytes(inspection: RepoInspection): number {
  return inspection.files
    .filter((f) => (inspection.source === "hub" ? f.lfsOid !== null : WEIGHTS.test(f.path)))
    .reduce((sum, f) => sum + f.size, 0);
}

/** The profile's prechecks of a model repo, each with a verdict and a reason a miner can act on. */
export function runPrechecks(
  inspection: RepoInspection,
  options: { profile: ScoringProfile; chatTemplate: string | null },
): Check[] {
  const checks: Check[] = [];
  const { profile } = options;
  if (inspection.source === "hub") {
    const hidden = inspection.private || inspection.gated;
    checks.push({
      name: "public",
      ok: !hidden,
      detail: hidden
        ? `the repo is ${inspection.private ? "private" : "gated"}: validators cannot download it`
        : "public",
    });
  }
  const index = inspection.index;
  const paths = new Set(inspection.files.map((f) => f.path));
  const shards = index ? [...new Set(Object.values(index.weightMap))] : [];
  const missing = shards.filter((s) => !paths.has(s));
  let indexDetail = `${shards.length} safetensors shards, total_size ${index?.totalSize}`;
  let indexOk = true;
  if (!index)
    [indexOk, indexDetail] = [false, inspection.indexProblem ?? "model.safetensors.index.json is missing"];
  else if (index.totalSize === null) [indexOk, indexDetail] = [false, "the index has no metadata.total_size"];
  else if (shards.length === 0) [indexOk, indexDetail] = [false, "the index's weight_map is empty"];
  else if (missing.length > 0)
    [indexOk, indexDetail] = [false, `shards named in the index are missing: ${missing.join(", ")}`];
  else if (!shards.every((s) => s.endsWith(".safetensors")))
    [indexOk, indexDetail] = [false, "the weight map names non-safetensors files"];
  checks.push({ name: "safetensors_index", ok: indexOk, detail: indexDetail });

  const size = repoSizeBytes(inspection);
  const { min, max } = profile.repoSizeBytes;
  checks.push({
    name: "repo_size",
    ok: size >= min && size <= max,
    detail: `${formatBytes(size)} of weights (allowed ${formatBytes(min)} to ${formatBytes(max)})`,
  });

  const template = options.chatTemplate;
  checks.push({
    name: "chat_template",
    ok: template !== null && profile.chatTemplates.includes(template as never),
    detail:
      template === null
        ? `no --chat-template given: one of ${profile.chatTemplates.join(", ")}`
        : profile.chatTemplates.includes(template as never)
          ? template
          : `"${template}" is not one of ${profile.chatTemplates.join(", ")}`,
  });

  const tokens = templateTokensCheck(inspection, template);
  if (tokens) checks.push(tokens);

  const config = inspection.config;
  const customCode = config && "auto_map" in config;
  checks.push({
    name: "no_custom_code",
    ok: config !== null && !customCode,
    detail:
      config === null
        ? "config.json is missing or not JSON"
        : customCode
          ? "config.json has auto_map: the model needs trust_remote_code, which validators do not run"
          : `architecture ${String((config.architectures as string[] | undefined)?.[0] ?? config.model_type ?? "unknown")}`,
  });
  return checks;
}

/**
 * A template that renders `bos_token` or `eos_token` with a tokenizer that defines none: the reference's
 * Jinja renders None as the text "None" or fails on `None + str`, so its evaluation of such a model is
 * garbage or an error. sn11 refuses the model here instead, with that reason (one documented choice).
 */
function templateTokensCheck(inspection: RepoInspection, template: string | null): Check | null {
  const spec = template ? TEMPLATES[template as ChatTemplateName] : undefined;
  if (!spec) return null;
  const needed = (["bos", "eos"] as const).filter((t) => spec.source.includes(`${t}_token`));
  if (needed.length === 0) return null;
  const config = inspection.tokenizerConfig;
  if (!config) {
    return { name: "template_tokens", ok: true, detail: "no tokenizer_config.json: not checked" };
  }
  const missing = needed.filter((t) => tokenText(config[`${t}_token`]) === null);
  return {
    name: "template_tokens",
    ok: missing.length === 0,
    detail:
      missing.length === 0
        ? `${needed.map((t) => `${t}_token`).join(", ")} defined`
        : `the ${template} template renders ${missing.map((t) => `${t}_token`).join(" and ")}, which tokenizer_config.json does not define (the reference renders "None" there or fails)`,
  };
}
