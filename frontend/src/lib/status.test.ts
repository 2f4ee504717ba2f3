import { describe, expect, it } from "vitest";
import type { ValidationReport } from "../api";
import { statusLine } from "./status";

const report = (extra: Partial<ValidationReport>): ValidationReport => ({ ok: true, nodes: [], edges: [], total_params: 1201, issues: [], ...extra });

describe("statusLine", () => {
  it("says valid with the parameter count", () => {
    expect(statusLine({ notice: null, report: report({}), pending: false, error: null })).toEqual({ text: "valid · 1,201 parameters", state: "valid" });
  });
  it("shows the first error", () => {
    const r = report({ ok: false, issues: [{ type: "t", message: 'node "d": units must be ≥ 1, got 0', node_id: "d", field: "params.units" }] });
    expect(statusLine({ notice: null, report: r, pending: false, error: null }).text).toBe('node "d": units must be ≥ 1, got 0');
  });
  it("puts a notice first", () => {
    expect(statusLine({ notice: { text: "saved", tone: "info" }, report: report({}), pending: false, error: null }).text).toBe("saved");
  });
  it("says nothing stale while checking", () => {
    expect(statusLine({ notice: null, report: report({}), pending: true, error: null })).toEqual({ text: "checking…", state: "pending" });
    expect(statusLine({ notice: null, report: null, pending: true, error: null }).text).toBe("checking…");
  });
  it("says when the server cannot be asked", () => {
    expect(statusLine({ notice: null, report: null, pending: false, error: "HTTP 502" }).state).toBe("error");
  });
});
