import { describe, expect, it } from "vitest";
import { auc, rocFromTable, rocLabel, rocSeries, tprAt } from "./roc";

const perfect = rocFromTable("a", ["fpr", "tpr"], [
  [0, 0],
  [0, 1],
  [1, 1],
])!;
const chance = rocFromTable("b", ["tpr", "fpr"], [
  [0.5, 0.5],
  [0, 0],
])!;

describe("ROC curves", () => {
  it("reads fpr and tpr by column name and sorts by fpr", () => {
    expect(chance.fpr).toEqual([0, 0.5]);
    expect(chance.tpr).toEqual([0, 0.5]);
    expect(rocFromTable("c", ["x", "y"], [])).toBeNull();
  });

  it("measures the area: 1 for a perfect classifier, 0.5 for chance", () => {
    expect(auc(perfect)).toBeCloseTo(1);
    expect(auc(chance)).toBeCloseTo(0.5);
  });

  it("puts every curve on one fpr axis, with the diagonal second", () => {
    const [xs, diag, a, b] = rocSeries([perfect, chance]);
    expect(xs).toEqual([0, 0.5, 1]);
    expect(diag).toEqual(xs);
    expect(a).toEqual([1, 1, 1]);
    expect(b).toEqual([0, 0.5, 1]);
  });

  it("takes the top of a vertical jump and interpolates between points", () => {
    expect(tprAt(perfect, 0)).toBe(1);
    expect(tprAt(chance, 0.25)).toBeCloseTo(0.25);
  });

  it("puts the AUC in the legend label", () => {
    expect(rocLabel(chance)).toBe("b (AUC 0.500)");
  });
});
