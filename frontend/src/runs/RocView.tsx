// ROC curves (tables `roc/<class>`): one line per class against the rest, the chance diagonal dashed, each class's
// AUC in the legend. Redrawn whenever a new table arrives.
import { useEffect, useMemo, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { TableEvent } from "../generated/events";
import { rocFromTable, rocLabel, rocSeries, type RocCurve } from "../lib/roc";

const SIZE = 320;
const COLOURS = ["#2563eb", "#ea580c", "#16a34a", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#ca8a04", "#475569", "#dc2626"];

export function RocView({ tables }: { tables: readonly TableEvent[] }) {
  // the page re-renders on every event: rebuild the chart only when a ROC table is new
  const signature = tables.map((t) => `${t.key}@${t.seq}`).join("|");
  const curves = useMemo(
    () => tables.map((t) => rocFromTable(t.key.slice("roc/".length), t.columns, t.rows)).filter((c): c is RocCurve => c !== null),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [signature],
  );
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || curves.length === 0) return;
    const plot = new uPlot(
      {
        width: SIZE + 80,
        height: SIZE,
        scales: { x: { time: false, range: [0, 1] }, y: { range: [0, 1] } },
        axes: [
          { label: "false-positive rate", stroke: "#64748b", grid: { stroke: "#eef2f7" } },
          { label: "true-positive rate", stroke: "#64748b", grid: { stroke: "#eef2f7" } },
        ],
        legend: { live: false },
        series: [
          { label: "fpr" },
          { label: "chance", stroke: "#94a3b8", dash: [5, 4], width: 1, points: { show: false } },
          ...curves.map((c, i) => ({ label: rocLabel(c), stroke: COLOURS[i % COLOURS.length], width: 2, points: { show: false } })),
        ],
      },
      rocSeries(curves) as uPlot.AlignedData,
      el,
    );
    return () => plot.destroy();
  }, [curves]);
  if (curves.length === 0) return null;
  const step = Math.max(...tables.map((t) => t.step));
  return (
    <section className="run-section" data-testid="view-roc" data-step={step}>
      <h2>
        ROC curves <span className="muted">step {step}</span>
      </h2>
      <div ref={box} className="roc-plot" />
    </section>
  );
}
