// The websocket client of one run: replays history from `since`, then follows live events; on a seq gap, a bad
// frame or a dropped connection it reconnects with since=<last seq applied>, backing off when that keeps happening.
import type { StreamEvent } from "./events";
import { FrameError, parseBinaryFrame, parseTextFrame, type Frame } from "./frames";
import { SeqTracker } from "./seq";

/** The part of the browser's WebSocket this client uses (tests pass a fake). */
export interface SocketLike {
  binaryType: BinaryType;
  onopen: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
  close(code?: number, reason?: string): void;
}

/** connecting → replaying → live; `retrying` between attempts; the rest are final. */
export type StreamState = "connecting" | "replaying" | "live" | "retrying" | "stopped" | "unauthorized" | "not-found";

export const CLOSE_UNAUTHENTICATED = 4401;
export const CLOSE_NOT_FOUND = 4404;

export interface RunStreamOptions {
  /** The websocket URL for a replay from `since`. */
  url: (since: number) => string;
  onEvent: (event: StreamEvent) => void;
  onState?: (state: StreamState, detail?: string) => void;
  /** Resume after this seq (0: the whole history). */
  since?: number;
  open?: (url: string) => SocketLike;
  /** First retry delay and the cap, in ms; doubled per consecutive failure. */
  backoff?: { initialMs: number; maxMs: number };
  /** A connection that stayed live this long forgets earlier failures (ms). */
  healthyAfterMs?: number;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/** The ws:// or wss:// URL of a run's stream on this page's host. */
export function runSocketUrl(loc: { protocol: string; host: string }, runId: string | number, since: number): string {
  const scheme = loc.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${loc.host}/ws/runs/${encodeURIComponent(String(runId))}/?since=${since}`;
}

/** Delay before retry number `failures` (1-based): initial·2^(failures−1), capped. */
export function backoffDelay(failures: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, failures - 1));
}

export class RunStream {
  private readonly seq: SeqTracker;
  private socket: SocketLike | null = null;
  private timer: unknown = null;
  private failures = 0;
  private liveSince: number | null = null;
  private stopped = false;
  private state: StreamState = "connecting";
  private readonly o: Required<Omit<RunStreamOptions, "onState" | "since">> & Pick<RunStreamOptions, "onState">;

  constructor(options: RunStreamOptions) {
    this.seq = new SeqTracker(options.since ?? 0);
    this.o = {
      open: (url) => new WebSocket(url),
      backoff: { initialMs: 500, maxMs: 15_000 },
      healthyAfterMs: 10_000,
      now: () => Date.now(),
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      ...options,
    };
  }

  /** The last seq applied: what a reconnect asks to resume after. */
  get lastSeq(): number {
    return this.seq.last;
  }

  get currentState(): StreamState {
    return this.state;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.o.clearTimer(this.timer);
    this.timer = null;
    this.drop();
    this.setState("stopped");
  }

  private setState(state: StreamState, detail?: string): void {
    this.state = state;
    this.o.onState?.(state, detail);
  }

  private connect(): void {
    this.timer = null;
    if (this.stopped) return;
    this.setState("connecting");
    const socket = this.o.open(this.o.url(this.seq.last));
    socket.binaryType = "arraybuffer";
    socket.onopen = () => this.setState("replaying");
    socket.onmessage = (ev) => this.receive(ev.data);
    socket.onerror = () => {}; // onclose follows with the code
    socket.onclose = (ev) => {
      if (socket !== this.socket) return;
      this.socket = null;
      if (ev.code === CLOSE_UNAUTHENTICATED) this.setState("unauthorized");
      else if (ev.code === CLOSE_NOT_FOUND) this.setState("not-found");
      else this.retry(`connection closed (${ev.code})`);
    };
    this.socket = socket;
  }

  /** Close the socket without its close handler reacting. */
  private drop(): void {
    const socket = this.socket;
    this.socket = null;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    try {
      socket.close(1000, "reconnecting");
    } catch {
      // already closed
    }
  }

  private retry(reason: string): void {
    this.drop();
    if (this.stopped || this.timer !== null) return;
    if (this.liveSince !== null && this.o.now() - this.liveSince >= this.o.healthyAfterMs) this.failures = 0;
    this.liveSince = null;
    this.failures += 1;
    const delay = backoffDelay(this.failures, this.o.backoff.initialMs, this.o.backoff.maxMs);
    this.setState("retrying", reason);
    this.timer = this.o.setTimer(() => this.connect(), delay);
  }

  private receive(data: unknown): void {
    let frame: Frame;
    try {
      frame = typeof data === "string" ? parseTextFrame(data) : parseBinaryFrame(data as ArrayBuffer);
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
      this.retry(err.message); // what came after it cannot be trusted to be in order: replay from the last good one
      return;
    }
    if (frame.kind === "replayed") {
      if (frame.lastSeq > this.seq.last) {
        // the server says it sent more history than arrived
        this.retry(`history ends at ${frame.lastSeq}, got ${this.seq.last}`);
        return;
      }
      this.liveSince = this.o.now();
      this.setState("live");
      return;
    }
    const seq = frame.kind === "event" ? frame.event.seq : frame.seq;
    const verdict = this.seq.accept(seq);
    if (verdict === "gap") {
      this.retry(`missed events ${this.seq.last + 1}–${seq - 1}`);
      return;
    }
    if (verdict === "next" && frame.kind === "event") this.o.onEvent(frame.event);
  }
}
