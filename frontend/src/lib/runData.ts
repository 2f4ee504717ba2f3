// Everything a run page shows, kept outside React: events are applied as they arrive (many per frame during a
// replay), and listeners hear about them at most once per animation frame. Charts read the metric arrays directly.
import type { RunDetail, RunStatus } from "../api";
import type { HistogramEvent, LogEvent, TableEvent } from "../generated/events";
import type { ImageFrame, StreamEvent } from "./events";
import { MetricTables } from "./metrics";

export interface ImageView {
  key: string;
  url: string;
  width: number;
  height: number;
  step: number;
  meta: Record<string, unknown>;
}

/** A line of the run's log: log events, checkpoints and status changes. */
export interface LogLine {
  seq: number;
  t: number;
  level: LogEvent["level"];
  message: string;
}

export interface RunDataEnv {
  /** Run `fn` before the next paint (requestAnimationFrame in the browser). */
  schedule: (fn: () => void) => void;
  createUrl: (bytes: Uint8Array, mime: string) => string;
  revokeUrl: (url: string) => void;
}

export const ENDED: readonly RunStatus[] = ["finished", "failed", "cancelled"];
export const MAX_LOG_LINES = 2000;

export function browserEnv(): RunDataEnv {
  return {
    schedule: (fn) => requestAnimationFrame(fn),
    createUrl: (bytes, mime) => URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mime })),
    revokeUrl: (url) => URL.revokeObjectURL(url),
  };
}

export class RunData {
  status: RunStatus | null = null;
  message: string | null = null;
  step = 0;
  totalSteps: number | null = null;
  epoch: number | null = null;
  lastSeq = 0;
  /** The learning rate the server last reported (the run detail); `train/lr` metrics are fresher. */
  detailLr: number | null = null;
  readonly metrics = new MetricTables();
  readonly images = new Map<string, ImageView>();
  readonly histograms = new Map<string, HistogramEvent>();
  readonly tables = new Map<string, TableEvent>();
  readonly logs: LogLine[] = [];
  /** Bumped by each flush that changed something: the React snapshot. */
  version = 0;

  private readonly pendingImages = new Map<string, ImageFrame>();
  private changedFamilies = new Set<string>();
  private grownFamilies = new Set<string>();
  private dirty = false;
  private scheduled = false;
  private disposed = false;
  private readonly listeners = new Set<() => void>();
  private readonly chartListeners = new Set<(changed: ReadonlySet<string>, grew: ReadonlySet<string>) => void>();
  private readonly statusListeners = new Set<(status: RunStatus) => void>();

  constructor(private readonly env: RunDataEnv) {}

  get lr(): number | null {
    return this.metrics.latest("train/lr") ?? this.detailLr;
  }

  /** Share of the run done, 0…1, or null when the total is not known yet. */
  get progress(): number | null {
    if (this.status === "finished") return 1;
    if (!this.totalSteps) return this.status !== null && ENDED.includes(this.status) ? 0 : null;
    return Math.min(1, this.step / this.totalSteps);
  }

  /** What `GET /api/runs/<id>` says. Its status wins only when it is at least as new as the events applied
   * (changes made by the server alone, such as a queued run cancelled, come with no event). */
  applyDetail(d: RunDetail): void {
    if (d.total_steps !== null && d.total_steps !== undefined) this.totalSteps = d.total_steps;
    this.detailLr = d.lr ?? this.detailLr;
    if (d.last_seq >= this.lastSeq || this.status === null) {
      this.status = d.status;
      this.message = d.message || null;
      this.step = Math.max(this.step, d.step ?? 0);
    }
    this.touch();
  }

  apply(e: StreamEvent): void {
    this.lastSeq = Math.max(this.lastSeq, e.seq);
    switch (e.type) {
      case "status":
        this.status = e.status;
        this.message = e.message ?? null;
        if (e.step !== null && e.step !== undefined) this.step = e.step;
        this.log(e.seq, e.t, e.status === "failed" ? "error" : "info", `${e.status}${e.message ? `: ${e.message}` : ""}`);
        for (const l of this.statusListeners) l(e.status);
        break;
      case "metrics": {
        this.step = e.step;
        this.epoch = e.epoch;
        const { changed, grew } = this.metrics.add(e.step, e.values);
        for (const f of changed) this.changedFamilies.add(f);
        for (const f of grew) this.grownFamilies.add(f);
        break;
      }
      case "image":
        this.pendingImages.set(e.key, e); // latest wins: a replay makes one URL per key, not one per event
        break;
      case "histogram":
        this.histograms.set(e.key, e);
        break;
      case "table":
        this.tables.set(e.key, e);
        break;
      case "log":
        this.log(e.seq, e.t, e.level, e.message);
        break;
      case "checkpoint":
        this.log(e.seq, e.t, "info", `checkpoint at step ${e.step}`);
        break;
    }
    this.touch();
  }

  private log(seq: number, t: number, level: LogLine["level"], message: string): void {
    this.logs.push({ seq, t, level, message });
    if (this.logs.length > MAX_LOG_LINES) this.logs.splice(0, this.logs.length - MAX_LOG_LINES);
  }

  private touch(): void {
    this.dirty = true;
    if (this.scheduled || this.disposed) return;
    this.scheduled = true;
    this.env.schedule(() => this.flush());
  }

  /** Make image URLs and tell listeners; called once per frame. */
  flush(): void {
    this.scheduled = false;
    if (this.disposed || !this.dirty) return;
    this.dirty = false;
    for (const [key, frame] of this.pendingImages) {
      const old = this.images.get(key);
      const mime = frame.format === "png" || frame.format === undefined ? "image/png" : `image/${frame.format}`;
      this.images.set(key, {
        key,
        url: this.env.createUrl(frame.png, mime),
        width: frame.width,
        height: frame.height,
        step: frame.step,
        meta: frame.meta ?? {},
      });
      if (old) this.env.revokeUrl(old.url);
    }
    this.pendingImages.clear();
    this.version += 1;
    if (this.changedFamilies.size) {
      const changed = this.changedFamilies;
      const grew = this.grownFamilies;
      this.changedFamilies = new Set();
      this.grownFamilies = new Set();
      for (const l of this.chartListeners) l(changed, grew);
    }
    for (const l of this.listeners) l();
  }

  /** For useSyncExternalStore: called after a flush. */
  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  getVersion = (): number => this.version;

  /** Metric families whose data changed in a flush (and those that got a new series or appeared). */
  subscribeCharts(fn: (changed: ReadonlySet<string>, grew: ReadonlySet<string>) => void): () => void {
    this.chartListeners.add(fn);
    return () => this.chartListeners.delete(fn);
  }

  /** Status events as they are applied (not batched): the page refreshes the run detail on them. */
  onStatus(fn: (status: RunStatus) => void): () => void {
    this.statusListeners.add(fn);
    return () => this.statusListeners.delete(fn);
  }

  dispose(): void {
    this.disposed = true;
    for (const img of this.images.values()) this.env.revokeUrl(img.url);
    this.images.clear();
    this.pendingImages.clear();
    this.listeners.clear();
    this.chartListeners.clear();
    this.statusListeners.clear();
  }
}
