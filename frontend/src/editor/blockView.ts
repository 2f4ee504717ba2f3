// What the canvas draws beyond the document: the expanded blocks' frames and inner layers, and a dashed link from
// each weight-sharing node to its owner. Display only: none of it reaches the spec, none of it can be selected.
import type { Edge, Node } from "@xyflow/react";
import { blockOf, expandBlock } from "../lib/blocks";
import type { GraphEdge, LayerIndex, LayerNode } from "../lib/graph";
import { inputPorts, outputPorts } from "../lib/graph";
import { BLOCK_FRAME, BLOCK_INNER, type FrameData, type InnerData } from "./BlockViews";

/** Measured sizes of the display nodes, by id: React Flow draws a node only once it knows its size. */
export type Sizes = ReadonlyMap<string, { width: number; height: number }>;

const FIXED = { draggable: false, selectable: false, connectable: false, deletable: false, focusable: false } as const;

export function displayNodes(nodes: readonly LayerNode[], expanded: ReadonlySet<string>, layers: LayerIndex, sizes: Sizes): Node[] {
  const out: Node[] = [...nodes];
  for (const n of nodes) {
    if (!expanded.has(n.id)) continue;
    const entry = layers.get(n.type ?? "");
    const block = blockOf(entry);
    if (!block || !entry) continue;
    const x = expandBlock({ id: n.id, position: n.position, params: n.data.params }, block, entry.params);
    const repeat = Number(n.data.params.repeat ?? entry.params.find((p) => p.name === "repeat")?.default ?? 1);
    out.push({
      id: x.frame.id,
      type: BLOCK_FRAME,
      position: x.frame.position,
      data: { label: `${n.id}: ${n.type} ×${repeat} (read-only)`, width: x.frame.width, height: x.frame.height } satisfies FrameData,
      style: { width: x.frame.width, height: x.frame.height },
      zIndex: -1,
      ...measured(sizes, x.frame.id),
      ...FIXED,
    });
    for (const inner of x.nodes) {
      out.push({
        id: inner.id,
        type: BLOCK_INNER,
        position: inner.position,
        parentId: x.frame.id,
        extent: "parent",
        data: { innerType: inner.type, params: inner.params } satisfies InnerData,
        ...measured(sizes, inner.id),
        ...FIXED,
      });
    }
  }
  return out;
}

export function displayEdges(
  nodes: readonly LayerNode[],
  edges: readonly GraphEdge[],
  expanded: ReadonlySet<string>,
  layers: LayerIndex,
): Edge[] {
  const out: Edge[] = [...edges];
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const n of nodes) {
    const owner = n.data.shares ? byId.get(n.data.shares) : undefined;
    if (owner) {
      out.push({
        id: `shares:${n.id}`,
        source: owner.id,
        target: n.id,
        sourceHandle: outputPorts(layers, owner.type)[0],
        targetHandle: inputPorts(layers, n.type)[0],
        type: "straight",
        className: "edge-shares",
        style: { strokeDasharray: "6 4", stroke: "#a855f7" },
        label: "shares weights",
        ...FIXED,
      });
    }
    if (!expanded.has(n.id)) continue;
    const entry = layers.get(n.type ?? "");
    const block = blockOf(entry);
    if (!block || !entry) continue;
    const x = expandBlock({ id: n.id, position: n.position, params: n.data.params }, block, entry.params);
    for (const e of x.edges) out.push({ ...e, type: "smoothstep", className: "edge-inner", ...FIXED });
  }
  return out;
}

function measured(sizes: Sizes, id: string): { measured?: { width: number; height: number } } {
  const size = sizes.get(id);
  return size ? { measured: size } : {};
}
