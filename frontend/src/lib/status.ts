// The editor's one-line status: what just happened (a notice), else what validation says.
import type { ValidationReport } from "../api";
import { formatParams } from "./format";

export type StatusState = "valid" | "invalid" | "pending" | "error" | "info";

export interface Notice {
  text: string;
  tone: "info" | "error";
}

export function statusLine(input: {
  notice: Notice | null;
  report: ValidationReport | null;
  pending: boolean;
  error: string | null;
}): { text: string; state: StatusState } {
  const { notice, report, pending, error } = input;
  if (notice) return { text: notice.text, state: notice.tone };
  if (error && !pending) return { text: `cannot validate: ${error}`, state: "error" };
  // an answer about an older spec would name a parameter count or an error that may no longer hold
  if (!report || pending) return { text: "checking…", state: "pending" };
  if (report.ok) return { text: `valid · ${formatParams(report.total_params)}`, state: "valid" };
  const first = report.issues[0];
  return { text: first ? first.message : "invalid", state: "invalid" };
}
