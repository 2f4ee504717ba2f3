// A small bar chart of one histogram event (weights or activations of a node), drawn on a canvas.
import { useEffect, useRef } from "react";
import type { HistogramEvent } from "../generated/events";
import { formatScalar } from "../lib/format";

const W = 200;
const H = 64;

export function Histogram({ event, title, testId }: { event: HistogramEvent; title: string; testId: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = canvas.current;
    const ctx = c?.getContext("2d");
    if (!c || !ctx) return;
    const dpr = window.devicePixelRatio || 1;
    c.width = W * dpr;
    c.height = H * dpr;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    const counts = event.counts;
    const peak = Math.max(1, ...counts);
    const bar = W / Math.max(1, counts.length);
    const lo = event.edges[0] ?? 0;
    const hi = event.edges[event.edges.length - 1] ?? 1;
    // zero, where the range spans it: the eye needs it to judge a distribution's centre
    if (lo < 0 && hi > 0) {
      ctx.fillStyle = "#cbd5e1";
      ctx.fillRect(((0 - lo) / (hi - lo)) * W, 0, 1, H);
    }
    ctx.fillStyle = event.key.startsWith("weights/") ? "#6366f1" : "#0ea5e9";
    counts.forEach((n, i) => {
      const h = (n / peak) * (H - 2);
      ctx.fillRect(i * bar + 0.5, H - h, Math.max(1, bar - 1), h);
    });
  }, [event]);
  const lo = event.edges[0];
  const hi = event.edges[event.edges.length - 1];
  return (
    <figure className="histogram" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <canvas ref={canvas} style={{ width: W, height: H }} />
      <div className="histogram-range">
        <span>{formatScalar(lo)}</span>
        <span className="muted">step {event.step}</span>
        <span>{formatScalar(hi)}</span>
      </div>
    </figure>
  );
}
