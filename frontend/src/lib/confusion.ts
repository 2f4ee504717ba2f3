// The confusion-matrix table event (`confusion`: columns ["true \ predicted", ...classes], one row per true class)
// as a matrix the run page colours: each cell's share of its row, so a class with few examples reads as well.

export interface Confusion {
  classes: string[];
  /** counts[true][predicted] */
  counts: number[][];
  /** Each row's total (examples of that true class). */
  totals: number[];
}

/** The matrix from the table's columns and rows; null when the table is not a confusion matrix. */
export function confusionFromTable(columns: readonly string[], rows: readonly (readonly unknown[])[]): Confusion | null {
  if (columns.length < 2) return null;
  const classes = columns.slice(1).map(String);
  const counts = rows.map((r) => classes.map((_, j) => Number(r[j + 1] ?? 0) || 0));
  if (counts.length !== classes.length) return null;
  return { classes, counts, totals: counts.map((r) => r.reduce((a, b) => a + b, 0)) };
}

/** A cell's share of its row, 0…1 (0 for an empty row). */
export function rowShare(c: Confusion, t: number, p: number): number {
  const total = c.totals[t] ?? 0;
  return total > 0 ? (c.counts[t]?.[p] ?? 0) / total : 0;
}

/** The cell colour: green on the diagonal (right), red off it (wrong), the stronger the larger the row share. */
export function cellColour(share: number, diagonal: boolean): string {
  const a = Math.max(0, Math.min(1, share));
  const [r, g, b] = diagonal ? [22, 163, 74] : [220, 38, 38];
  return `rgba(${r}, ${g}, ${b}, ${(0.08 + 0.82 * a).toFixed(3)})`;
}

/** Dark text on pale cells, white on strong ones. */
export function textColour(share: number): string {
  return share > 0.55 ? "#ffffff" : "#0f172a";
}

/** Share of all examples on the diagonal. */
export function accuracy(c: Confusion): number {
  const all = c.totals.reduce((a, b) => a + b, 0);
  return all > 0 ? c.counts.reduce((s, row, i) => s + (row[i] ?? 0), 0) / all : 0;
}
