// Pause, resume and cancel a run, and change its learning rate while it trains.
import { useEffect, useState } from "react";
import { api, errorText, type RunDetail, type RunStatus } from "../api";
import { formatScalar } from "../lib/format";

const ACTIVE: readonly RunStatus[] = ["queued", "running", "paused"];

export function RunControls({
  id,
  status,
  lr,
  onDetail,
}: {
  id: string;
  status: RunStatus | null;
  lr: number | null;
  onDetail: (d: RunDetail) => void;
}) {
  const [requested, setRequested] = useState<"pause" | "resume" | "cancel" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [lrText, setLrText] = useState("");
  const [lrNote, setLrNote] = useState<string | null>(null);
  // a request is done when the status it asked for (or any other) arrives
  useEffect(() => setRequested(null), [status]);

  const active = status !== null && ACTIVE.includes(status);
  const act = async (action: "pause" | "resume" | "cancel") => {
    setError(null);
    setRequested(action);
    try {
      onDetail(await api.control(id, action));
    } catch (err) {
      setRequested(null);
      setError(errorText(err));
    }
  };
  const lrValue = Number(lrText);
  const lrValid = lrText.trim() !== "" && Number.isFinite(lrValue) && lrValue > 0;
  const setLr = async () => {
    if (!lrValid) return;
    setError(null);
    try {
      onDetail(await api.setLr(id, lrValue));
      setLrNote(`asked for ${formatScalar(lrValue)}`);
      setLrText("");
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <div className="run-controls">
      <div className="button-group">
        <button type="button" data-testid="pause-button" disabled={status !== "running" || requested !== null} onClick={() => act("pause")}>
          {requested === "pause" ? "Pausing…" : "❚❚ Pause"}
        </button>
        <button type="button" data-testid="resume-button" disabled={status !== "paused" || requested !== null} onClick={() => act("resume")}>
          {requested === "resume" ? "Resuming…" : "▶ Resume"}
        </button>
        <button type="button" className="danger-button" data-testid="cancel-button" disabled={!active || requested === "cancel"} onClick={() => act("cancel")}>
          {requested === "cancel" ? "Cancelling…" : "■ Cancel"}
        </button>
      </div>
      <form
        className="lr-control"
        onSubmit={(e) => {
          e.preventDefault();
          void setLr();
        }}
      >
        <label htmlFor="lr-input">
          learning rate <b data-testid="current-lr">{formatScalar(lr)}</b>
        </label>
        <input
          id="lr-input"
          data-testid="lr-input"
          type="number"
          step="any"
          min={0}
          placeholder={lr !== null ? formatScalar(lr) : "new rate"}
          value={lrText}
          disabled={!active}
          onChange={(e) => setLrText(e.target.value)}
        />
        <button type="submit" data-testid="lr-set" disabled={!active || !lrValid}>
          Set
        </button>
        {lrNote && <span className="muted">{lrNote}</span>}
      </form>
      {error && (
        <p className="error-text" data-testid="control-error">
          {error}
        </p>
      )}
    </div>
  );
}
