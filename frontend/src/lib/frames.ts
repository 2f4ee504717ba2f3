// Parsing websocket frames of the run stream: text frames hold an event's JSON (or the "replayed" marker), binary
// frames hold an image: 4 bytes big-endian header length L, L bytes of UTF-8 JSON header, then the PNG bytes.
import { isKnownType, type ImageFrame, type StreamEvent } from "./events";

export class FrameError extends Error {}

/** What one frame says. `other` is an event of a kind this client does not show: it still counts for `seq`. */
export type Frame =
  | { kind: "event"; event: StreamEvent }
  | { kind: "other"; seq: number; type: string }
  | { kind: "replayed"; lastSeq: number };

const decoder = new TextDecoder("utf-8", { fatal: true });

function classify(obj: unknown, png?: Uint8Array): Frame {
  if (!obj || typeof obj !== "object" || Array.isArray(obj)) throw new FrameError("frame is not a JSON object");
  const rec = obj as Record<string, unknown>;
  if (rec.type === "replayed" && rec.seq === undefined) {
    const lastSeq = rec.last_seq;
    if (typeof lastSeq !== "number") throw new FrameError("replayed marker without a numeric last_seq");
    return { kind: "replayed", lastSeq };
  }
  if (typeof rec.seq !== "number" || !Number.isInteger(rec.seq)) throw new FrameError("event without an integer seq");
  if (png !== undefined) {
    if (rec.type !== "image") throw new FrameError(`binary frame of type ${String(rec.type)}, expected image`);
    return { kind: "event", event: { ...(rec as Omit<ImageFrame, "png">), png } };
  }
  if (!isKnownType(rec.type) || rec.type === "image") return { kind: "other", seq: rec.seq, type: String(rec.type) };
  return { kind: "event", event: rec as unknown as StreamEvent };
}

/** A text frame: an event's JSON, or `{"type": "replayed", "last_seq": N}`. */
export function parseTextFrame(text: string): Frame {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (err) {
    throw new FrameError(`text frame is not JSON: ${(err as Error).message}`);
  }
  return classify(obj);
}

/** A binary frame: `>I` header length, the JSON header (an image event without `data`), the PNG bytes. */
export function parseBinaryFrame(buffer: ArrayBuffer): Frame {
  if (buffer.byteLength < 4) throw new FrameError(`binary frame of ${buffer.byteLength} bytes: no header length`);
  const length = new DataView(buffer).getUint32(0, false);
  if (4 + length > buffer.byteLength) {
    throw new FrameError(`binary frame header claims ${length} bytes, only ${buffer.byteLength - 4} follow`);
  }
  let obj: unknown;
  try {
    obj = JSON.parse(decoder.decode(new Uint8Array(buffer, 4, length)));
  } catch (err) {
    throw new FrameError(`binary frame header is not UTF-8 JSON: ${(err as Error).message}`);
  }
  return classify(obj, new Uint8Array(buffer, 4 + length));
}

/** The inverse of parseBinaryFrame (tests, and a reference for anyone writing a client). */
export function encodeBinaryFrame(header: object, payload: Uint8Array): ArrayBuffer {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(4 + json.length + payload.length);
  new DataView(out.buffer).setUint32(0, json.length, false);
  out.set(json, 4);
  out.set(payload, 4 + json.length);
  return out.buffer;
}
