// The runs list ("/runs"): the user's runs, newest first, refreshed every 2 s.
import { useEffect, useState } from "react";
import { api, errorText, type RunSummary } from "../api";
import { formatCount, formatWhen } from "../lib/format";
import { Link, navigate } from "../router";
import { ProgressBar, StatusBadge } from "./bits";

const REFRESH_MS = 2000;

export function RunsPage() {
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const list = await api.runs();
        if (live) {
          setRuns(list);
          setError(null);
        }
      } catch (err) {
        if (live) setError(errorText(err));
      } finally {
        if (live) timer = setTimeout(tick, REFRESH_MS);
      }
    };
    void tick();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, []);

  return (
    <div className="runs-page">
      <div className="page-head">
        <h1>Runs</h1>
        <Link to="/" className="button">
          New run in the editor
        </Link>
      </div>
      {error && <p className="error-text">Cannot refresh the list: {error}</p>}
      {runs === null && !error && <p className="muted">Loading…</p>}
      {runs?.length === 0 && (
        <div className="empty-page">
          <p>No runs yet. Build a network in the <Link to="/">editor</Link> and press Train.</p>
        </div>
      )}
      {runs && runs.length > 0 && (
        <table className="data-table runs-table" data-testid="runs-table">
          <thead>
            <tr>
              <th>Run</th>
              <th>Status</th>
              <th className="wide">Progress</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => {
              const to = `/runs/${r.id}`;
              const progress = r.status === "finished" ? 1 : r.total_steps ? (r.step ?? 0) / r.total_steps : null;
              return (
                <tr key={r.id} data-testid={`run-row-${r.id}`} className="clickable" onClick={(e) => {
                  if (!(e.target as HTMLElement).closest("a")) navigate(to);
                }}>
                  <td>
                    <Link to={to} className="run-link">
                      <span className="muted">#{r.id}</span> {r.name || "untitled"}
                    </Link>
                  </td>
                  <td>
                    <StatusBadge status={r.status} />
                  </td>
                  <td className="wide">
                    <ProgressBar value={progress} />
                    <span className="progress-text">
                      {formatCount(r.step ?? 0)}
                      {r.total_steps ? ` / ${formatCount(r.total_steps)}` : ""} steps
                    </span>
                  </td>
                  <td title={r.created_at}>{formatWhen(r.created_at)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
