import { describe, expect, it } from "vitest";
import type { LayerEntry } from "../api";
import type { RunSpec } from "../generated/runspec";
import spiralJson from "../../../examples/spiral.json";
import {
  addLayer,
  connectPorts,
  freshNodeId,
  graphToSpec,
  layerIndex,
  outputNodes,
  renameNode,
  specToGraph,
  withoutLayout,
  wouldCreateCycle,
} from "./graph";
import { autoLayout } from "./layout";

const layer = (type: string, extra: Partial<LayerEntry> = {}): LayerEntry => ({
  type,
  category: "core",
  help: "",
  params: [],
  inputs: ["in"],
  variadic: false,
  outputs: ["out"],
  ...extra,
});

const layers = layerIndex([
  layer("input", { inputs: [] }),
  layer("dense"),
  layer("relu"),
  layer("sigmoid"),
  layer("concat", { variadic: true }),
  layer("split", { outputs: ["left", "right"] }),
  layer("pair", { inputs: ["a", "b"] }),
]);

const spiral = spiralJson as unknown as RunSpec;

describe("specToGraph / graphToSpec", () => {
  it("round-trips a shipped example", () => {
    const g = specToGraph(spiral, layers);
    expect(g.nodes).toHaveLength(9);
    expect(g.nodes[1]).toMatchObject({ id: "dense1", type: "dense", position: { x: 180, y: 150 }, data: { params: { units: 16 } } });
    expect(g.edges[0]).toMatchObject({ source: "x", target: "dense1", sourceHandle: "out", targetHandle: "in" });
    expect(g.settings.data.name).toBe("spiral");
    expect(graphToSpec(g.nodes, g.edges, g.settings, layers)).toEqual(spiral);
  });

  it("writes ports only for layers with several", () => {
    const spec: RunSpec = {
      data: { name: "xor" },
      graph: {
        version: 1,
        nodes: [
          { id: "x", type: "input" },
          { id: "s", type: "split" },
          { id: "p", type: "pair" },
        ],
        edges: [
          { source: "x", target: "s" },
          { source: "s", source_port: "right", target: "p", target_port: "b" },
          { source: "s", source_port: "left", target: "p" },
        ],
      },
    };
    const g = specToGraph(spec, layers);
    expect(g.edges.map((e) => `${e.sourceHandle}>${e.targetHandle}`)).toEqual(["out>in", "right>b", "left>a"]);
    const back = graphToSpec(g.nodes, g.edges, g.settings, layers).graph.edges!;
    expect(back[0]).toEqual({ source: "x", target: "s" });
    expect(back[1]).toEqual({ source: "s", source_port: "right", target: "p", target_port: "b" });
    expect(back[2]).toEqual({ source: "s", source_port: "left", target: "p", target_port: "a" });
  });

  it("lays out nodes without positions", () => {
    const spec: RunSpec = {
      data: { name: "xor" },
      graph: {
        nodes: [
          { id: "x", type: "input" },
          { id: "h", type: "dense" },
          { id: "p", type: "sigmoid" },
        ],
        edges: [
          { source: "x", target: "h" },
          { source: "h", target: "p" },
        ],
      },
    };
    const xs = specToGraph(spec, layers).nodes.map((n) => n.position.x);
    expect(xs[0]).toBeLessThan(xs[1]!);
    expect(xs[1]).toBeLessThan(xs[2]!);
  });

  it("keeps node fields and unknown layer types", () => {
    const spec: RunSpec = {
      data: { name: "xor" },
      graph: {
        version: 1,
        nodes: [
          { id: "a", type: "mystery", params: { k: 1 }, network: "generator", label: "hello", position: { x: 1, y: 2 } },
          { id: "b", type: "dense", shares: "a", position: { x: 3, y: 4 } },
        ],
        edges: [{ source: "a", target: "b" }],
      },
    };
    const g = specToGraph(spec, layers);
    expect(graphToSpec(g.nodes, g.edges, g.settings, layers)).toEqual(spec);
  });

  it("drops positions for validation", () => {
    expect(withoutLayout(spiral).graph.nodes.every((n) => n.position === undefined)).toBe(true);
  });
});

describe("connectPorts", () => {
  const g = specToGraph(spiral, layers);
  const typeOf = new Map(g.nodes.map((n) => [n.id, n.type]));
  typeOf.set("cat", "concat");

  it("refuses loops and cycles", () => {
    expect(connectPorts(g.edges, { source: "relu1", target: "relu1" }, typeOf, layers).error).toMatch(/itself/);
    expect(connectPorts(g.edges, { source: "p", target: "x" }, typeOf, layers).error).toMatch(/cycle/);
    expect(connectPorts(g.edges, { source: "p", target: "cat" }, typeOf, layers).error).toBeUndefined();
    expect(connectPorts(g.edges, { source: "relu2", target: "dense1" }, typeOf, layers).error).toMatch(/cycle/);
  });

  it("re-wires an input that takes one edge", () => {
    const { edges } = connectPorts(g.edges, { source: "x", target: "relu1", sourceHandle: "out", targetHandle: "in" }, typeOf, layers);
    expect(edges.filter((e) => e.target === "relu1").map((e) => e.source)).toEqual(["x"]);
    expect(edges).toHaveLength(g.edges.length);
  });

  it("adds many edges to a merge, in order", () => {
    let edges = connectPorts(g.edges, { source: "relu1", target: "cat" }, typeOf, layers).edges;
    edges = connectPorts(edges, { source: "relu2", target: "cat" }, typeOf, layers).edges;
    expect(edges.filter((e) => e.target === "cat").map((e) => e.source)).toEqual(["relu1", "relu2"]);
  });

  it("ignores the same connection twice", () => {
    const { edges } = connectPorts(g.edges, { source: "x", target: "dense1", sourceHandle: "out", targetHandle: "in" }, typeOf, layers);
    expect(edges.map((e) => e.id)).toEqual(g.edges.map((e) => e.id));
  });
});

describe("renameNode", () => {
  it("renames edges, shares and the loss output", () => {
    const g = specToGraph(spiral, layers);
    g.nodes.push({ id: "twin", type: "dense", position: { x: 0, y: 0 }, data: { params: {}, shares: "dense1" } });
    g.settings = { ...g.settings, loss: { ...g.settings.loss, output: "dense1" } };
    const r = renameNode(g, "dense1", "hidden");
    expect(r.nodes.map((n) => n.id)).toContain("hidden");
    expect(r.nodes.find((n) => n.id === "twin")!.data.shares).toBe("hidden");
    expect(r.edges.filter((e) => e.source === "hidden" || e.target === "hidden")).toHaveLength(2);
    expect(new Set(r.edges.map((e) => e.id)).size).toBe(r.edges.length);
    expect(r.settings.loss?.output).toBe("hidden");
  });
});

describe("helpers", () => {
  it("finds a free node id", () => {
    expect(freshNodeId("dense", new Set(["dense1", "dense2"]))).toBe("dense3");
    expect(freshNodeId("dense", new Set())).toBe("dense1");
    expect(freshNodeId("3d", new Set())).toBe("_3d1");
  });
  it("detects cycles", () => {
    const edges = [
      { source: "a", target: "b" },
      { source: "b", target: "c" },
    ];
    expect(wouldCreateCycle(edges, "c", "a")).toBe(true);
    expect(wouldCreateCycle(edges, "a", "c")).toBe(false);
  });
  it("names the outputs", () => {
    expect(outputNodes([{ id: "a" }, { id: "b" }, { id: "c" }], [{ source: "a" }])).toEqual(["b", "c"]);
  });
});

describe("autoLayout", () => {
  it("puts a merge after its deepest input", () => {
    const pos = autoLayout(["x", "a", "b", "m"], [
      { source: "x", target: "a" },
      { source: "a", target: "b" },
      { source: "x", target: "m" },
      { source: "b", target: "m" },
    ]);
    expect(pos.get("m")!.x).toBeGreaterThan(pos.get("b")!.x);
  });
  it("centres parallel branches", () => {
    const pos = autoLayout(["x", "a", "b"], [
      { source: "x", target: "a" },
      { source: "x", target: "b" },
    ]);
    expect(pos.get("a")!.y).toBe(-pos.get("b")!.y);
  });
  it("survives cycles", () => {
    const pos = autoLayout(["a", "b"], [
      { source: "a", target: "b" },
      { source: "b", target: "a" },
    ]);
    expect(pos.size).toBe(2);
  });
});

describe("addLayer", () => {
  const base = () => specToGraph(spiral, layers);

  it("goes after the selected layer and is wired to it", () => {
    const g = base();
    g.nodes = g.nodes.map((n) => (n.id === "p" ? { ...n, selected: true } : n));
    const r = addLayer(g, "dense", { centre: { x: 0, y: 0 } }, layers);
    expect(r.id).toBe("dense4");
    const added = r.nodes.find((n) => n.id === "dense4")!;
    expect(added.position).toEqual({ x: 1440 + 220, y: 150 });
    expect(r.nodes.filter((n) => n.selected).map((n) => n.id)).toEqual(["dense4"]);
    expect(r.edges.at(-1)).toMatchObject({ source: "p", target: "dense4" });
  });

  it("goes mid-view, unwired, when nothing is selected", () => {
    const r = addLayer(base(), "relu", { centre: { x: 5000, y: 5000 } }, layers);
    expect(r.nodes.at(-1)!.position).toEqual({ x: 5000, y: 5000 });
    expect(r.edges).toHaveLength(8);
  });

  it("moves off a node it would cover", () => {
    const r = addLayer(base(), "relu", { at: { x: 180, y: 150 }, centre: { x: 0, y: 0 } }, layers);
    expect(r.nodes.at(-1)!.position).toEqual({ x: 180, y: 260 });
  });

  it("wires nothing into an input layer", () => {
    const g = base();
    g.nodes = g.nodes.map((n) => (n.id === "p" ? { ...n, selected: true } : n));
    expect(addLayer(g, "input", { centre: { x: 0, y: 0 } }, layers).edges).toHaveLength(8);
  });
});
