// Scalar metrics as chart-ready columns: one table per family (loss, accuracy, lr…), aligned on the step axis the
// way uPlot wants its data ([steps, series1, series2…], null where a series has no value at a step).

export type MetricValue = number | "NaN" | "Infinity" | "-Infinity";

/** The family a metric key is charted with: "train/loss" and "val/loss" → "loss"; "val/auc/1" → "auc". */
export function metricFamily(key: string): string {
  const parts = key.split("/");
  return parts.length > 1 ? (parts[1] ?? key) : key;
}

/** A JSON metric value as a number for a chart; non-finite ones are gaps (null). */
export function metricNumber(v: MetricValue | null | undefined): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** The order families are shown in: loss first, then what people look at most. */
const FAMILY_ORDER = ["loss", "accuracy", "auc", "lr"];

export function compareFamilies(a: string, b: string): number {
  const ia = FAMILY_ORDER.indexOf(a);
  const ib = FAMILY_ORDER.indexOf(b);
  if (ia !== ib) return (ia < 0 ? FAMILY_ORDER.length : ia) - (ib < 0 ? FAMILY_ORDER.length : ib);
  return a.localeCompare(b);
}

/** One family's series, aligned on steps. `x` is strictly increasing. */
export class MetricTable {
  readonly x: number[] = [];
  readonly keys: string[] = [];
  readonly columns: (number | null)[][] = [];

  /** Add the values of one step. A step at or before the last one means a resumed run repeats steps from a
   * checkpoint: rows from that step on are replaced. Returns true when a new series appeared. */
  add(step: number, values: Record<string, number | null>): boolean {
    let grew = false;
    const last = this.x.length - 1;
    let row: number;
    if (last >= 0 && this.x[last] === step) {
      row = last;
    } else {
      if (last >= 0 && step < this.x[last]!) this.truncateFrom(step);
      this.x.push(step);
      for (const col of this.columns) col.push(null);
      row = this.x.length - 1;
    }
    for (const [key, value] of Object.entries(values)) {
      let c = this.keys.indexOf(key);
      if (c < 0) {
        c = this.keys.push(key) - 1;
        this.columns.push(new Array<number | null>(this.x.length).fill(null));
        grew = true;
      }
      this.columns[c]![row] = value;
    }
    return grew;
  }

  /** Drop every row with a step ≥ `step`. */
  private truncateFrom(step: number): void {
    let lo = 0;
    let hi = this.x.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.x[mid]! < step) lo = mid + 1;
      else hi = mid;
    }
    this.x.length = lo;
    for (const col of this.columns) col.length = lo;
  }

  /** The latest non-null value of a series. */
  latest(key: string): number | null {
    const col = this.columns[this.keys.indexOf(key)];
    if (!col) return null;
    for (let i = col.length - 1; i >= 0; i--) if (col[i] !== null && col[i] !== undefined) return col[i]!;
    return null;
  }

  /** uPlot's aligned data: [x, ...columns]. The arrays are shared, not copied. */
  data(): [number[], ...(number | null)[][]] {
    return [this.x, ...this.columns];
  }
}

/** Every family's table; `add` routes a metrics event's values and says which families changed. */
export class MetricTables {
  readonly families = new Map<string, MetricTable>();

  add(step: number, values: Record<string, MetricValue>): { changed: Set<string>; grew: Set<string> } {
    const byFamily = new Map<string, Record<string, number | null>>();
    for (const [key, raw] of Object.entries(values)) {
      const fam = metricFamily(key);
      let group = byFamily.get(fam);
      if (!group) byFamily.set(fam, (group = {}));
      group[key] = metricNumber(raw);
    }
    const changed = new Set<string>();
    const grew = new Set<string>();
    for (const [fam, group] of byFamily) {
      let table = this.families.get(fam);
      if (!table) {
        this.families.set(fam, (table = new MetricTable()));
        grew.add(fam);
      }
      if (table.add(step, group)) grew.add(fam);
      changed.add(fam);
    }
    return { changed, grew };
  }

  /** Family names in display order. */
  names(): string[] {
    return [...this.families.keys()].sort(compareFamilies);
  }

  latest(key: string): number | null {
    return this.families.get(metricFamily(key))?.latest(key) ?? null;
  }
}
