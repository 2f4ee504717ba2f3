import { describe, expect, it } from "vitest";
import type { LayerEntry } from "../api";
import { blockEntry } from "../lib/blocks";
import { layerIndex, type LayerNode } from "../lib/graph";
import { displayEdges, displayNodes } from "./blockView";

const dense: LayerEntry = { type: "dense", category: "core", help: "", params: [], inputs: ["in"], outputs: ["out"], variadic: false };
const pair = blockEntry({
  name: "pair",
  nodes: [
    { id: "x", type: "input" },
    { id: "a", type: "dense" },
  ],
  edges: [{ source: "x", target: "a" }],
  output: "a",
});
const layers = layerIndex([dense, pair]);
const node = (id: string, type: string, shares?: string): LayerNode => ({
  id,
  type,
  position: { x: 0, y: 0 },
  data: shares ? { params: {}, shares } : { params: {} },
});

describe("the canvas beyond the document", () => {
  const nodes = [node("p1", "pair"), node("d1", "dense"), node("d2", "dense", "d1")];

  it("shows nothing more while every block is collapsed", () => {
    expect(displayNodes(nodes, new Set(), layers, new Map())).toHaveLength(3);
  });

  it("adds a fixed frame and its inner layers, frame first, for an expanded block", () => {
    const shown = displayNodes(nodes, new Set(["p1"]), layers, new Map([["p1__a", { width: 150, height: 80 }]]));
    const extra = shown.slice(3);
    expect(extra.map((n) => n.id)).toEqual(["p1__frame", "p1__x", "p1__a"]);
    expect(extra.slice(1).every((n) => n.parentId === "p1__frame")).toBe(true);
    expect(extra.every((n) => n.selectable === false && n.draggable === false && n.deletable === false)).toBe(true);
    expect(extra[2]!.measured).toEqual({ width: 150, height: 80 });
  });

  it("links a sharing node to its owner with a dashed edge, and draws the inner edges", () => {
    const edges = displayEdges(nodes, [], new Set(["p1"]), layers);
    const shares = edges.find((e) => e.id === "shares:d2")!;
    expect([shares.source, shares.target]).toEqual(["d1", "d2"]);
    expect(shares.style?.strokeDasharray).toBeTruthy();
    expect(edges.filter((e) => e.className === "edge-inner").map((e) => [e.source, e.target])).toEqual([["p1__x", "p1__a"]]);
  });
});
