// The run events as they arrive over the websocket: the generated event types with `type` always present, and
// images carrying their PNG bytes instead of base64 `data` (docs/api.md, "Websocket").
import type {
  CheckpointEvent,
  HistogramEvent,
  ImageEvent,
  LogEvent,
  MetricsEvent,
  StatusEvent,
  TableEvent,
} from "../generated/events";

/** An event with its `type` required: the schema gives it a default, the wire always sends it. */
type Typed<E extends { type?: string }> = E & { type: NonNullable<E["type"]> };

/** An image from a binary frame: the header fields plus the PNG bytes. */
export type ImageFrame = Omit<Typed<ImageEvent>, "data"> & { png: Uint8Array };

export type StreamEvent =
  | Typed<StatusEvent>
  | Typed<MetricsEvent>
  | ImageFrame
  | Typed<HistogramEvent>
  | Typed<TableEvent>
  | Typed<LogEvent>
  | Typed<CheckpointEvent>;

export type EventType = StreamEvent["type"];

const KNOWN: ReadonlySet<string> = new Set<EventType>([
  "status",
  "metrics",
  "image",
  "histogram",
  "table",
  "log",
  "checkpoint",
]);

/** Whether a frame's `type` is one this client knows how to show (newer servers may send more kinds). */
export function isKnownType(type: unknown): type is EventType {
  return typeof type === "string" && KNOWN.has(type);
}
