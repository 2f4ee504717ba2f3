// Transfer learning from a finished run: the spec of a fine-tune run (`init_from: {checkpoint: "run:<id>",
// freeze: [node ids]}`), which layers can be frozen, and "swap head": the last dense layer sized for a new data set.
import type { LayerEntry, NamedEntry } from "../api";
import type { NodeSpec, RunSpec } from "../generated/runspec";

/** Where a fine-tune run's weights come from and which of its layers stay fixed. */
export interface InitFrom {
  checkpoint: string;
  freeze: string[];
}

type WithInit = RunSpec & { init_from?: InitFrom | null };

/** The run's `init_from`, if it has one (the field arrives with the transfer-learning backend). */
export function initFromOf(spec: object): InitFrom | null {
  const v = (spec as { init_from?: unknown }).init_from as Partial<InitFrom> | null | undefined;
  if (!v || typeof v !== "object" || typeof v.checkpoint !== "string") return null;
  return { checkpoint: v.checkpoint, freeze: Array.isArray(v.freeze) ? v.freeze.filter((f) => typeof f === "string") : [] };
}

/** The checkpoint reference of a run. */
export function runCheckpoint(runId: string | number): string {
  return `run:${runId}`;
}

/** A finished run's spec, ready to fine-tune: the same graph and settings, weights from the run, nothing frozen. */
export function finetuneSpec(spec: RunSpec, runId: string | number, runName?: string | null): RunSpec {
  const base = spec.name || runName || `run ${runId}`;
  const out: WithInit = { ...spec, name: `${base} (fine-tune)`, init_from: { checkpoint: runCheckpoint(runId), freeze: [] } };
  return out;
}

/** Settings (or a spec) with `init_from` replaced; null removes it. */
export function withInitFrom<S extends object>(settings: S, init: InitFrom | null): S {
  const { init_from: _old, ...rest } = settings as S & { init_from?: unknown };
  return (init ? { ...rest, init_from: init } : rest) as S;
}

/** Freeze or unfreeze one node, keeping the graph's order. */
export function toggleFreeze(init: InitFrom, nodeId: string, frozen: boolean, order: readonly string[]): InitFrom {
  const set = new Set(init.freeze);
  if (frozen) set.add(nodeId);
  else set.delete(nodeId);
  const rank = new Map(order.map((id, i) => [id, i]));
  return { ...init, freeze: [...set].sort((a, b) => (rank.get(a) ?? 1e9) - (rank.get(b) ?? 1e9)) };
}

/** The layers that hold weights, in graph order: those the validation report gives parameters, else every node that
 * is not an input. Only they can be frozen. */
export function freezableNodes(nodes: readonly Pick<NodeSpec, "id" | "type">[], paramsOf?: ReadonlyMap<string, number>): string[] {
  return nodes
    .filter((n) => (paramsOf?.has(n.id) ? (paramsOf.get(n.id) ?? 0) > 0 : n.type !== "input"))
    .map((n) => n.id);
}

/** Ids in topological order (Kahn; ties in listing order); nodes caught in a cycle go last. */
function topoOrder(nodes: readonly { id: string }[], edges: readonly { source: string; target: string }[]): string[] {
  const indeg = new Map(nodes.map((n) => [n.id, 0]));
  for (const e of edges) if (indeg.has(e.target) && indeg.has(e.source)) indeg.set(e.target, indeg.get(e.target)! + 1);
  const order: string[] = [];
  const ready = nodes.map((n) => n.id).filter((id) => indeg.get(id) === 0);
  while (ready.length) {
    const id = ready.shift()!;
    order.push(id);
    for (const e of edges) {
      if (e.source !== id || !indeg.has(e.target)) continue;
      const left = indeg.get(e.target)! - 1;
      indeg.set(e.target, left);
      if (left === 0) ready.push(e.target);
    }
  }
  return [...order, ...nodes.map((n) => n.id).filter((id) => !order.includes(id))];
}

/** The head: the last layer, in topological order, whose type has a `units` parameter (the last dense layer). */
export function headNode(
  nodes: readonly Pick<NodeSpec, "id" | "type">[],
  edges: readonly { source: string; target: string }[],
  layers: ReadonlyMap<string, LayerEntry>,
): string | null {
  const typeOf = new Map(nodes.map((n) => [n.id, n.type]));
  const order = topoOrder(nodes, edges);
  for (let i = order.length - 1; i >= 0; i--) {
    const entry = layers.get(typeOf.get(order[i]!) ?? "");
    if (entry?.params.some((p) => p.name === "units")) return order[i]!;
  }
  return null;
}

/** How many classes a data set has, as far as the catalog tells: a declared `num_classes`, its `classes`
 * parameter (set or default), or "N classes" in its help. Null when unknown: the user types it. */
export function datasetClasses(entry: (NamedEntry & { num_classes?: number | null }) | undefined, params?: Record<string, unknown>): number | null {
  if (!entry) return null;
  if (typeof entry.num_classes === "number") return entry.num_classes;
  const p = entry.params.find((q) => q.name === "classes" || q.name === "num_classes");
  if (p) {
    const v = params?.[p.name] ?? p.default;
    if (typeof v === "number") return v;
  }
  const m = /(\d+) classes/.exec(entry.help);
  return m ? Number(m[1]) : null;
}
