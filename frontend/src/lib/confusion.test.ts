import { describe, expect, it } from "vitest";
import { accuracy, cellColour, confusionFromTable, rowShare, textColour } from "./confusion";

const columns = ["true \\ predicted", "circle", "square"];
const rows = [
  ["circle", 8, 2],
  ["square", 1, 1],
];

describe("confusion matrix", () => {
  it("reads the counts and the row totals from the table", () => {
    const c = confusionFromTable(columns, rows)!;
    expect(c.classes).toEqual(["circle", "square"]);
    expect(c.counts).toEqual([
      [8, 2],
      [1, 1],
    ]);
    expect(c.totals).toEqual([10, 2]);
    expect(accuracy(c)).toBeCloseTo(9 / 12);
  });

  it("is not a matrix when rows and classes disagree", () => {
    expect(confusionFromTable(columns, [rows[0]!])).toBeNull();
  });

  it("colours by the share of the row, so a small class reads as strongly as a large one", () => {
    const c = confusionFromTable(columns, rows)!;
    expect(rowShare(c, 1, 1)).toBeCloseTo(0.5);
    expect(rowShare(c, 0, 0)).toBeCloseTo(0.8);
    const alpha = (s: string) => Number(/, ([\d.]+)\)$/.exec(s)![1]);
    expect(alpha(cellColour(0.8, true))).toBeGreaterThan(alpha(cellColour(0.5, true)));
  });

  it("draws right answers green and wrong ones red, with readable text", () => {
    expect(cellColour(0.5, true)).toMatch(/^rgba\(22, 163, 74,/);
    expect(cellColour(0.5, false)).toMatch(/^rgba\(220, 38, 38,/);
    expect(textColour(0.9)).toBe("#ffffff");
    expect(textColour(0.1)).not.toBe("#ffffff");
  });
});
