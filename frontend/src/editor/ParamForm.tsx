// Forms generated from parameter schemas (catalog entries, or spec fields read from the JSON Schema): a number
// input for int and float, a checkbox for bool, a select for choice, text for str and comma lists for ints.
import { useEffect, useId, useState, type ReactNode } from "react";
import type { ParamSpec } from "../api";
import { effectiveValue, paramText, parseParam } from "../lib/params";

export interface ParamFieldProps {
  spec: ParamSpec;
  value: unknown;
  /** The new value; `undefined` removes it (back to the default). */
  onChange: (value: unknown) => void;
  testId: string;
  label?: string;
  /** Whether the value is set explicitly (a reset button appears when it differs from the default). */
  isSet?: boolean;
  placeholder?: string;
}

export function ParamField({ spec, value, onChange, testId, label, isSet, placeholder }: ParamFieldProps) {
  const id = useId();
  const title = label ?? spec.name.replace(/_/g, " ");
  const differs = isSet && JSON.stringify(value) !== JSON.stringify(spec.default);
  const reset = differs ? (
    <button type="button" className="reset-button" title={`back to the default (${paramText(spec, spec.default) || "none"})`} onClick={() => onChange(undefined)}>
      ↺
    </button>
  ) : null;

  if (spec.kind === "bool") {
    return (
      <div className="field field-check" title={spec.help}>
        <label htmlFor={id}>
          <input id={id} type="checkbox" data-testid={testId} checked={Boolean(value)} onChange={(e) => onChange(e.target.checked)} />
          {title}
        </label>
        {reset}
      </div>
    );
  }
  if (spec.kind === "choice") {
    const choices = spec.choices ?? [];
    const current = value === null || value === undefined ? "" : String(value);
    return (
      <div className="field" title={spec.help}>
        <label htmlFor={id}>
          {title}
          {reset}
        </label>
        <select id={id} data-testid={testId} value={current} onChange={(e) => onChange(e.target.value === "" ? null : e.target.value)}>
          {(spec.nullable || !choices.includes(current)) && <option value="">{current && !choices.includes(current) ? current : "—"}</option>}
          {choices.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </div>
    );
  }
  return <TextParam spec={spec} value={value} onChange={onChange} testId={testId} id={id} title={title} reset={reset} placeholder={placeholder} />;
}

/** Number and text inputs keep what is typed until it parses; only values reach the spec. */
function TextParam({
  spec,
  value,
  onChange,
  testId,
  id,
  title,
  reset,
  placeholder,
}: Omit<ParamFieldProps, "label" | "isSet"> & { id: string; title: string; reset: ReactNode }) {
  const shown = paramText(spec, value);
  const [text, setText] = useState(shown);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    // a new value from outside (another graph loaded, a reset) replaces the draft unless it means the same
    setText((t) => {
      const parsed = parseParam(spec, t);
      return parsed.ok && JSON.stringify(parsed.value) === JSON.stringify(value) ? t : shown;
    });
    setError(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shown]);
  const numeric = spec.kind === "int" || spec.kind === "float";
  const commit = (t: string) => {
    setText(t);
    const parsed = parseParam(spec, t);
    if (parsed.ok) {
      setError(null);
      onChange(parsed.value);
    } else {
      setError(parsed.error);
    }
  };
  const hint = spec.nullable && spec.default === null ? "auto" : paramText(spec, spec.default);
  return (
    <div className={`field${error ? " field-invalid" : ""}`} title={spec.help}>
      <label htmlFor={id}>
        {title}
        {reset}
      </label>
      <input
        id={id}
        data-testid={testId}
        type={numeric ? "number" : "text"}
        inputMode={numeric ? (spec.kind === "int" ? "numeric" : "decimal") : undefined}
        step={spec.kind === "int" ? 1 : numeric ? "any" : undefined}
        min={numeric ? spec.min : undefined}
        max={numeric ? spec.max : undefined}
        value={text}
        placeholder={placeholder ?? (hint ? `${hint}` : undefined)}
        spellCheck={false}
        onChange={(e) => commit(e.target.value)}
      />
      {error && <div className="field-error">{error}</div>}
    </div>
  );
}

export interface ParamFormProps {
  specs: readonly ParamSpec[];
  values: Record<string, unknown> | undefined;
  onChange: (name: string, value: unknown) => void;
  testPrefix: string;
}

/** Every parameter of a catalog entry. */
export function ParamForm({ specs, values, onChange, testPrefix }: ParamFormProps) {
  if (specs.length === 0) return null;
  return (
    <div className="param-form">
      {specs.map((p) => (
        <ParamField
          key={p.name}
          spec={p}
          value={effectiveValue(p, values)}
          isSet={values !== undefined && Object.prototype.hasOwnProperty.call(values, p.name)}
          onChange={(v) => onChange(p.name, v)}
          testId={`${testPrefix}${p.name}`}
        />
      ))}
    </div>
  );
}
