import { describe, expect, it } from "vitest";
import type { LayerEntry, ParamSpec } from "../api";
import type { RunSpec } from "../generated/runspec";
import {
  blockEntry,
  blockFromSelection,
  blockOf,
  collapseIntoBlock,
  expandBlock,
  resolveParams,
  specBlocks,
  withBlocks,
  withUserBlocks,
  type BlockGraph,
} from "./blocks";

const residual: BlockGraph = {
  nodes: [
    { id: "conv1", type: "conv2d", params: { channels: "$channels", kernel: 3 } },
    { id: "relu1", type: "relu" },
    { id: "conv2", type: "conv2d", params: { channels: "$channels" } },
    { id: "skip", type: "add" },
  ],
  edges: [
    { source: "conv1", target: "relu1" },
    { source: "relu1", target: "conv2" },
    { source: "conv2", target: "skip" },
  ],
  output: "skip",
};
const channels: ParamSpec = { name: "channels", kind: "int", default: 16, help: "" };

describe("expandBlock", () => {
  const x = expandBlock({ id: "res1", position: { x: 100, y: 50 }, params: { channels: 32 } }, residual, [channels]);

  it("names inner nodes after the block node and keeps every inner edge", () => {
    expect(x.nodes.map((n) => n.id)).toEqual(["res1__conv1", "res1__relu1", "res1__conv2", "res1__skip"]);
    expect(x.edges.map((e) => [e.source, e.target])).toEqual([
      ["res1__conv1", "res1__relu1"],
      ["res1__relu1", "res1__conv2"],
      ["res1__conv2", "res1__skip"],
    ]);
  });

  it("lays the chain out left to right inside the frame, below the block node", () => {
    const xs = x.nodes.map((n) => n.position.x);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    expect(new Set(xs).size).toBe(xs.length);
    for (const n of x.nodes) {
      expect(n.position.x).toBeGreaterThan(0);
      expect(n.position.x).toBeLessThan(x.frame.width);
      expect(n.position.y).toBeLessThan(x.frame.height);
    }
    expect(x.frame.position.x).toBe(100);
    expect(x.frame.position.y).toBeGreaterThan(50);
  });

  it("fills $name references from the block node, else the block param's default", () => {
    expect(x.nodes[0]!.params).toEqual({ channels: 32, kernel: 3 });
    expect(resolveParams({ channels: "$channels" }, {}, [channels])).toEqual({ channels: 16 });
  });
});

describe("user blocks", () => {
  const spec = { graph: { version: 1, nodes: [], edges: [], blocks: [{ name: "mine", ...residual }] }, data: { name: "x" } } as unknown as RunSpec;

  it("reads and replaces spec.graph.blocks", () => {
    expect(specBlocks(spec).map((b) => b.name)).toEqual(["mine"]);
    expect("blocks" in withBlocks(spec, []).graph).toBe(false);
  });

  it("become palette entries of category block with a repeat param, after the catalog's", () => {
    const entry = blockEntry({ name: "mine", ...residual });
    expect(entry.category).toBe("block");
    expect(entry.params.map((p) => p.name)).toContain("repeat");
    expect(blockOf(entry)?.output).toBe("skip");
    const dense: LayerEntry = { type: "dense", category: "core", help: "", params: [], inputs: ["in"], outputs: ["out"], variadic: false };
    expect(withUserBlocks([dense], specBlocks(spec)).map((l) => l.type)).toEqual(["dense", "mine"]);
    // the graph's copy and the library's of one block: one palette entry
    expect(withUserBlocks([dense], [...specBlocks(spec), ...specBlocks(spec)]).map((l) => l.type)).toEqual(["dense", "mine"]);
    expect(blockOf(dense)).toBeUndefined();
  });
});

describe("blockFromSelection", () => {
  const edges = [
    { source: "x", target: "a" },
    { source: "a", target: "b" },
    { source: "b", target: "head" },
  ];

  it("takes the inside edges and finds the one entry and output", () => {
    const r = blockFromSelection("pair", [{ id: "a", type: "dense" }, { id: "b", type: "relu" }], edges);
    expect(r.error).toBeUndefined();
    expect(r.block?.port).toBe("x");
    expect(r.block?.entry).toBe("a");
    expect(r.block?.output).toBe("b");
    expect(r.block?.def.nodes.map((n) => [n.id, n.type])).toEqual([["x", "input"], ["a", "dense"], ["b", "relu"]]);
    expect(r.block?.def.edges).toEqual([{ source: "x", target: "a" }, { source: "a", target: "b" }]);
    expect(blockEntry(r.block!.def).inputs).toEqual(["x"]);
  });

  it("refuses a selection with two outputs, naming them", () => {
    const r = blockFromSelection("pair", [{ id: "a", type: "dense" }, { id: "x", type: "dense" }], [
      { source: "x", target: "c" },
      { source: "a", target: "d" },
    ]);
    expect(r.error).toMatch(/x|a/);
    expect(r.block).toBeUndefined();
  });

  it("replaces the selection by one block node wired in its place", () => {
    const sel = blockFromSelection("pair", [{ id: "a", type: "dense" }, { id: "b", type: "relu" }], edges).block!;
    const node = (id: string, type = "dense") => ({ id, type, position: { x: id.length, y: 0 }, data: { params: {} } });
    const g = collapseIntoBlock(
      { nodes: [node("x", "input"), node("a"), node("b", "relu"), node("head")], edges: edges.map((e, i) => ({ ...e, id: String(i) })) },
      sel,
      (id, type, position) => ({ id, type, position, data: { params: {} } }),
    );
    expect(g.id).toBe("pair1");
    expect(g.nodes.map((n) => n.id)).toEqual(["x", "head", "pair1"]);
    expect(g.edges.map((e) => [e.source, e.target, (e as { targetHandle?: string }).targetHandle])).toEqual([
      ["x", "pair1", "x"],
      ["pair1", "head", undefined],
    ]);
  });
});
