// A live uPlot chart of one metric family (loss: train vs validation; accuracy; lr…). The data stays in the run's
// arrays; the chart hears about changes once per animation frame and redraws with setData, outside React.
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { RunData } from "../lib/runData";

const HEIGHT = 220;
const SPLIT_COLOURS: Record<string, string> = { train: "#2563eb", val: "#ea580c", test: "#16a34a" };
const EXTRA_COLOURS = ["#7c3aed", "#0891b2", "#db2777", "#65a30d", "#ca8a04", "#475569", "#dc2626", "#0d9488"];

/** A series' colour: by split for the main metric (train blue, validation orange), a palette for per-class ones. */
function colour(key: string, index: number): string {
  const parts = key.split("/");
  if (parts.length <= 2 && parts[0]! in SPLIT_COLOURS) return SPLIT_COLOURS[parts[0]!]!;
  return EXTRA_COLOURS[index % EXTRA_COLOURS.length]!;
}

function seriesLabel(key: string): string {
  const [split, ...rest] = key.split("/");
  const name = split === "val" ? "validation" : split;
  return rest.length > 1 ? `${name} ${rest.slice(1).join("/")}` : (name ?? key);
}

function options(keys: readonly string[], width: number): uPlot.Options {
  return {
    width,
    height: HEIGHT,
    scales: { x: { time: false } },
    axes: [
      { label: "step", stroke: "#64748b", grid: { stroke: "#eef2f7" }, ticks: { stroke: "#e2e8f0" } },
      { stroke: "#64748b", grid: { stroke: "#eef2f7" }, ticks: { stroke: "#e2e8f0" }, size: 56 },
    ],
    cursor: { drag: { x: true, y: false } },
    legend: { live: true },
    series: [
      { label: "step" },
      ...keys.map((key, i) => {
        const detail = key.split("/").length > 2;
        return {
          label: seriesLabel(key),
          stroke: colour(key, i),
          width: detail ? 1 : 2,
          dash: detail ? [4, 3] : undefined,
          spanGaps: true,
          points: { size: 4 },
        } satisfies uPlot.Series;
      }),
    ],
  };
}

export function MetricChart({ data, family, title, testId, ended = false }: { data: RunData; family: string; title: string; testId: string; ended?: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let plot: uPlot | null = null;
    let keys: string[] = [];
    const width = () => Math.max(240, el.clientWidth || 480);
    const build = () => {
      const table = data.metrics.families.get(family);
      if (!table) return;
      plot?.destroy();
      keys = [...table.keys];
      plot = new uPlot(options(keys, width()), table.data() as uPlot.AlignedData, el);
    };
    build();
    const off = data.subscribeCharts((changed, grew) => {
      if (!changed.has(family)) return;
      const table = data.metrics.families.get(family);
      if (!table) return;
      if (!plot || grew.has(family) || table.keys.length !== keys.length) build();
      else plot.setData(table.data() as uPlot.AlignedData);
    });
    const resize = new ResizeObserver(() => plot?.setSize({ width: width(), height: HEIGHT }));
    resize.observe(el);
    return () => {
      off();
      resize.disconnect();
      plot?.destroy();
    };
  }, [data, family]);

  // the page re-renders once per animation frame with new data: the count is for tests and the curious
  const points = data.metrics.families.get(family)?.x.length ?? 0;
  const empty = points === 0;
  return (
    <figure className="chart-card" data-testid={testId} data-family={family} data-points={points}>
      <figcaption>{title}</figcaption>
      <div ref={box} className="chart-plot" />
      {empty && <p className="chart-empty">{ended ? "The run recorded no values." : "Waiting for the first step…"}</p>}
    </figure>
  );
}
