// ROC curves from the `roc/<class>` table events (columns fpr, tpr): one series per class on a shared false-positive
// axis for uPlot, plus the chance diagonal, and each curve's area (AUC) for the legend.

export interface RocCurve {
  label: string;
  fpr: number[];
  tpr: number[];
}

/** A curve from a table (columns named fpr and tpr, any order); null when they are missing. */
export function rocFromTable(label: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): RocCurve | null {
  const fi = columns.indexOf("fpr");
  const ti = columns.indexOf("tpr");
  if (fi < 0 || ti < 0) return null;
  const pts = rows
    .map((r) => [Number(r[fi]), Number(r[ti])] as const)
    .filter(([f, t]) => Number.isFinite(f) && Number.isFinite(t))
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return { label, fpr: pts.map((p) => p[0]), tpr: pts.map((p) => p[1]) };
}

/** Area under the curve by the trapezoid rule, from (0, 0) to (1, 1). */
export function auc(curve: RocCurve): number {
  const xs = [0, ...curve.fpr, 1];
  const ys = [0, ...curve.tpr, 1];
  let area = 0;
  for (let i = 1; i < xs.length; i++) area += (xs[i]! - xs[i - 1]!) * (ys[i]! + ys[i - 1]!) / 2;
  return area;
}

/** The true-positive rate at `x`, read off the curve by linear interpolation between its points. */
export function tprAt(curve: RocCurve, x: number): number {
  const xs = [0, ...curve.fpr, 1];
  const ys = [0, ...curve.tpr, 1];
  let best = 0;
  for (let i = 1; i < xs.length; i++) {
    const x0 = xs[i - 1]!;
    const x1 = xs[i]!;
    if (x < x0 || x > x1) continue;
    // at a vertical jump (x0 == x1 == x) the curve's top counts
    const y = x1 === x0 ? Math.max(ys[i - 1]!, ys[i]!) : ys[i - 1]! + ((ys[i]! - ys[i - 1]!) * (x - x0)) / (x1 - x0);
    best = Math.max(best, y);
  }
  return best;
}

/** uPlot's aligned data: x = every curve's fpr values (0 and 1 included, sorted, unique), then the diagonal, then one
 * tpr series per curve. */
export function rocSeries(curves: readonly RocCurve[]): number[][] {
  const xs = [...new Set([0, 1, ...curves.flatMap((c) => c.fpr)])].sort((a, b) => a - b);
  return [xs, xs.slice(), ...curves.map((c) => xs.map((x) => tprAt(c, x)))];
}

/** A legend label: the class and its AUC to three places. */
export function rocLabel(curve: RocCurve): string {
  return `${curve.label} (AUC ${auc(curve).toFixed(3)})`;
}
