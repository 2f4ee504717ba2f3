// Live validation: the spec goes to POST /api/validate ~300 ms after the last change that matters (moving a node
// does not); an answer to an older spec is dropped.
import { useEffect, useMemo, useRef, useState } from "react";
import { api, errorText, type ValidationReport } from "../api";
import type { RunSpec } from "../generated/runspec";
import { withoutLayout } from "../lib/graph";

export const VALIDATE_DEBOUNCE_MS = 300;

export interface Validation {
  report: ValidationReport | null;
  /** The edge ids in spec order when the report was asked for: report edge `index` → editor edge id. */
  edgeIds: readonly string[];
  /** The request failed (not: the spec is invalid, which is a report with ok=false). */
  error: string | null;
  /** The spec changed since the last answer. */
  pending: boolean;
}

export function useValidation(spec: RunSpec, edgeIds: readonly string[]): Validation {
  const key = useMemo(() => JSON.stringify(withoutLayout(spec)), [spec]);
  const idsRef = useRef(edgeIds);
  idsRef.current = edgeIds;
  const [state, setState] = useState<{ key: string | null; report: ValidationReport | null; edgeIds: readonly string[]; error: string | null }>({
    key: null,
    report: null,
    edgeIds: [],
    error: null,
  });

  useEffect(() => {
    const ctrl = new AbortController();
    const timer = setTimeout(() => {
      const ids = idsRef.current;
      api.validate(JSON.parse(key) as unknown, ctrl.signal).then(
        (report) => setState({ key, report, edgeIds: ids, error: null }),
        (err: unknown) => {
          if (!ctrl.signal.aborted) setState({ key, report: null, edgeIds: [], error: errorText(err) });
        },
      );
    }, VALIDATE_DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [key]);

  return { report: state.report, edgeIds: state.edgeIds, error: state.error, pending: state.key !== key };
}
