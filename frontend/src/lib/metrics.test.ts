import { describe, expect, it } from "vitest";
import { compareFamilies, metricFamily, metricNumber, MetricTable, MetricTables } from "./metrics";

describe("metricFamily", () => {
  it("groups by the name after the split", () => {
    expect(metricFamily("train/loss")).toBe("loss");
    expect(metricFamily("val/loss")).toBe("loss");
    expect(metricFamily("val/accuracy/0")).toBe("accuracy");
    expect(metricFamily("train/lr")).toBe("lr");
    expect(metricFamily("loss")).toBe("loss");
  });
  it("orders loss first", () => {
    expect(["lr", "zeta", "auc", "loss", "accuracy"].sort(compareFamilies)).toEqual(["loss", "accuracy", "auc", "lr", "zeta"]);
  });
  it("turns non-finite values into gaps", () => {
    expect(metricNumber("NaN")).toBeNull();
    expect(metricNumber("Infinity")).toBeNull();
    expect(metricNumber(0.5)).toBe(0.5);
  });
});

describe("MetricTable", () => {
  it("aligns series on steps with nulls", () => {
    const t = new MetricTable();
    t.add(1, { "train/loss": 0.9 });
    t.add(2, { "train/loss": 0.8 });
    t.add(2, { "val/loss": 0.85 });
    t.add(3, { "train/loss": 0.7 });
    expect(t.keys).toEqual(["train/loss", "val/loss"]);
    expect(t.data()).toEqual([
      [1, 2, 3],
      [0.9, 0.8, 0.7],
      [null, 0.85, null],
    ]);
    expect(t.latest("val/loss")).toBe(0.85);
  });
  it("replaces steps a resumed run repeats", () => {
    const t = new MetricTable();
    for (const s of [1, 2, 3, 4]) t.add(s, { "train/loss": s });
    t.add(3, { "train/loss": 30 });
    expect(t.x).toEqual([1, 2, 3]);
    expect(t.columns[0]).toEqual([1, 2, 30]);
  });
  it("says when a series appears", () => {
    const t = new MetricTable();
    expect(t.add(1, { a: 1 })).toBe(true);
    expect(t.add(2, { a: 2 })).toBe(false);
    expect(t.add(3, { b: 2 })).toBe(true);
  });
});

describe("MetricTables", () => {
  it("routes values to their families", () => {
    const m = new MetricTables();
    const first = m.add(15, { "train/loss": 0.6, "train/lr": 0.01, "val/accuracy": 0.5, "val/accuracy/0": "NaN" });
    expect([...first.changed].sort()).toEqual(["accuracy", "loss", "lr"]);
    expect(m.names()).toEqual(["loss", "accuracy", "lr"]);
    expect(m.families.get("accuracy")!.data()).toEqual([[15], [0.5], [null]]);
    const second = m.add(16, { "train/loss": 0.5 });
    expect([...second.changed]).toEqual(["loss"]);
    expect(second.grew.size).toBe(0);
    expect(m.latest("train/lr")).toBe(0.01);
  });
});
