import { describe, expect, it } from "vitest";
import type { ValidationReport } from "../api";
import { edgeLabels, graphIssues, nodeVerdicts } from "./verdicts";

const report: ValidationReport = {
  ok: false,
  nodes: [
    { id: "x", type: "input", network: "model", output_shape: [null, 2], params: 0 },
    { id: "d", type: "dense", network: "model", output_shape: [null, 16], params: 48 },
  ],
  edges: [
    { index: 0, source: "x", target: "d", shape: [null, 2] },
    { index: 1, source: "d", target: "m", shape: null },
  ],
  total_params: 48,
  issues: [
    { type: "invalid_param", message: 'node "d": units must be ≥ 1, got 0', node_id: "d", field: "params.units" },
    { type: "unconnected_input", message: 'node "m": input port in is not connected', node_id: "m", field: "inputs.in" },
    { type: "ambiguous_output", message: "several outputs", node_id: null, field: "loss.output" },
    { type: "dangling_edge", message: "edge to a node that is gone", node_id: "gone", field: "edges[3].target" },
  ],
};
const ids = new Set(["x", "d", "m"]);

describe("verdicts", () => {
  it("puts shapes, parameter counts and errors on nodes", () => {
    const v = nodeVerdicts(report, ids);
    expect(v.get("d")).toMatchObject({ shape: [null, 16], params: 48, errors: ['node "d": units must be ≥ 1, got 0'] });
    expect(v.get("x")!.errors).toEqual([]);
    expect(v.get("m")).toMatchObject({ shape: null, errors: ['node "m": input port in is not connected'] });
    expect(v.has("gone")).toBe(false);
  });
  it("lists the issues that belong to no node on the canvas", () => {
    expect(graphIssues(report, ids).map((i) => i.type)).toEqual(["ambiguous_output", "dangling_edge"]);
    expect(graphIssues(null, ids)).toEqual([]);
  });
  it("labels edges by their index in the spec", () => {
    expect([...edgeLabels(report, ["x.out-d.in", "d.out-m.in"])]).toEqual([["x.out-d.in", "(·, 2)"]]);
  });
});
