import { describe, expect, it } from "vitest";
import type { ParamSpec } from "../api";
import { effectiveValue, paramSummary, paramText, parseParam, withParam } from "./params";

const p = (kind: ParamSpec["kind"], extra: Partial<ParamSpec> = {}): ParamSpec => ({
  name: "v",
  kind,
  default: null,
  help: "",
  ...extra,
});

describe("parseParam", () => {
  it("reads ints and floats", () => {
    expect(parseParam(p("int"), " 16 ")).toEqual({ ok: true, value: 16 });
    expect(parseParam(p("int"), "1.5").ok).toBe(false);
    expect(parseParam(p("float"), "1e-3")).toEqual({ ok: true, value: 0.001 });
    expect(parseParam(p("float"), "abc").ok).toBe(false);
  });
  it("reads comma lists", () => {
    expect(parseParam(p("ints"), "1, 8, 8")).toEqual({ ok: true, value: [1, 8, 8] });
    expect(parseParam(p("ints"), "[-1]")).toEqual({ ok: true, value: [-1] });
    expect(parseParam(p("ints"), "1, x").ok).toBe(false);
  });
  it("empty is null only when nullable", () => {
    expect(parseParam(p("ints", { nullable: true }), "")).toEqual({ ok: true, value: null });
    expect(parseParam(p("int"), "").ok).toBe(false);
    expect(parseParam(p("str"), "")).toEqual({ ok: true, value: "" });
    expect(parseParam(p("str", { nullable: true }), "")).toEqual({ ok: true, value: null });
  });
  it("keeps values out of range for the server to name", () => {
    expect(parseParam(p("int", { min: 1 }), "0")).toEqual({ ok: true, value: 0 });
  });
  it("checks choices", () => {
    expect(parseParam(p("choice", { choices: ["a", "b"] }), "b")).toEqual({ ok: true, value: "b" });
    expect(parseParam(p("choice", { choices: ["a", "b"] }), "c").ok).toBe(false);
  });
});

describe("values", () => {
  it("falls back to the default", () => {
    const units = p("int", { name: "units", default: 16 });
    expect(effectiveValue(units, {})).toBe(16);
    expect(effectiveValue(units, { units: 4 })).toBe(4);
    expect(effectiveValue(p("ints", { name: "shape" }), { shape: null })).toBeNull();
  });
  it("shows lists and null as text", () => {
    expect(paramText(p("ints"), [1, 8, 8])).toBe("1, 8, 8");
    expect(paramText(p("ints"), null)).toBe("");
  });
  it("sets and clears", () => {
    expect(withParam({ a: 1 }, "b", 2)).toEqual({ a: 1, b: 2 });
    expect(withParam({ a: 1 }, "a", undefined)).toEqual({});
  });
  it("summarises for a card", () => {
    const specs = [p("int", { name: "units", default: 16 }), p("bool", { name: "bias", default: true })];
    expect(paramSummary(specs, {})).toBe("units 16");
    expect(paramSummary(specs, { units: 8, bias: false })).toBe("units 8 · bias false");
    expect(paramSummary([p("bool", { name: "affine", default: true })], {})).toBe("");
  });
});
