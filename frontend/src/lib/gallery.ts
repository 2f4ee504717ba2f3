// The examples gallery's cards: what a preset is at a glance (data set, layer count, the kinds of layers) and a
// thumbnail of its graph (the positions it ships with, or the automatic layout, scaled into a small box).
import type { RunSpec } from "../generated/runspec";
import { autoLayout, type XY } from "./layout";

export interface Thumbnail {
  width: number;
  height: number;
  points: { id: string; x: number; y: number; type: string }[];
  lines: { x1: number; y1: number; x2: number; y2: number }[];
}

export interface ExampleSummary {
  dataset: string;
  layers: number;
  /** The distinct layer types, in first-use order. */
  types: string[];
}

export function exampleSummary(spec: RunSpec): ExampleSummary {
  const nodes = spec.graph?.nodes ?? [];
  return {
    dataset: spec.data?.name ?? "—",
    layers: nodes.filter((n) => n.type !== "input").length,
    types: [...new Set(nodes.map((n) => n.type))],
  };
}

/** The graph scaled to fit `width`×`height` with a margin; a single node sits in the middle. */
export function thumbnail(spec: RunSpec, width = 200, height = 72, margin = 8): Thumbnail {
  const nodes = spec.graph?.nodes ?? [];
  const edges = spec.graph?.edges ?? [];
  const auto = nodes.some((n) => !n.position) ? autoLayout(nodes.map((n) => n.id), edges) : new Map<string, XY>();
  const raw = new Map(nodes.map((n) => [n.id, n.position ?? auto.get(n.id) ?? { x: 0, y: 0 }]));
  const xs = [...raw.values()].map((p) => p.x);
  const ys = [...raw.values()].map((p) => p.y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const sx = x1 > x0 ? (width - 2 * margin) / (x1 - x0) : 0;
  const sy = y1 > y0 ? (height - 2 * margin) / (y1 - y0) : 0;
  const s = Math.min(sx || Infinity, sy || Infinity);
  const scale = Number.isFinite(s) ? s : 1;
  const ox = (width - (x1 - x0) * scale) / 2;
  const oy = (height - (y1 - y0) * scale) / 2;
  const at = (id: string) => {
    const p = raw.get(id) ?? { x: x0, y: y0 };
    return { x: ox + (p.x - x0) * scale, y: oy + (p.y - y0) * scale };
  };
  const points = nodes.map((n) => ({ id: n.id, type: n.type, ...at(n.id) }));
  const lines = edges
    .filter((e) => raw.has(e.source) && raw.has(e.target))
    .map((e) => {
      const a = at(e.source);
      const b = at(e.target);
      return { x1: a.x, y1: a.y, x2: b.x, y2: b.y };
    });
  return { width, height, points, lines };
}
