// Small pieces shared by the run pages: the status badge and the progress bar.
import type { RunStatus } from "../api";

export function StatusBadge({ status, testId }: { status: RunStatus | string; testId?: string }) {
  return (
    <span className={`status-badge status-${status}`} data-testid={testId}>
      {status}
    </span>
  );
}

/** `value` 0…1, or null for "not known yet" (an indeterminate stripe). */
export function ProgressBar({ value, testId }: { value: number | null; testId?: string }) {
  const pct = value === null ? null : Math.round(Math.max(0, Math.min(1, value)) * 1000) / 10;
  return (
    <div
      className={`progress${pct === null ? " progress-unknown" : ""}`}
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct ?? undefined}
      data-testid={testId}
    >
      <div className="progress-fill" style={{ width: pct === null ? undefined : `${pct}%` }} />
    </div>
  );
}
