import { describe, expect, it } from "vitest";
import type { RunDetail } from "../api";
import type { StreamEvent } from "./events";
import { RunData, type RunDataEnv } from "./runData";

function setup() {
  const queue: (() => void)[] = [];
  const made: string[] = [];
  const revoked: string[] = [];
  const env: RunDataEnv = {
    schedule: (fn) => queue.push(fn),
    createUrl: () => {
      const url = `blob:${made.length + 1}`;
      made.push(url);
      return url;
    },
    revokeUrl: (url) => revoked.push(url),
  };
  const data = new RunData(env);
  const frame = () => queue.splice(0).forEach((fn) => fn());
  return { data, queue, made, revoked, frame };
}

const image = (seq: number, key = "boundary/model"): StreamEvent => ({
  seq, t: seq, type: "image", step: seq, key, width: 4, height: 4, format: "png", png: new Uint8Array([seq]),
});

const detail = (extra: Partial<RunDetail>): RunDetail => ({
  id: 1, name: "r", status: "running", created_at: "", step: 0, total_steps: 100, message: "", spec: {} as RunDetail["spec"],
  started_at: null, finished_at: null, last_seq: 0, lr: 0.01, ...extra,
});

describe("RunData", () => {
  it("notifies once per frame however many events arrive", () => {
    const { data, queue, frame } = setup();
    let calls = 0;
    data.subscribe(() => calls++);
    for (let i = 1; i <= 50; i++) data.apply({ seq: i, t: i, type: "metrics", step: i, epoch: i / 10, values: { "train/loss": 1 / i } });
    expect(queue).toHaveLength(1);
    frame();
    expect(calls).toBe(1);
    expect(data.metrics.families.get("loss")!.x).toHaveLength(50);
    expect(data.step).toBe(50);
  });

  it("tells charts which families changed", () => {
    const { data, frame } = setup();
    const seen: string[][] = [];
    data.subscribeCharts((changed, grew) => seen.push([...changed, "|", ...grew]));
    data.apply({ seq: 1, t: 1, type: "metrics", step: 1, epoch: 0, values: { "train/loss": 1, "train/lr": 0.1 } });
    frame();
    data.apply({ seq: 2, t: 2, type: "metrics", step: 2, epoch: 0, values: { "train/loss": 0.5 } });
    frame();
    expect(seen).toEqual([["loss", "lr", "|", "loss", "lr"], ["loss", "|"]]);
    expect(data.lr).toBe(0.1);
  });

  it("makes one URL per image key per frame and revokes the old one", () => {
    const { data, made, revoked, frame } = setup();
    data.apply(image(1));
    data.apply(image(2));
    data.apply(image(3, "boundary/dense1"));
    frame();
    expect(made).toEqual(["blob:1", "blob:2"]);
    expect(data.images.get("boundary/model")!.step).toBe(2);
    data.apply(image(4));
    frame();
    expect(revoked).toEqual(["blob:1"]);
    data.dispose();
    expect(revoked.sort()).toEqual(["blob:1", "blob:2", "blob:3"]);
  });

  it("follows status events, and the run detail when it is as new", () => {
    const { data } = setup();
    data.applyDetail(detail({ status: "queued", last_seq: 0 }));
    expect(data.status).toBe("queued");
    data.apply({ seq: 1, t: 1, type: "status", status: "running", message: null, step: 0 });
    data.apply({ seq: 2, t: 2, type: "status", status: "paused", message: null, step: 10 });
    data.applyDetail(detail({ status: "running", last_seq: 1 }));
    expect(data.status).toBe("paused");
    expect(data.totalSteps).toBe(100);
    expect(data.progress).toBe(0.1);
    data.applyDetail(detail({ status: "failed", message: "worker died", last_seq: 2 }));
    expect(data.status).toBe("failed");
    expect(data.message).toBe("worker died");
  });

  it("keeps the latest histogram and table per key and logs in order", () => {
    const { data } = setup();
    data.apply({ seq: 1, t: 1, type: "histogram", step: 1, key: "weights/d", edges: [0, 1], counts: [3] });
    data.apply({ seq: 2, t: 2, type: "histogram", step: 2, key: "weights/d", edges: [0, 2], counts: [4] });
    data.apply({ seq: 3, t: 3, type: "log", level: "warning", message: "careful" });
    data.apply({ seq: 4, t: 4, type: "table", step: 2, key: "roc", columns: ["a"], rows: [[1]] });
    expect(data.histograms.get("weights/d")!.counts).toEqual([4]);
    expect(data.logs.map((l) => l.message)).toEqual(["careful"]);
    expect(data.tables.get("roc")!.rows).toEqual([[1]]);
    expect(data.lastSeq).toBe(4);
  });
});

describe("RunData.progress", () => {
  it("is unknown while the total is, and settles when the run ends", () => {
    const { data } = setup();
    expect(data.progress).toBeNull();
    data.apply({ seq: 1, t: 1, type: "status", status: "failed", message: "no GPU", step: 0 });
    expect(data.progress).toBe(0);
    data.apply({ seq: 2, t: 2, type: "status", status: "finished", message: null, step: 10 });
    expect(data.progress).toBe(1);
  });
});
