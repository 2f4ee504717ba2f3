import { describe, expect, it } from "vitest";
import { encodeBinaryFrame, FrameError, parseBinaryFrame, parseTextFrame } from "./frames";

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const header = { seq: 7, t: 1.5, type: "image", step: 3, key: "boundary/model", width: 2, height: 2, format: "png", meta: { kind: "binary" } };

describe("parseBinaryFrame", () => {
  it("splits the header and the PNG bytes", () => {
    const frame = parseBinaryFrame(encodeBinaryFrame(header, PNG));
    expect(frame.kind).toBe("event");
    if (frame.kind !== "event" || frame.event.type !== "image") throw new Error("not an image");
    expect(frame.event.seq).toBe(7);
    expect(frame.event.key).toBe("boundary/model");
    expect(frame.event.meta).toEqual({ kind: "binary" });
    expect([...frame.event.png]).toEqual([...PNG]);
  });

  it("reads the length big-endian", () => {
    const json = new TextEncoder().encode(JSON.stringify(header));
    const bytes = new Uint8Array(4 + json.length);
    bytes.set([0, 0, json.length >> 8, json.length & 0xff]);
    bytes.set(json, 4);
    const frame = parseBinaryFrame(bytes.buffer);
    expect(frame.kind === "event" && frame.event.type === "image" && frame.event.png.length).toBe(0);
  });

  it("decodes a UTF-8 header", () => {
    const frame = parseBinaryFrame(encodeBinaryFrame({ ...header, key: "boundary/σ-layer" }, PNG));
    expect(frame.kind === "event" && frame.event.type === "image" && frame.event.key).toBe("boundary/σ-layer");
  });

  it("refuses truncated frames", () => {
    expect(() => parseBinaryFrame(new Uint8Array([0, 0]).buffer)).toThrow(FrameError);
    const whole = new Uint8Array(encodeBinaryFrame(header, PNG));
    expect(() => parseBinaryFrame(whole.slice(0, 20).buffer)).toThrow(/header claims/);
  });

  it("refuses a header that is not an image event", () => {
    expect(() => parseBinaryFrame(encodeBinaryFrame({ seq: 1, t: 0, type: "metrics" }, PNG))).toThrow(FrameError);
    expect(() => parseBinaryFrame(encodeBinaryFrame({ type: "image" }, PNG))).toThrow(/seq/);
  });
});

describe("parseTextFrame", () => {
  it("reads an event", () => {
    const frame = parseTextFrame('{"seq":3,"t":1,"type":"metrics","step":5,"epoch":0.5,"values":{"train/loss":0.7}}');
    expect(frame).toEqual({
      kind: "event",
      event: { seq: 3, t: 1, type: "metrics", step: 5, epoch: 0.5, values: { "train/loss": 0.7 } },
    });
  });

  it("reads the replayed marker", () => {
    expect(parseTextFrame('{"type":"replayed","last_seq":42}')).toEqual({ kind: "replayed", lastSeq: 42 });
  });

  it("keeps the seq of an event kind it does not know", () => {
    expect(parseTextFrame('{"seq":9,"t":1,"type":"sparkle"}')).toEqual({ kind: "other", seq: 9, type: "sparkle" });
  });

  it("refuses what is not an event", () => {
    expect(() => parseTextFrame("not json")).toThrow(FrameError);
    expect(() => parseTextFrame("[1,2]")).toThrow(FrameError);
    expect(() => parseTextFrame('{"type":"log","message":"no seq"}')).toThrow(/seq/);
  });
});
