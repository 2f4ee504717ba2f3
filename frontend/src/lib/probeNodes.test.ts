import { describe, expect, it } from "vitest";
import { eligibleNodes, formatNodes, parseNodes, watchesNodes } from "./probeNodes";

describe("layers to watch", () => {
  it("parses the comma-separated list, trimming and dropping repeats", () => {
    expect(parseNodes(" conv1, conv2,,conv1 ")).toEqual(["conv1", "conv2"]);
    expect(parseNodes(undefined)).toEqual([]);
  });

  it("writes the list in graph order, and nothing for none", () => {
    expect(formatNodes(["conv2", "conv1"], ["x", "conv1", "conv2"])).toBe("conv1,conv2");
    expect(formatNodes([], ["x"])).toBeUndefined();
  });

  it("offers every node but the inputs, only to probes with a nodes param", () => {
    expect(eligibleNodes([{ id: "x", type: "input" }, { id: "lstm1", type: "lstm" }])).toEqual(["lstm1"]);
    expect(watchesNodes({ name: "feature_maps", help: "", params: [{ name: "nodes", kind: "str", default: "", help: "" }] })).toBe(true);
    expect(watchesNodes({ name: "histograms", help: "", params: [] })).toBe(false);
  });
});
