import { Option } from "commander";
import type { z } from "zod";
import { UsageError } from "../errors.js";

export function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

interface FieldShape {
  kind: "boolean" | "value";
  defaultValue: unknown;
  choices?: string[];
  valueName: string;
}

/** Walks optional/default wrappers down to the field's own type. */
function inspectField(field: z.ZodType): FieldShape {
  let current = field as z.ZodType & { def: Record<string, unknown> };
  let defaultValue: unknown;
  for (;;) {
    const def = current.def as { type: string; innerType?: z.ZodType; defaultValue?: unknown };
    if (def.type === "optional" || def.type === "nullable") current = def.innerType as typeof current;
    else if (def.type === "default") {
      defaultValue = def.defaultValue;
      current = def.innerType as typeof current;
    } else break;
  }
  const def = current.def as { type: string; entries?: Record<string, string> };
  if (def.type === "boolean") return { kind: "boolean", defaultValue, valueName: "" };
  if (def.type === "enum") {
    return { kind: "value", defaultValue, choices: Object.values(def.entries ?? {}), valueName: "value" };
  }
  return { kind: "value", defaultValue, valueName: def.type === "number" ? "n" : "value" };
}

/** Whether a schema field is a switch (a boolean flag) or takes a value. */
export function optionKind(field: z.ZodType): "boolean" | "value" {
  return inspectField(field).kind;
}

/** Commander options from a zod object; a boolean that defaults to true becomes `--no-<name>`. */
export function commanderOptions(schema: z.ZodObject): Option[] {
  return Object.entries(schema.shape).map(([key, field]) => {
    const shape = inspectField(field as z.ZodType);
    const description = (field as z.ZodType).description ?? "";
    const meta = (field as z.ZodType).meta();
    const valueName = meta?.valueName;
    // A one-letter alias, as btcli users type it (-y for --yes).
    const short = typeof meta?.short === "string" ? `-${meta.short}, ` : "";
    if (shape.kind === "boolean") {
      return new Option(
        shape.defaultValue === true ? `--no-${kebab(key)}` : `${short}--${kebab(key)}`,
        description,
      );
    }
    // Without a name of its own, a value is named after its flag (`--engine <engine>`), not `<value>`.
    const placeholder =
      typeof valueName === "string" ? valueName : shape.valueName === "n" ? "n" : kebab(key);
    const option = new Option(`--${kebab(key)} <${placeholder}>`, description);
    if (shape.choices) option.choices(shape.choices);
    // An empty default says nothing worth printing (`default: ""`).
    if (shape.defaultValue !== undefined && shape.defaultValue !== "") option.default(shape.defaultValue);
    return option;
  });
}

/** Validates commander's parsed options against the schema; the first problem is a usage error. */
export function parseOptions<S extends z.ZodObject>(schema: S, raw: Record<string, unknown>): z.infer<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = issue?.path[0];
  const flag = typeof key === "string" ? `--${kebab(key)}` : "options";
  // zod's "expected string, received undefined" means the flag was not given.
  if (typeof key === "string" && raw[key] === undefined && issue?.code === "invalid_type") {
    throw new UsageError(`${flag} is required`, { hint: "the command's --help shows it and an example" });
  }
  throw new UsageError(`${flag}: ${issue?.message ?? "invalid value"}`);
}
