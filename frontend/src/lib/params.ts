// Parameter values and the text of their form inputs, for every parameter kind of the catalog
// (int, float, bool, choice, str, ints). Forms are generated from these; nothing here knows a layer.
import type { ParamSpec } from "../api";

export type ParseResult = { ok: true; value: unknown } | { ok: false; error: string };

/** The value in effect: the one set, else the catalog default. */
export function effectiveValue(p: ParamSpec, params: Record<string, unknown> | undefined): unknown {
  return params && Object.prototype.hasOwnProperty.call(params, p.name) ? params[p.name] : p.default;
}

/** The text an input shows for a value ("" for null; ints as "1, 8, 8"). */
export function paramText(p: ParamSpec, value: unknown): string {
  if (value === null || value === undefined) return "";
  if (p.kind === "ints" && Array.isArray(value)) return value.join(", ");
  return String(value);
}

/** The value typed into an input, or why it is not one. Range limits are left to the server's validation, which
 * names the node and the field, so that what the user typed is never silently changed. */
export function parseParam(p: ParamSpec, text: string): ParseResult {
  const t = text.trim();
  if (t === "" && p.kind !== "str") {
    return p.nullable ? { ok: true, value: null } : { ok: false, error: `${p.name} needs a value` };
  }
  switch (p.kind) {
    case "int": {
      const v = Number(t);
      return Number.isInteger(v) ? { ok: true, value: v } : { ok: false, error: `${p.name} must be a whole number` };
    }
    case "float": {
      const v = Number(t);
      return Number.isFinite(v) ? { ok: true, value: v } : { ok: false, error: `${p.name} must be a number` };
    }
    case "ints": {
      const parts = t.split(/[\s,;()[\]]+/).filter(Boolean);
      const values = parts.map(Number);
      if (parts.length === 0 || values.some((v) => !Number.isInteger(v))) {
        return { ok: false, error: `${p.name} must be whole numbers separated by commas, e.g. 1, 8, 8` };
      }
      return { ok: true, value: values };
    }
    case "bool":
      if (t === "true" || t === "false") return { ok: true, value: t === "true" };
      return { ok: false, error: `${p.name} must be true or false` };
    case "choice":
      if (!p.choices || p.choices.includes(t)) return { ok: true, value: t };
      return { ok: false, error: `${p.name} must be one of ${p.choices.join(", ")}` };
    case "str":
      return { ok: true, value: t === "" && p.nullable ? null : text };
    default:
      return { ok: true, value: t };
  }
}

/** A short summary for node cards: the first numeric parameter (a dense layer's units, a dropout's rate) and then
 * the others set away from their defaults, at most `max` of them: "units 16 · bias false". */
export function paramSummary(specs: readonly ParamSpec[], params: Record<string, unknown>, max = 2): string {
  const text = (p: ParamSpec, v: unknown) => `${p.name} ${v === null || v === undefined ? "auto" : paramText(p, v)}`;
  const main = specs.find((p) => p.kind === "int" || p.kind === "float" || p.kind === "ints");
  const parts = main ? [text(main, effectiveValue(main, params))] : [];
  for (const p of specs) {
    if (p === main || !Object.prototype.hasOwnProperty.call(params, p.name)) continue;
    if (JSON.stringify(params[p.name]) !== JSON.stringify(p.default)) parts.push(text(p, params[p.name]));
  }
  return parts.slice(0, max).join(" · ");
}

/** Params with one value set (or removed, with `undefined`: back to the default). */
export function withParam(params: Record<string, unknown> | undefined, name: string, value: unknown): Record<string, unknown> {
  const next = { ...(params ?? {}) };
  if (value === undefined) delete next[name];
  else next[name] = value;
  return next;
}
