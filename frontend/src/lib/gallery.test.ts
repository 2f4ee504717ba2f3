import { describe, expect, it } from "vitest";
import type { RunSpec } from "../generated/runspec";
import { exampleSummary, thumbnail } from "./gallery";

const spec: RunSpec = {
  data: { name: "shapes" },
  graph: {
    version: 1,
    nodes: [
      { id: "x", type: "input" },
      { id: "c", type: "conv2d" },
      { id: "r", type: "relu" },
      { id: "d", type: "dense" },
    ],
    edges: [
      { source: "x", target: "c" },
      { source: "c", target: "r" },
      { source: "r", target: "d" },
    ],
  },
};

describe("gallery cards", () => {
  it("summarise the data set and the layers other than inputs", () => {
    expect(exampleSummary(spec)).toEqual({ dataset: "shapes", layers: 3, types: ["input", "conv2d", "relu", "dense"] });
  });

  it("draw the graph inside the thumbnail box, one line per edge", () => {
    const t = thumbnail(spec, 200, 72, 8);
    expect(t.points).toHaveLength(4);
    expect(t.lines).toHaveLength(3);
    for (const p of t.points) {
      expect(p.x).toBeGreaterThanOrEqual(8);
      expect(p.x).toBeLessThanOrEqual(192);
      expect(p.y).toBeGreaterThanOrEqual(0);
      expect(p.y).toBeLessThanOrEqual(72);
    }
    expect(t.points[0]!.x).toBeLessThan(t.points[3]!.x);
  });
});
