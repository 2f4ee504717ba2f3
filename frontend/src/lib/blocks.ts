// Blocks: a saved sub-graph used as one node (type = the block's name) with a repeat count. Catalog blocks come with
// the layer catalog (`category: "block"`, `block: {nodes, edges, output}`); a graph's own blocks live in
// `spec.graph.blocks`. Here: blocks as palette entries, the read-only expanded view, and "save as block".
import type { LayerEntry, ParamSpec } from "../api";
import type { EdgeSpec, NodeSpec, RunSpec } from "../generated/runspec";
import { autoLayout, type XY } from "./layout";

export const BLOCK_CATEGORY = "block";
/** Inner node ids in the expanded view: `<block node>__<inner node>` (never a spec id: "__" marks display). */
export const INNER_SEP = "__";

/** The inner graph of a block; parameter values may be references "$name" to the block's own params. */
export interface BlockGraph {
  nodes: NodeSpec[];
  edges: EdgeSpec[];
  output: string;
}

/** A user block as stored in `spec.graph.blocks`. */
export interface BlockDef extends BlockGraph {
  name: string;
  help?: string;
  params?: ParamSpec[];
}

/** A catalog layer entry that may be a block. */
export type MaybeBlockEntry = LayerEntry & { block?: BlockGraph };

/** The graph's own blocks (`spec.graph.blocks`), or none: read loosely, the server validates them. */
export function specBlocks(spec: RunSpec): BlockDef[] {
  const blocks = (spec.graph as { blocks?: unknown }).blocks;
  return Array.isArray(blocks) ? (blocks as BlockDef[]).filter((b) => b && typeof b.name === "string" && Array.isArray(b.nodes)) : [];
}

/** The spec with its graph's blocks replaced (the key dropped when there are none). */
export function withBlocks(spec: RunSpec, blocks: readonly BlockDef[]): RunSpec {
  const { blocks: _old, ...graph } = spec.graph as RunSpec["graph"] & { blocks?: unknown };
  return { ...spec, graph: (blocks.length ? { ...graph, blocks: [...blocks] } : graph) as RunSpec["graph"] };
}

const REPEAT: ParamSpec = { name: "repeat", kind: "int", default: 1, min: 1, max: 64, help: "How many copies of the block, one after the other." };

/** A user block as a palette entry: its inner `input` nodes are its input ports (by id), one output, its params
 * plus `repeat`. */
export function blockEntry(def: BlockDef): MaybeBlockEntry {
  const params = def.params ?? [];
  const inputs = def.nodes.filter((n) => n.type === "input").map((n) => n.id);
  return {
    type: def.name,
    category: BLOCK_CATEGORY,
    help: def.help || `your block ${def.name}`,
    params: params.some((p) => p.name === "repeat") ? params : [...params, REPEAT],
    inputs: inputs.length ? inputs : ["in"],
    outputs: ["out"],
    variadic: false,
    block: { nodes: def.nodes, edges: def.edges, output: def.output },
  };
}

/** The catalog's layers plus user blocks: the first of a name wins (the catalog, then the order given). */
export function withUserBlocks(layers: readonly LayerEntry[], blocks: readonly BlockDef[]): LayerEntry[] {
  const known = new Set(layers.map((l) => l.type));
  const out = [...layers];
  for (const b of blocks) {
    if (known.has(b.name)) continue;
    known.add(b.name);
    out.push(blockEntry(b));
  }
  return out;
}

export function blockOf(entry: LayerEntry | undefined): BlockGraph | undefined {
  const block = (entry as MaybeBlockEntry | undefined)?.block;
  return block && Array.isArray(block.nodes) && Array.isArray(block.edges) ? block : undefined;
}

/** Inner params with "$name" references replaced by the block node's value (or the block param's default). */
export function resolveParams(
  inner: Record<string, unknown> | undefined,
  outer: Record<string, unknown>,
  specs: readonly ParamSpec[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(inner ?? {})) {
    if (typeof v === "string" && v.startsWith("$")) {
      const name = v.slice(1);
      out[k] = name in outer ? outer[name] : (specs.find((p) => p.name === name)?.default ?? v);
    } else out[k] = v;
  }
  return out;
}

export interface ExpandedNode {
  id: string;
  type: string;
  /** Relative to the frame's top-left corner. */
  position: XY;
  params: Record<string, unknown>;
}

export interface Expansion {
  frame: { id: string; position: XY; width: number; height: number };
  nodes: ExpandedNode[];
  edges: { id: string; source: string; target: string; sourceHandle?: string; targetHandle?: string }[];
}

const PAD = 40;
const CARD_W = 170;
const CARD_H = 96;
const INNER_GAP_X = 210;
const INNER_GAP_Y = 120;

/** The read-only view of a block node's inner graph: a frame below the node holding the inner nodes, laid out left
 * to right by longest path (ids `<node>__<inner>`). One copy is shown whatever `repeat` is; the frame says ×n. */
export function expandBlock(
  node: { id: string; position: XY; params: Record<string, unknown> },
  block: BlockGraph,
  specs: readonly ParamSpec[],
): Expansion {
  const ids = block.nodes.map((n) => n.id);
  const layout = autoLayout(ids, block.edges);
  const xs = [...layout.values()].map((p) => (p.x / 220) * INNER_GAP_X);
  const ys = [...layout.values()].map((p) => (p.y / 120) * INNER_GAP_Y);
  const minY = ys.length ? Math.min(...ys) : 0;
  const width = (xs.length ? Math.max(...xs) : 0) + CARD_W + 2 * PAD;
  const height = (ys.length ? Math.max(...ys) - minY : 0) + CARD_H + 2 * PAD;
  const inner = (id: string) => `${node.id}${INNER_SEP}${id}`;
  const nodes = block.nodes.map((n) => {
    const p = layout.get(n.id) ?? { x: 0, y: 0 };
    return {
      id: inner(n.id),
      type: n.type,
      position: { x: PAD + (p.x / 220) * INNER_GAP_X, y: PAD + (p.y / 120) * INNER_GAP_Y - minY },
      params: resolveParams(n.params, node.params, specs),
    };
  });
  const edges = block.edges.map((e, i) => ({
    id: `${inner("edge")}${i}`,
    source: inner(e.source),
    target: inner(e.target),
    ...(e.source_port ? { sourceHandle: e.source_port } : {}),
    ...(e.target_port ? { targetHandle: e.target_port } : {}),
  }));
  return { frame: { id: inner("frame"), position: { x: node.position.x, y: node.position.y + 150 }, width, height }, nodes, edges };
}

export interface BlockSelection {
  /** The block's definition: the selected nodes (ids kept) plus an `input` node, its port, feeding the entry. */
  def: BlockDef;
  /** The selected node that feeds the block from outside (its single entry), and the one whose output leaves. */
  entry: string;
  output: string;
  /** The block's input port: the id of its inner input node. */
  port: string;
}

/** A block from selected nodes, or why not: the selection must have one node fed from outside (or an input-less
 * start) and one node whose output is used outside (or the last one); edges inside are kept, and an inner `input`
 * node (the block's port) feeds the entry. */
export function blockFromSelection(
  name: string,
  selected: readonly NodeSpec[],
  edges: readonly EdgeSpec[],
): { block?: BlockSelection; error?: string } {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) return { error: "a block name is a letter or _, then letters, digits or _" };
  if (selected.length === 0) return { error: "select the layers that make the block first" };
  const ids = new Set(selected.map((n) => n.id));
  const inside = edges.filter((e) => ids.has(e.source) && ids.has(e.target));
  const fedFromOutside = new Set(edges.filter((e) => !ids.has(e.source) && ids.has(e.target)).map((e) => e.target));
  const usedOutside = new Set(edges.filter((e) => ids.has(e.source) && !ids.has(e.target)).map((e) => e.source));
  const feedsInside = new Set(inside.map((e) => e.source));
  const fedInside = new Set(inside.map((e) => e.target));
  const entries = fedFromOutside.size ? [...fedFromOutside] : selected.map((n) => n.id).filter((id) => !fedInside.has(id));
  const outputs = usedOutside.size ? [...usedOutside] : selected.map((n) => n.id).filter((id) => !feedsInside.has(id));
  if (entries.length !== 1) return { error: `a block has one entry: ${entries.length ? entries.join(", ") : "none"} take input from outside` };
  if (outputs.length !== 1) return { error: `a block has one output: ${outputs.length ? outputs.join(", ") : "none"} feed the rest` };
  if (selected.some((n) => n.type === "input")) return { error: "an input layer cannot go inside a block" };
  const entry = entries[0]!;
  let port = "x";
  for (let k = 2; ids.has(port); k++) port = `x${k}`;
  const into = edges.find((e) => !ids.has(e.source) && e.target === entry);
  const feed: EdgeSpec = { source: port, target: entry, ...(into?.target_port ? { target_port: into.target_port } : {}) };
  const nodes: NodeSpec[] = [{ id: port, type: "input" }, ...selected.map(({ position: _p, ...n }) => n)];
  return { block: { def: { name, nodes, edges: [feed, ...inside], output: outputs[0]! }, entry, output: outputs[0]!, port } };
}

/** The graph with the selected nodes replaced by one node of the new block (at the entry's place, id = a fresh
 * `<name><n>`): edges into the entry now feed the block node, edges out of the output leave it, inside edges go. */
export function collapseIntoBlock<N extends { id: string; type?: string; position: XY; selected?: boolean; data: { params: Record<string, unknown> } }, E extends { id: string; source: string; target: string; sourceHandle?: string | null; targetHandle?: string | null }>(
  graph: { nodes: readonly N[]; edges: readonly E[] },
  sel: BlockSelection,
  makeNode: (id: string, type: string, position: XY) => N,
): { nodes: N[]; edges: E[]; id: string } {
  const ids = new Set(sel.def.nodes.filter((n) => n.id !== sel.port).map((n) => n.id));
  const taken = new Set(graph.nodes.filter((n) => !ids.has(n.id)).map((n) => n.id));
  let k = 1;
  while (taken.has(`${sel.def.name}${k}`)) k++;
  const id = `${sel.def.name}${k}`;
  const at = graph.nodes.find((n) => n.id === sel.entry)?.position ?? { x: 0, y: 0 };
  const nodes = [...graph.nodes.filter((n) => !ids.has(n.id)), makeNode(id, sel.def.name, at)];
  const edges: E[] = [];
  for (const e of graph.edges) {
    const fromIn = ids.has(e.source);
    const toIn = ids.has(e.target);
    if (fromIn && toIn) continue;
    if (toIn) edges.push({ ...e, id: `${e.source}.${e.sourceHandle ?? "out"}-${id}.${sel.port}`, target: id, targetHandle: sel.port });
    else if (fromIn) edges.push({ ...e, id: `${id}.out-${e.target}.${e.targetHandle ?? "in"}`, source: id, sourceHandle: "out" });
    else edges.push(e);
  }
  return { nodes, edges, id };
}
