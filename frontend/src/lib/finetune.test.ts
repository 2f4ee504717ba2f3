import { describe, expect, it } from "vitest";
import type { LayerEntry, NamedEntry } from "../api";
import type { RunSpec } from "../generated/runspec";
import { datasetClasses, finetuneSpec, freezableNodes, headNode, initFromOf, toggleFreeze, withInitFrom } from "./finetune";

const spec: RunSpec = {
  name: "lenet",
  data: { name: "shapes" },
  graph: {
    version: 1,
    nodes: [
      { id: "x", type: "input" },
      { id: "conv1", type: "conv2d" },
      { id: "flat", type: "flatten" },
      { id: "fc", type: "dense" },
      { id: "head", type: "dense" },
    ],
    edges: [
      { source: "x", target: "conv1" },
      { source: "conv1", target: "flat" },
      { source: "flat", target: "head" },
      { source: "head", target: "fc" },
    ],
  },
};
const entry = (type: string, params: string[] = []): LayerEntry => ({
  type,
  category: "core",
  help: "",
  params: params.map((name) => ({ name, kind: "int", default: 1, help: "" })),
  inputs: ["in"],
  outputs: ["out"],
  variadic: false,
});
const layers = new Map([
  ["dense", entry("dense", ["units"])],
  ["conv2d", entry("conv2d", ["channels"])],
  ["flatten", entry("flatten")],
  ["input", entry("input")],
]);

describe("fine-tune spec", () => {
  it("keeps the graph, loads the run's checkpoint and freezes nothing", () => {
    const out = finetuneSpec(spec, 7);
    expect(initFromOf(out)).toEqual({ checkpoint: "run:7", freeze: [] });
    expect(out.graph).toBe(spec.graph);
    expect(out.name).toBe("lenet (fine-tune)");
    expect(initFromOf(spec)).toBeNull();
  });

  it("freezes and unfreezes in graph order, and can drop init_from", () => {
    const order = spec.graph.nodes.map((n) => n.id);
    let init = toggleFreeze({ checkpoint: "run:7", freeze: [] }, "fc", true, order);
    init = toggleFreeze(init, "conv1", true, order);
    expect(init.freeze).toEqual(["conv1", "fc"]);
    expect(toggleFreeze(init, "fc", false, order).freeze).toEqual(["conv1"]);
    expect("init_from" in withInitFrom(finetuneSpec(spec, 7), null)).toBe(false);
  });

  it("offers the layers with weights: by the validation's counts when known", () => {
    expect(freezableNodes(spec.graph.nodes)).toEqual(["conv1", "flat", "fc", "head"]);
    expect(freezableNodes(spec.graph.nodes, new Map([["conv1", 80], ["flat", 0], ["fc", 10], ["head", 50], ["x", 0]]))).toEqual([
      "conv1",
      "fc",
      "head",
    ]);
  });

  it("finds the head as the last layer with units in data-flow order, not listing order", () => {
    expect(headNode(spec.graph.nodes, spec.graph.edges ?? [], layers)).toBe("fc");
    expect(headNode([{ id: "x", type: "input" }], [], layers)).toBeNull();
  });

  it("counts a data set's classes from its params or its help", () => {
    const blobs: NamedEntry = { name: "blobs", help: "", params: [{ name: "classes", kind: "int", default: 3, help: "" }] };
    expect(datasetClasses(blobs)).toBe(3);
    expect(datasetClasses(blobs, { classes: 5 })).toBe(5);
    expect(datasetClasses({ name: "digits", help: "grey images, 10 classes", params: [] })).toBe(10);
    expect(datasetClasses({ name: "sine", help: "regression", params: [] })).toBeNull();
  });
});
