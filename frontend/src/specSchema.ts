// Reads the RunSpec's JSON Schema (generated from the pydantic models) for what the settings forms need: each
// field's kind, range, default, help and choices. The limits live in trainer/graph/spec.py, not here.
import type { ParamKind, ParamSpec } from "./api";
import schemaJson from "./generated/runspec.schema.json";

interface Prop {
  type?: string;
  anyOf?: Prop[];
  enum?: string[];
  const?: unknown;
  default?: unknown;
  description?: string;
  title?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  pattern?: string;
}

interface ObjectSchema {
  properties?: Record<string, Prop>;
  $defs?: Record<string, ObjectSchema>;
}

const schema = schemaJson as unknown as ObjectSchema;

/** "RunSpec" is the root; other names are its definitions (DataSpec, OptimizerSpec…). */
function property(def: string, name: string): Prop | undefined {
  const obj = def === "RunSpec" ? schema : schema.$defs?.[def];
  return obj?.properties?.[name];
}

const KINDS: Record<string, ParamKind> = { integer: "int", number: "float", boolean: "bool", string: "str" };

/** A form field for one property of the spec, described like a catalog parameter. */
export function schemaParam(def: string, name: string): ParamSpec {
  const prop = property(def, name) ?? {};
  const variants = prop.anyOf ?? [prop];
  const nullable = variants.some((v) => v.type === "null");
  const main = variants.find((v) => v.type !== "null" && v.const === undefined) ?? {};
  const kind: ParamKind = main.enum ? "choice" : KINDS[main.type ?? "string"] ?? "str";
  const spec: ParamSpec = {
    name,
    kind,
    default: prop.default ?? null,
    help: prop.description ?? main.description ?? prop.title ?? name,
    nullable,
  };
  const min = main.minimum ?? main.exclusiveMinimum;
  if (min !== undefined) spec.min = min;
  if (main.maximum !== undefined) spec.max = main.maximum;
  if (main.enum) spec.choices = main.enum;
  return spec;
}

/** The default of a property, as the pydantic model declares it. */
export function schemaDefault<T>(def: string, name: string, fallback: T): T {
  const value = property(def, name)?.default;
  return value === undefined || value === null ? fallback : (value as T);
}

/** Node ids: the spec's pattern (a letter or _, then letters, digits, _ or -; at most 64). */
export const NODE_ID_PATTERN = new RegExp(
  property("NodeSpec", "id")?.pattern ?? "^[A-Za-z_][A-Za-z0-9_\\-]{0,63}$",
);
