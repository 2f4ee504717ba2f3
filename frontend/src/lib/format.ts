// How numbers and tensor shapes read in the UI: one place, so the editor and the run pages agree.

/** A tensor shape as the user reads it: `[null, 16]` → "(·, 16)"; the batch dimension (null) is "·". */
export function formatShape(shape: readonly (number | null)[] | null | undefined): string {
  if (!shape) return "?";
  return `(${shape.map((d) => (d === null ? "·" : String(d))).join(", ")})`;
}

/** An integer with thousands separators: 1201 → "1,201". */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** "1 parameter", "1,201 parameters". */
export function formatParams(n: number): string {
  return `${formatCount(n)} ${n === 1 ? "parameter" : "parameters"}`;
}

/** A compact parameter count for node cards: 950, 12.3k, 4.5M. */
export function formatCompact(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1e6) return `${trim(n / 1e3)}k`;
  if (n < 1e9) return `${trim(n / 1e6)}M`;
  return `${trim(n / 1e9)}B`;
}

function trim(x: number): string {
  return (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)).replace(/\.?0+$/, "");
}

/** A scalar for a label: four significant digits, exponent form when tiny or huge. */
export function formatScalar(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "−∞";
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return x.toExponential(2);
  return String(Number(x.toPrecision(4)));
}

/** A date-time string from the API as a short local time ("14:03:22" today, else "25 Nov 14:03"). */
export function formatWhen(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return "–";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const sameDay = d.toDateString() === now.toDateString();
  const time = d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", second: sameDay ? "2-digit" : undefined });
  return sameDay ? time : `${d.toLocaleDateString("en-GB", { day: "numeric", month: "short" })} ${time}`;
}

/** A duration in seconds as "42 s", "3 min 5 s", "1 h 2 min". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
