import { Option } from "commander";
import { z } from "zod";
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

type JsonProperty = { type?: string; default?: unknown; enum?: unknown[] };

/** The fields of an options object as JSON Schema (zod's own rendering: input types, wrappers resolved). */
function jsonProperties(schema: z.ZodObject): Record<string, JsonProperty> {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, JsonProperty>;
  };
  return json.properties ?? {};
}

function shapeOf(property: JsonProperty | undefined): FieldShape {
  const defaultValue = property?.default;
  if (property?.type === "boolean") return { kind: "boolean", defaultValue, valueName: "" };
  if (property?.enum) {
    return { kind: "value", defaultValue, choices: property.enum.map(String), valueName: "value" };
  }
  const numeric = property?.type === "number" || property?.type === "integer";
  return { kind: "value", defaultValue, valueName: numeric ? "n" : "value" };
}

function inspectField(field: z.ZodType): FieldShape {
  return shapeOf(jsonProperties(z.object({ field })).field);
}

/** Whether a schema field is a switch (a boolean flag) or takes a value. */
export function optionKind(field: z.ZodType): "boolean" | "value" {
  return inspectField(field).kind;
}

/** Commander options from a zod object; a boolean that defaults to true becomes `--no-<name>`. */
export function commanderOptions(schema: z.ZodObject): Option[] {
  const properties = jsonProperties(schema);
  return Object.entries(schema.shape).map(([key, field]) => {
    const shape = shapeOf(properties[key]);
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
