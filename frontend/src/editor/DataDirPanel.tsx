// The data panel of a data set that reads files: the data sets under the server's data root (one per parent of
// class directories, with file and event counts), one chosen with a click — users never type server paths — and a
// picture of one event of a class (its energy deposits, drawn by the server). Choosing sets `data.data_dir`.
import { useState } from "react";
import { api } from "../api";
import { formatCount } from "../lib/format";
import { emptyListingMessage, groupDataDirs, missingClasses, previewUrl, type DataDirGroup } from "../lib/dataDirs";
import { useAsync } from "../useAsync";
import "./DataDirPanel.css";

function GroupButton({ group, chosen, onChoose }: { group: DataDirGroup; chosen: boolean; onChoose: () => void }) {
  return (
    <button
      type="button"
      className={`data-dir${chosen ? " data-dir-chosen" : ""}`}
      aria-pressed={chosen}
      data-testid={`data-dir-${group.dataDir}`}
      onClick={onChoose}
      title={`data_dir = ${group.dataDir} (under the server's data root)`}
    >
      <span className="data-dir-name">{group.label}</span>
      <span className="data-dir-counts">
        {group.classes.length} classes · {formatCount(group.files)} files · {formatCount(group.events)} events
        {group.unreadable > 0 && <span className="error-text"> · {group.unreadable} unreadable</span>}
      </span>
      <span className="data-dir-classes">
        {group.classes.map((c) => (
          <span key={c.path} className="data-dir-class" title={`${c.files} files, ${c.events} events`}>
            {c.name}
          </span>
        ))}
      </span>
    </button>
  );
}

/** One event of one class directory of the chosen data set; the server refuses events past the first file's end. */
function Preview({ group }: { group: DataDirGroup }) {
  const [path, setPath] = useState(group.classes[0]?.path ?? "");
  const [event, setEvent] = useState(0);
  const [failed, setFailed] = useState<string | null>(null);
  const current = group.classes.some((c) => c.path === path) ? path : (group.classes[0]?.path ?? "");
  if (!current) return null;
  return (
    <div className="data-preview-box">
      <div className="field-row">
        <div className="field">
          <label htmlFor="data-preview-class">class</label>
          <select
            id="data-preview-class"
            data-testid="data-preview-class"
            value={current}
            onChange={(e) => {
              setPath(e.target.value);
              setEvent(0);
              setFailed(null);
            }}
          >
            {group.classes.map((c) => (
              <option key={c.path} value={c.path}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="data-preview-event">event</label>
          <input
            id="data-preview-event"
            data-testid="data-preview-event"
            type="number"
            min={0}
            value={event}
            onChange={(e) => {
              setEvent(Math.max(0, Number(e.target.value) || 0));
              setFailed(null);
            }}
          />
        </div>
      </div>
      {failed ? (
        <p className="error-text" data-testid="data-preview-error">
          {failed}
        </p>
      ) : (
        <img
          className="data-preview"
          data-testid="data-preview"
          src={previewUrl(current, event)}
          alt={`energy deposits of event ${event} in ${current}`}
          onError={() => setFailed(`No picture of event ${event} in ${current}: the first file may hold fewer events.`)}
        />
      )}
      <p className="help">ECAL from the front (x–y), ECAL from the side (x–depth), HCAL from the side; log energy.</p>
    </div>
  );
}

export function DataDirPanel({
  value,
  classes,
  onChoose,
}: {
  /** The spec's `data.data_dir`: relative to the server's data root. */
  value: string | undefined;
  /** The data set's `classes` parameter, to say which class directories a data set lacks. */
  classes: unknown;
  onChoose: (dataDir: string) => void;
}) {
  const listing = useAsync(() => api.dataDirs(), []);
  const data = listing.data;
  const groups = data ? groupDataDirs(data.dirs) : [];
  const chosen = groups.find((g) => g.dataDir === value);
  const empty = data ? emptyListingMessage(data) : null;
  const missing = chosen ? missingClasses(chosen, classes) : [];
  return (
    <div className="field data-dirs" data-testid="data-dirs">
      <label>data on the server</label>
      {listing.loading && !data && <p className="muted">Looking for data sets…</p>}
      {listing.error && (
        <p className="error-text" data-testid="data-dirs-error">
          {listing.error}
        </p>
      )}
      {empty && (
        <p className="help" data-testid="data-dirs-empty">
          {empty}
        </p>
      )}
      {groups.map((g) => (
        <GroupButton key={g.dataDir} group={g} chosen={g === chosen} onChoose={() => onChoose(g.dataDir)} />
      ))}
      {data && !chosen && groups.length > 0 && (
        <p className={value ? "error-text" : "help"} data-testid="data-dir-hint">
          {value ? `${value} is not among the server's data sets: choose one above.` : "Choose the data set to train on."}
        </p>
      )}
      {missing.length > 0 && (
        <p className="error-text" data-testid="data-dir-missing">
          No class directory for {missing.join(", ")} in {chosen?.label}: change the classes parameter or choose another data set.
        </p>
      )}
      {chosen && <Preview key={chosen.dataDir} group={chosen} />}
    </div>
  );
}
