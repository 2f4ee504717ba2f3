// Under the canvas: the validation issues that belong to no layer (loss, data, graph-wide), and how many are on layers.
import type { Issue } from "../api";

export function IssuesBar({ issues, onLayers, checked, ok }: { issues: readonly Issue[]; onLayers: number; checked: boolean; ok: boolean }) {
  return (
    <div className="issues-bar" data-testid="graph-issues">
      {issues.length === 0 && onLayers === 0 && <span className="muted">{checked ? (ok ? "No problems." : "") : "Checking…"}</span>}
      {onLayers > 0 && (
        <span className="issue-count">
          {onLayers} {onLayers === 1 ? "problem" : "problems"} on layers (shown in red)
        </span>
      )}
      {issues.length > 0 && (
        <ul className="issue-list">
          {issues.map((i, k) => (
            <li key={k} data-testid="graph-issue" title={i.field ?? undefined}>
              {i.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
