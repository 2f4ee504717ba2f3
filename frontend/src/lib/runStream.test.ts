import { describe, expect, it } from "vitest";
import type { StreamEvent } from "./events";
import { encodeBinaryFrame } from "./frames";
import { backoffDelay, RunStream, runSocketUrl, type SocketLike, type StreamState } from "./runStream";

class FakeSocket implements SocketLike {
  binaryType: BinaryType = "blob";
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  closed = false;
  constructor(public url: string) {}
  close() {
    this.closed = true;
  }
  open() {
    this.onopen?.({} as Event);
  }
  send(data: string | ArrayBuffer) {
    this.onmessage?.({ data } as MessageEvent);
  }
  event(seq: number, type = "log") {
    this.send(JSON.stringify({ seq, t: seq, type, level: "info", message: `event ${seq}` }));
  }
  serverClose(code: number) {
    this.onclose?.({ code } as CloseEvent);
  }
}

function harness(since = 0) {
  const sockets: FakeSocket[] = [];
  const events: StreamEvent[] = [];
  const states: StreamState[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  let clock = 0;
  const stream = new RunStream({
    url: (s) => `ws://host/ws/runs/1/?since=${s}`,
    since,
    onEvent: (e) => events.push(e),
    onState: (s) => states.push(s),
    open: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    backoff: { initialMs: 100, maxMs: 1000 },
    healthyAfterMs: 5000,
    now: () => clock,
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => {},
  });
  const fire = () => timers.shift()!.fn();
  const tick = (ms: number) => (clock += ms);
  return { stream, sockets, events, states, timers, fire, tick, last: () => sockets[sockets.length - 1]! };
}

describe("RunStream", () => {
  it("replays, then follows live events", () => {
    const h = harness();
    h.stream.start();
    expect(h.last().url).toBe("ws://host/ws/runs/1/?since=0");
    expect(h.last().binaryType).toBe("arraybuffer");
    h.last().open();
    h.last().event(1);
    h.last().event(2);
    h.last().send('{"type":"replayed","last_seq":2}');
    h.last().event(3);
    expect(h.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(h.states).toEqual(["connecting", "replaying", "live"]);
    expect(h.stream.lastSeq).toBe(3);
  });

  it("reconnects from the last seq on a gap, without applying the gapped event", () => {
    const h = harness();
    h.stream.start();
    h.last().open();
    h.last().event(1);
    h.last().event(2);
    h.last().event(5);
    expect(h.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(h.sockets[0]!.closed).toBe(true);
    expect(h.timers).toHaveLength(1);
    h.fire();
    expect(h.last().url).toBe("ws://host/ws/runs/1/?since=2");
    h.last().open();
    h.last().event(3);
    h.last().event(4);
    h.last().event(5);
    expect(h.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it("replays again when the marker says more history was sent than arrived", () => {
    const h = harness();
    h.stream.start();
    h.last().event(1);
    h.last().send('{"type":"replayed","last_seq":3}');
    expect(h.timers).toHaveLength(1);
    h.fire();
    expect(h.last().url).toContain("since=1");
  });

  it("drops duplicates", () => {
    const h = harness();
    h.stream.start();
    h.last().event(1);
    h.last().event(1);
    h.last().event(2);
    expect(h.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(h.timers).toHaveLength(0);
  });

  it("counts events it does not show, so they make no gap", () => {
    const h = harness();
    h.stream.start();
    h.last().event(1);
    h.last().send('{"seq":2,"t":2,"type":"sparkle"}');
    h.last().event(3);
    expect(h.events.map((e) => e.seq)).toEqual([1, 3]);
    expect(h.timers).toHaveLength(0);
  });

  it("takes images from binary frames", () => {
    const h = harness();
    h.stream.start();
    const header = { seq: 1, t: 0, type: "image", step: 0, key: "boundary/model", width: 1, height: 1, format: "png" };
    h.last().send(encodeBinaryFrame(header, new Uint8Array([1, 2, 3])));
    const e = h.events[0]!;
    expect(e.type === "image" && [...e.png]).toEqual([1, 2, 3]);
  });

  it("reconnects after a dropped connection with growing delays", () => {
    const h = harness(7);
    h.stream.start();
    expect(h.last().url).toContain("since=7");
    h.last().serverClose(1006);
    expect(h.timers[0]!.ms).toBe(100);
    h.fire();
    h.last().serverClose(1006);
    expect(h.timers[0]!.ms).toBe(200);
    h.fire();
    h.last().serverClose(1011);
    expect(h.timers[0]!.ms).toBe(400);
    h.fire();
    expect(h.last().url).toContain("since=7");
  });

  it("forgets failures after a connection stayed live", () => {
    const h = harness();
    h.stream.start();
    h.last().serverClose(1006);
    h.fire();
    h.last().serverClose(1006);
    h.fire();
    h.last().send('{"type":"replayed","last_seq":0}');
    h.tick(6000);
    h.last().serverClose(1006);
    expect(h.timers[0]!.ms).toBe(100);
  });

  it("treats a bad frame like a gap", () => {
    const h = harness();
    h.stream.start();
    h.last().event(1);
    h.last().send("garbage");
    expect(h.timers).toHaveLength(1);
    h.fire();
    expect(h.last().url).toContain("since=1");
  });

  it("stops on 4401 and 4404", () => {
    for (const [code, state] of [
      [4401, "unauthorized"],
      [4404, "not-found"],
    ] as const) {
      const h = harness();
      h.stream.start();
      h.last().serverClose(code);
      expect(h.timers).toHaveLength(0);
      expect(h.states[h.states.length - 1]).toBe(state);
    }
  });

  it("does nothing after stop", () => {
    const h = harness();
    h.stream.start();
    const s = h.last();
    h.stream.stop();
    expect(s.closed).toBe(true);
    s.serverClose(1006);
    expect(h.timers).toHaveLength(0);
  });
});

describe("helpers", () => {
  it("builds ws and wss URLs", () => {
    expect(runSocketUrl({ protocol: "http:", host: "a:8000" }, 5, 0)).toBe("ws://a:8000/ws/runs/5/?since=0");
    expect(runSocketUrl({ protocol: "https:", host: "a" }, "5", 12)).toBe("wss://a/ws/runs/5/?since=12");
  });
  it("doubles the delay up to the cap", () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, 500, 10_000))).toEqual([500, 1000, 2000, 4000, 8000, 10_000]);
  });
});
