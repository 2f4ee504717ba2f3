// The editor's graph and the RunSpec, both ways: React Flow nodes and edges (plus the spec's other settings) from a
// spec, and the spec from them. Node `type` is the layer's catalog type; handles are the layer's port names.
import type { Edge, Node } from "@xyflow/react";
import type { LayerEntry } from "../api";
import type { EdgeSpec, NodeSpec, RunSpec } from "../generated/runspec";
import { specBlocks, type BlockDef } from "./blocks";
import { autoLayout, type XY } from "./layout";

/** How far right of the selected layer a clicked-in layer goes (flow pixels). */
export const NEXT_LAYER_DX = 220;

/** What a node stores: only the spec's serialisable fields (shapes and errors come from validation). */
export type LayerData = {
  params: Record<string, unknown>;
  network?: string;
  shares?: string | null;
  label?: string | null;
};

export type LayerNode = Node<LayerData>;
export type GraphEdge = Edge;

/** Everything in a RunSpec except the graph: data, loss, optimiser, schedule, epochs… */
export type RunSettings = Omit<RunSpec, "graph">;

export interface EditorGraph {
  nodes: LayerNode[];
  edges: GraphEdge[];
  settings: RunSettings;
  /** The graph's own blocks (`graph.blocks`): sub-graphs its block nodes name as their type. */
  blocks?: BlockDef[];
}

export type LayerIndex = ReadonlyMap<string, LayerEntry>;

export function layerIndex(layers: readonly LayerEntry[]): LayerIndex {
  return new Map(layers.map((l) => [l.type, l]));
}

const DEFAULT_IN = "in";
const DEFAULT_OUT = "out";

/** A layer's input ports; unknown types (not in the catalog) get one, so their edges still draw. */
export function inputPorts(layers: LayerIndex, type: string | undefined): string[] {
  const entry = type === undefined ? undefined : layers.get(type);
  return entry ? entry.inputs : [DEFAULT_IN];
}

export function outputPorts(layers: LayerIndex, type: string | undefined): string[] {
  const entry = type === undefined ? undefined : layers.get(type);
  return entry ? entry.outputs : [DEFAULT_OUT];
}

/** Whether a layer's input takes many edges (merges such as add and concat). */
export function isVariadic(layers: LayerIndex, type: string | undefined): boolean {
  return type !== undefined && (layers.get(type)?.variadic ?? false);
}

/** A readable, unique edge id: "dense1.out-relu1.in", with "#2"… when the same ports are joined twice. */
export function edgeId(
  source: string,
  sourcePort: string,
  target: string,
  targetPort: string,
  taken: ReadonlySet<string>,
): string {
  const base = `${source}.${sourcePort}-${target}.${targetPort}`;
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}#${n}`)) return `${base}#${n}`;
}

/** The smallest free id "<type><n>" for a new node (ids must start with a letter or "_"). */
export function freshNodeId(type: string, taken: ReadonlySet<string>): string {
  let base = type.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 56) || "node";
  if (!/^[A-Za-z_]/.test(base)) base = `_${base}`;
  for (let n = 1; ; n++) if (!taken.has(`${base}${n}`)) return `${base}${n}`;
}

/** Editor nodes, edges and settings from a spec. Nodes without `position` are laid out automatically. */
export function specToGraph(spec: RunSpec, layers: LayerIndex): EditorGraph {
  const { graph, ...settings } = spec;
  const specNodes = graph?.nodes ?? [];
  const specEdges = graph?.edges ?? [];
  const needsLayout = specNodes.some((n) => !n.position);
  const layout = needsLayout ? autoLayout(specNodes.map((n) => n.id), specEdges) : new Map();
  const typeOf = new Map(specNodes.map((n) => [n.id, n.type]));

  const nodes: LayerNode[] = specNodes.map((n) => {
    const data: LayerData = { params: { ...(n.params ?? {}) } };
    if (n.network !== undefined) data.network = n.network;
    if (n.shares !== undefined && n.shares !== null) data.shares = n.shares;
    if (n.label !== undefined && n.label !== null) data.label = n.label;
    return { id: n.id, type: n.type, position: n.position ?? layout.get(n.id) ?? { x: 0, y: 0 }, data };
  });

  const usedInputs = new Map<string, Set<string>>();
  const taken = new Set<string>();
  const edges: GraphEdge[] = specEdges.map((e) => {
    const sourceHandle = e.source_port ?? outputPorts(layers, typeOf.get(e.source))[0] ?? DEFAULT_OUT;
    const targetType = typeOf.get(e.target);
    const used = usedInputs.get(e.target) ?? new Set<string>();
    usedInputs.set(e.target, used);
    let targetHandle = e.target_port;
    if (!targetHandle) {
      // The spec's rule: an edge without target_port takes the next free input, in edge order.
      const ports = inputPorts(layers, targetType);
      targetHandle = isVariadic(layers, targetType) ? ports[0] : ports.find((p) => !used.has(p)) ?? ports[0];
    }
    targetHandle ??= DEFAULT_IN;
    used.add(targetHandle);
    const id = edgeId(e.source, sourceHandle, e.target, targetHandle, taken);
    taken.add(id);
    return { id, source: e.source, target: e.target, sourceHandle, targetHandle };
  });
  const blocks = specBlocks(spec);
  return blocks.length ? { nodes, edges, settings, blocks } : { nodes, edges, settings };
}

/** The spec the editor shows: settings plus the graph, ports written only where a layer has several. */
export function graphToSpec(
  nodes: readonly LayerNode[],
  edges: readonly GraphEdge[],
  settings: RunSettings,
  layers: LayerIndex,
  blocks: readonly BlockDef[] = [],
): RunSpec {
  const typeOf = new Map(nodes.map((n) => [n.id, n.type]));
  const specNodes: NodeSpec[] = nodes.map((n) => {
    const out: NodeSpec = { id: n.id, type: n.type ?? "" };
    if (Object.keys(n.data.params).length > 0) out.params = { ...n.data.params };
    if (n.data.network !== undefined) out.network = n.data.network;
    if (n.data.shares) out.shares = n.data.shares;
    if (n.data.label) out.label = n.data.label;
    out.position = { x: Math.round(n.position.x), y: Math.round(n.position.y) };
    return out;
  });
  const specEdges: EdgeSpec[] = edges.map((e) => {
    const out: EdgeSpec = { source: e.source, target: e.target };
    if (outputPorts(layers, typeOf.get(e.source)).length > 1 && e.sourceHandle) out.source_port = e.sourceHandle;
    if (inputPorts(layers, typeOf.get(e.target)).length > 1 && e.targetHandle) out.target_port = e.targetHandle;
    return out;
  });
  const { name, description, ...rest } = settings;
  const head: Partial<RunSpec> = {};
  if (name !== undefined) head.name = name;
  if (description !== undefined) head.description = description;
  const graph = { version: 1 as const, nodes: specNodes, edges: specEdges, ...(blocks.length ? { blocks: [...blocks] } : {}) };
  return { ...head, graph: graph as RunSpec["graph"], ...rest };
}

/** The spec without what only the editor uses (positions): what validation depends on. */
export function withoutLayout(spec: RunSpec): RunSpec {
  return {
    ...spec,
    graph: { ...spec.graph, nodes: spec.graph.nodes.map(({ position: _position, ...node }) => node) },
  };
}

/** Whether an edge source → target would close a cycle (target already reaches source). */
export function wouldCreateCycle(edges: readonly { source: string; target: string }[], source: string, target: string): boolean {
  if (source === target) return true;
  const out = new Map<string, string[]>();
  for (const e of edges) {
    if (!out.has(e.source)) out.set(e.source, []);
    out.get(e.source)!.push(e.target);
  }
  const seen = new Set<string>();
  const stack = [target];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === source) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(out.get(id) ?? []));
  }
  return false;
}

export interface ConnectRequest {
  source: string;
  target: string;
  sourceHandle?: string | null;
  targetHandle?: string | null;
}

/** The edges after connecting two ports, or why not. A single-edge input that is already fed is re-wired
 * (the old edge goes); merges keep every edge; the same connection twice is a no-op. */
export function connectPorts(
  edges: readonly GraphEdge[],
  c: ConnectRequest,
  typeOf: ReadonlyMap<string, string | undefined>,
  layers: LayerIndex,
): { edges: GraphEdge[]; error?: string } {
  if (c.source === c.target) return { edges: [...edges], error: "a layer cannot feed itself" };
  if (wouldCreateCycle(edges, c.source, c.target)) {
    return { edges: [...edges], error: `${c.source} → ${c.target} would make a cycle: the graph must be acyclic` };
  }
  const sourceType = typeOf.get(c.source);
  const targetType = typeOf.get(c.target);
  const sourceHandle = c.sourceHandle ?? outputPorts(layers, sourceType)[0] ?? DEFAULT_OUT;
  const targetHandle = c.targetHandle ?? inputPorts(layers, targetType)[0] ?? DEFAULT_IN;
  const same = (e: GraphEdge) => e.target === c.target && (e.targetHandle ?? DEFAULT_IN) === targetHandle;
  if (edges.some((e) => same(e) && e.source === c.source && (e.sourceHandle ?? DEFAULT_OUT) === sourceHandle)) {
    return { edges: [...edges] };
  }
  const kept = isVariadic(layers, targetType) ? [...edges] : edges.filter((e) => !same(e));
  const id = edgeId(c.source, sourceHandle, c.target, targetHandle, new Set(kept.map((e) => e.id)));
  return { edges: [...kept, { id, source: c.source, target: c.target, sourceHandle, targetHandle }] };
}

/** Rename a node everywhere it is named: its edges, nodes sharing its weights and the loss's output. */
export function renameNode(g: EditorGraph, from: string, to: string): EditorGraph {
  if (from === to) return g;
  const nodes = g.nodes.map((n) => {
    let next = n;
    if (n.id === from) next = { ...next, id: to };
    if (n.data.shares === from) next = { ...next, data: { ...next.data, shares: to } };
    return next;
  });
  const taken = new Set<string>();
  const edges = g.edges.map((e) => {
    if (e.source !== from && e.target !== from) {
      taken.add(e.id);
      return e;
    }
    const source = e.source === from ? to : e.source;
    const target = e.target === from ? to : e.target;
    const id = edgeId(source, e.sourceHandle ?? DEFAULT_OUT, target, e.targetHandle ?? DEFAULT_IN, taken);
    taken.add(id);
    return { ...e, id, source, target };
  });
  let settings = g.settings;
  if (settings.loss?.output === from) settings = { ...settings, loss: { ...settings.loss, output: to } };
  return { nodes, edges, settings };
}

/** Ids of the nodes with no outgoing edge: the graph's outputs. */
export function outputNodes(nodes: readonly { id: string }[], edges: readonly { source: string }[]): string[] {
  const feeding = new Set(edges.map((e) => e.source));
  return nodes.map((n) => n.id).filter((id) => !feeding.has(id));
}

/** The graph with a new layer, which becomes the only one selected. Dropped at `at`; else placed after the one
 * selected layer and wired to it; else at `centre`. Moved down until it covers no other node. */
export function addLayer(
  g: { nodes: readonly LayerNode[]; edges: readonly GraphEdge[] },
  type: string,
  where: { at?: XY; centre: XY },
  layers: LayerIndex,
): { nodes: LayerNode[]; edges: GraphEdge[]; id: string } {
  const id = freshNodeId(type, new Set(g.nodes.map((n) => n.id)));
  const selected = g.nodes.filter((n) => n.selected);
  const anchor = !where.at && selected.length === 1 ? selected[0] : undefined;
  let pos = where.at ?? (anchor ? { x: anchor.position.x + NEXT_LAYER_DX, y: anchor.position.y } : where.centre);
  while (g.nodes.some((n) => Math.abs(n.position.x - pos.x) < 60 && Math.abs(n.position.y - pos.y) < 50)) {
    pos = { x: pos.x, y: pos.y + 110 };
  }
  const node: LayerNode = { id, type, position: pos, data: { params: {} }, selected: true };
  const nodes = [...g.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node];
  let edges = g.edges.map((e) => (e.selected ? { ...e, selected: false } : e));
  if (anchor && outputPorts(layers, anchor.type).length > 0 && inputPorts(layers, type).length > 0) {
    const wired = connectPorts(edges, { source: anchor.id, target: id }, new Map(nodes.map((n) => [n.id, n.type])), layers);
    if (!wired.error) edges = wired.edges;
  }
  return { nodes, edges, id };
}
