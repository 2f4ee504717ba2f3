// One run ("/runs/<id>"): its status, progress and controls, live loss curves and metrics, decision boundaries,
// histograms, tables and log. The run detail comes from the API; everything else from the websocket stream.
import { useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { api, ApiError, errorText, type RunDetail } from "../api";
import { writeDraft } from "../editor/draft";
import { finetuneSpec } from "../lib/finetune";
import { formatCount, formatDuration, formatScalar, formatWhen } from "../lib/format";
import { browserEnv, ENDED, RunData, type ImageView } from "../lib/runData";
import { RunStream, runSocketUrl, type StreamState } from "../lib/runStream";
import { Link, navigate } from "../router";
import { ProgressBar, StatusBadge } from "./bits";
import { ArchitectureViews, isViewImage, isViewTable } from "./ArchitectureViews";
import { Histogram } from "./Histogram";
import { MetricChart } from "./MetricChart";
import { RunControls } from "./RunControls";

const DETAIL_POLL_MS = 5000;
const LOG_LINES_SHOWN = 300;
const TABLE_ROWS_SHOWN = 200;

const FAMILY_TITLES: Record<string, string> = {
  loss: "Loss",
  accuracy: "Accuracy",
  auc: "ROC AUC (one class against the rest)",
  lr: "Learning rate",
};

export function RunPage({ id }: { id: string }) {
  const [data, setData] = useState<RunData | null>(null);
  const [detail, setDetail] = useState<RunDetail | null>(null);
  const [error, setError] = useState<{ text: string; missing: boolean } | null>(null);
  const [stream, setStream] = useState<{ state: StreamState; detail?: string }>({ state: "connecting" });

  useEffect(() => {
    const run = new RunData(browserEnv());
    let live = true;
    let refreshTimer: ReturnType<typeof setTimeout> | undefined;
    const refresh = () =>
      api.run(id).then(
        (d) => {
          if (!live) return;
          run.applyDetail(d);
          setDetail(d);
          setError(null);
        },
        (err: unknown) => live && setError({ text: errorText(err), missing: err instanceof ApiError && err.status === 404 }),
      );
    void refresh();
    // a status event changes total_steps and the message on the row: fetch it again, once per burst
    const offStatus = run.onStatus(() => {
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(() => void refresh(), 300);
    });
    // changes made by the server alone (a queued run cancelled, a dead worker's run failed) come with no event
    const poll = setInterval(() => {
      if (run.status === null || !ENDED.includes(run.status)) void refresh();
    }, DETAIL_POLL_MS);
    const socket = new RunStream({
      url: (since) => runSocketUrl(window.location, id, since),
      onEvent: (e) => run.apply(e),
      onState: (state, why) => {
        if (!live) return;
        setStream({ state, detail: why });
        if (state === "unauthorized") window.location.assign(`/accounts/login/?next=${encodeURIComponent(location.pathname)}`);
      },
    });
    socket.start();
    setData(run);
    return () => {
      live = false;
      clearTimeout(refreshTimer);
      clearInterval(poll);
      offStatus();
      socket.stop();
      run.dispose();
    };
  }, [id]);

  if (error?.missing || stream.state === "not-found") {
    return (
      <div className="empty-page">
        <h1>No run {id}</h1>
        <p>
          It does not exist, or it is not yours. See <Link to="/runs">your runs</Link>.
        </p>
      </div>
    );
  }
  if (!data) return null;
  return <RunView id={id} data={data} detail={detail} error={error?.text ?? null} stream={stream} />;
}

function RunView({
  id,
  data,
  detail,
  error,
  stream,
}: {
  id: string;
  data: RunData;
  detail: RunDetail | null;
  error: string | null;
  stream: { state: StreamState; detail?: string };
}) {
  useSyncExternalStore(data.subscribe, data.getVersion);
  const status = data.status;
  const nodeOrder = useMemo(() => new Map((detail?.spec?.graph?.nodes ?? []).map((n, i) => [n.id, i])), [detail?.spec]);
  const byNode = (a: string, b: string) => (nodeOrder.get(a) ?? 1e9) - (nodeOrder.get(b) ?? 1e9) || a.localeCompare(b);

  const families = data.metrics.names().filter((f) => f !== "loss");
  const images = [...data.images.values()];
  const model = data.images.get("boundary/model");
  const tiles = images.filter((i) => i.key.startsWith("boundary/") && i.key !== "boundary/model");
  tiles.sort((a, b) => byNode(a.key.slice(9), b.key.slice(9)));
  const otherImages = images.filter((i) => !i.key.startsWith("boundary/") && !isViewImage(i.key));
  const otherTables = [...data.tables.values()].filter((t) => !isViewTable(t.key));
  const histograms = [...data.histograms.values()];
  const weightHists = histograms.filter((h) => h.key.startsWith("weights/")).sort((a, b) => byNode(a.key.slice(8), b.key.slice(8)));
  const activationHists = histograms.filter((h) => h.key.startsWith("activations/")).sort((a, b) => byNode(a.key.slice(12), b.key.slice(12)));
  const otherHists = histograms.filter((h) => !h.key.startsWith("weights/") && !h.key.startsWith("activations/"));
  const progress = data.progress;
  const latestLoss = data.metrics.latest("train/loss");
  const latestVal = data.metrics.latest("val/loss");
  const started = detail?.started_at ? new Date(detail.started_at).getTime() : null;
  const finished = detail?.finished_at ? new Date(detail.finished_at).getTime() : null;

  const editCopy = () => {
    if (!detail?.spec) return;
    writeDraft({ spec: { ...detail.spec, name: `${detail.spec.name || detail.name || "run"} (copy)` }, saved: null });
    navigate("/");
  };
  const fineTune = () => {
    if (!detail?.spec) return;
    writeDraft({ spec: finetuneSpec(detail.spec, id, detail.name), saved: null });
    navigate("/");
  };

  return (
    <div className="run-page">
      <div className="run-head">
        <div className="run-title">
          <h1>
            {detail?.name || `Run ${id}`} <span className="muted">#{id}</span>
          </h1>
          <div className="run-meta muted">
            {detail && <>created {formatWhen(detail.created_at)}</>}
            {started !== null && <> · ran {formatDuration(((finished ?? Date.now()) - started) / 1000)}</>}
            {detail?.attempts !== undefined && detail.attempts > 1 && <> · attempt {detail.attempts}</>}
            {" · "}
            <span className={`stream-state stream-${stream.state}`} title={stream.detail} data-testid="stream-state">
              {streamText(stream.state)}
            </span>
          </div>
        </div>
        {status && <StatusBadge status={status} testId="run-status" />}
        <button type="button" onClick={editCopy} disabled={!detail?.spec} data-testid="edit-copy" title="Open this run's spec in the editor">
          Edit a copy
        </button>
        {status === "finished" && (
          <button
            type="button"
            onClick={fineTune}
            disabled={!detail?.spec}
            data-testid="finetune-button"
            title="Train on from this run's weights: freeze layers, swap the head, pick another data set"
          >
            Fine-tune
          </button>
        )}
      </div>

      <div className="run-progress-row">
        <ProgressBar value={progress} testId="run-progress" />
        <span className="progress-text" data-testid="run-step">
          step {formatCount(data.step)}
          {data.totalSteps ? ` / ${formatCount(data.totalSteps)}` : ""}
          {data.epoch !== null && ` · epoch ${data.epoch.toFixed(data.epoch % 1 ? 2 : 0)}`}
          {latestLoss !== null && ` · loss ${formatScalar(latestLoss)}`}
          {latestVal !== null && ` · val ${formatScalar(latestVal)}`}
        </span>
      </div>

      {data.message && (status === "failed" || status === "cancelled") && (
        <div className={`run-message${status === "failed" ? " run-message-error" : ""}`} data-testid="run-message">
          {data.message}
        </div>
      )}
      {error && <p className="error-text">Cannot refresh the run: {error}</p>}

      <RunControls id={id} status={status} lr={data.lr} onDetail={(d) => data.applyDetail(d)} />

      <div className="run-grid">
        <section className="run-charts">
          <MetricChart data={data} family="loss" title="Loss" testId="loss-chart" ended={status !== null && ENDED.includes(status)} />
          {families.map((f) => (
            <MetricChart key={f} data={data} family={f} title={FAMILY_TITLES[f] ?? f} testId={`chart-${f}`} />
          ))}
        </section>
        {(model || tiles.length > 0) && (
          <section className="run-boundary" data-testid="boundary-section">
            <h2>Decision boundary</h2>
            {model && <BoundaryImage image={model} />}
            {tiles.length > 0 && (
              <>
                <h3>Neurons of each hidden layer</h3>
                <div className="tile-grid">
                  {tiles.map((t) => (
                    <figure key={t.key} className="tile" data-testid={`boundary-tile-${t.key.slice(9)}`}>
                      <img src={t.url} alt={`responses of ${t.key.slice(9)}`} width={t.width} height={t.height} />
                      <figcaption>{t.key.slice(9)}</figcaption>
                    </figure>
                  ))}
                </div>
              </>
            )}
          </section>
        )}
      </div>

      <ArchitectureViews data={data} order={byNode} />

      {otherImages.length > 0 && (
        <section className="run-section">
          <h2>Images</h2>
          <div className="tile-grid">
            {otherImages.map((i) => (
              <figure key={i.key} className="tile tile-large" data-testid={`image-${i.key}`}>
                <img src={i.url} alt={i.key} width={i.width} height={i.height} />
                <figcaption>
                  {i.key} <span className="muted">step {i.step}</span>
                </figcaption>
              </figure>
            ))}
          </div>
        </section>
      )}

      {histograms.length > 0 && (
        <section className="run-section" data-testid="histograms">
          <h2>Histograms</h2>
          {[
            { title: "Weights", list: weightHists },
            { title: "Activations", list: activationHists },
            { title: "Other", list: otherHists },
          ].map(({ title, list }) =>
            list.length ? (
              <div key={title} className="histogram-row">
                <h3>{title}</h3>
                <div className="histogram-grid">
                  {list.map((h) => (
                    <Histogram key={h.key} event={h} title={h.key.slice(h.key.indexOf("/") + 1)} testId={`histogram-${h.key}`} />
                  ))}
                </div>
              </div>
            ) : null,
          )}
        </section>
      )}

      {otherTables.length > 0 && (
        <section className="run-section">
          <h2>Tables</h2>
          {otherTables.map((t) => (
            <div key={t.key} className="table-wrap">
              <h3>
                {t.key} <span className="muted">step {t.step}</span>
              </h3>
              <table className="data-table" data-testid={`table-${t.key}`}>
                <thead>
                  <tr>
                    {t.columns.map((c) => (
                      <th key={c}>{c}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {t.rows.slice(0, TABLE_ROWS_SHOWN).map((row, r) => (
                    <tr key={r}>
                      {row.map((cell, c) => (
                        <td key={c}>{typeof cell === "number" ? formatScalar(cell) : String(cell ?? "")}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
              {t.rows.length > TABLE_ROWS_SHOWN && <p className="muted">{t.rows.length - TABLE_ROWS_SHOWN} more rows</p>}
            </div>
          ))}
        </section>
      )}

      <section className="run-section">
        <h2>Log</h2>
        <ol className="run-log" data-testid="run-log">
          {data.logs
            .slice(-LOG_LINES_SHOWN)
            .reverse()
            .map((l) => (
              <li key={l.seq} className={`log-${l.level}`}>
                <time>{new Date(l.t * 1000).toLocaleTimeString("en-GB")}</time>
                <span>{l.message}</span>
              </li>
            ))}
          {data.logs.length === 0 && <li className="muted">Nothing logged yet.</li>}
        </ol>
      </section>

      {detail?.spec && <SpecSummary detail={detail} />}
    </div>
  );
}

function BoundaryImage({ image }: { image: ImageView }) {
  const meta = image.meta as { classes?: string[]; kind?: string; bounds?: { x: number[]; y: number[] } };
  return (
    <figure className="boundary-model">
      <img data-testid="boundary-model" src={image.url} alt="the model's prediction over the input plane" width={image.width} height={image.height} />
      <figcaption>
        <span>step {image.step}</span>
        {meta.kind === "binary" && (
          <span className="legend">
            <i className="swatch swatch-neg" /> {meta.classes?.[0] ?? "0"} <i className="swatch swatch-pos" /> {meta.classes?.[1] ?? "1"}
          </span>
        )}
        {meta.bounds && (
          <span className="muted">
            x {formatScalar(meta.bounds.x[0])}…{formatScalar(meta.bounds.x[1])}, y {formatScalar(meta.bounds.y[0])}…{formatScalar(meta.bounds.y[1])}
          </span>
        )}
      </figcaption>
    </figure>
  );
}

function SpecSummary({ detail }: { detail: RunDetail }) {
  const s = detail.spec;
  const rows: [string, string][] = [
    ["data", `${s.data.name}${s.data.params && Object.keys(s.data.params).length ? ` ${JSON.stringify(s.data.params)}` : ""}`],
    ["layers", `${s.graph.nodes.length} (${s.graph.nodes.map((n) => n.type).join(" → ")})`],
    ["loss", s.loss?.name ?? "cross_entropy"],
    ["optimiser", `${s.optimizer?.name ?? "adam"}, lr ${formatScalar(s.optimizer?.lr ?? 0.001)}`],
    ["schedule", s.schedule?.name ?? "constant"],
    ["epochs", s.epochs ? String(s.epochs) : "default"],
    ["batch size", String(s.batch_size ?? 32)],
    ["seed", String(s.seed ?? 0)],
  ];
  return (
    <section className="run-section">
      <h2>Specification</h2>
      <dl className="spec-summary">
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function streamText(state: StreamState): string {
  switch (state) {
    case "connecting":
      return "connecting…";
    case "replaying":
      return "loading history…";
    case "live":
      return "● live";
    case "retrying":
      return "reconnecting…";
    case "stopped":
      return "stopped";
    case "unauthorized":
      return "not logged in";
    case "not-found":
      return "no such run";
  }
}
