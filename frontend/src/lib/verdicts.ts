// What a validation report says, arranged for the editor: per node (shape, parameters, errors), per edge (the
// tensor's shape as a label) and the issues that belong to no node on the canvas.
import type { Issue, Shape, ValidationReport } from "../api";
import { formatShape } from "./format";

export interface NodeVerdict {
  shape: Shape | null;
  shapes: Record<string, Shape | null>;
  params: number;
  network: string | null;
  errors: string[];
}

/** Per node id; a node that validation could not reach but that an issue names gets an entry with its errors. */
export function nodeVerdicts(report: ValidationReport | null, nodeIds: ReadonlySet<string>): Map<string, NodeVerdict> {
  const map = new Map<string, NodeVerdict>();
  if (!report) return map;
  for (const n of report.nodes) {
    map.set(n.id, { shape: n.output_shape, shapes: n.output_shapes ?? {}, params: n.params, network: n.network, errors: [] });
  }
  for (const issue of report.issues) {
    if (!issue.node_id || !nodeIds.has(issue.node_id)) continue;
    let v = map.get(issue.node_id);
    if (!v) map.set(issue.node_id, (v = { shape: null, shapes: {}, params: 0, network: null, errors: [] }));
    v.errors.push(issue.message);
  }
  return map;
}

/** Issues shown under the canvas: those naming no node, or a node that is not there. */
export function graphIssues(report: ValidationReport | null, nodeIds: ReadonlySet<string>): Issue[] {
  return (report?.issues ?? []).filter((i) => !i.node_id || !nodeIds.has(i.node_id));
}

/** Edge id → "(·, 16)". The report numbers edges by their place in the spec; `edgeIds` are the editor's ids in
 * that order when the report was asked for. */
export function edgeLabels(report: ValidationReport | null, edgeIds: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const e of report?.edges ?? []) {
    const id = edgeIds[e.index];
    if (id !== undefined && e.shape) map.set(id, formatShape(e.shape));
  }
  return map;
}
