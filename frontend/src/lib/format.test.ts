import { describe, expect, it } from "vitest";
import { formatCompact, formatCount, formatDuration, formatParams, formatScalar, formatShape } from "./format";

describe("formatShape", () => {
  it("shows the batch dimension as a dot", () => {
    expect(formatShape([null, 16])).toBe("(·, 16)");
    expect(formatShape([null, 1, 8, 8])).toBe("(·, 1, 8, 8)");
  });
  it("shows a fixed shape as it is", () => {
    expect(formatShape([4, 2])).toBe("(4, 2)");
  });
  it("marks an unknown shape", () => {
    expect(formatShape(null)).toBe("?");
    expect(formatShape(undefined)).toBe("?");
  });
});

describe("counts", () => {
  it("groups thousands", () => {
    expect(formatCount(1201)).toBe("1,201");
    expect(formatParams(1201)).toBe("1,201 parameters");
    expect(formatParams(1)).toBe("1 parameter");
    expect(formatParams(0)).toBe("0 parameters");
  });
  it("abbreviates for node cards", () => {
    expect(formatCompact(950)).toBe("950");
    expect(formatCompact(12_345)).toBe("12.3k");
    expect(formatCompact(1_000)).toBe("1k");
    expect(formatCompact(4_500_000)).toBe("4.5M");
  });
});

describe("formatScalar", () => {
  it("keeps four significant digits", () => {
    expect(formatScalar(0.693147)).toBe("0.6931");
    expect(formatScalar(0.0001)).toBe("1.00e-4");
    expect(formatScalar(null)).toBe("–");
    expect(formatScalar(Infinity)).toBe("∞");
  });
});

describe("formatDuration", () => {
  it("reads naturally", () => {
    expect(formatDuration(42)).toBe("42 s");
    expect(formatDuration(185)).toBe("3 min 5 s");
    expect(formatDuration(3720)).toBe("1 h 2 min");
  });
});
