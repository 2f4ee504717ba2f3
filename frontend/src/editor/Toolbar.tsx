// The editor's toolbar: templates and the examples gallery, new, my graphs, save, JSON download and upload, the
// status line and Train.
import { useEffect, useRef, useState, type ChangeEvent } from "react";
import { api, errorText, type Example, type SavedGraph } from "../api";
import type { RunSpec } from "../generated/runspec";
import { formatWhen } from "../lib/format";
import type { StatusState } from "../lib/status";
import type { SavedRef } from "./draft";

export interface ToolbarProps {
  examples: readonly Example[];
  spec: RunSpec;
  saved: SavedRef | null;
  status: { text: string; state: StatusState };
  canTrain: boolean;
  training: boolean;
  onTemplate: (name: string) => void;
  onGallery: () => void;
  onNew: () => void;
  onSave: () => void;
  onOpenGraph: (graph: SavedGraph) => void;
  onGraphDeleted: (id: SavedGraph["id"]) => void;
  onUpload: (file: File) => void;
  onTrain: () => void;
  onError: (text: string) => void;
}

export function Toolbar(p: ToolbarProps) {
  const onFile = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = ""; // the same file again is a new upload
    if (file) p.onUpload(file);
  };
  return (
    <div className="toolbar" data-testid="toolbar">
      <div className="toolbar-group">
        <select
          className="templates"
          data-testid="templates"
          value=""
          onChange={(e) => e.target.value && p.onTemplate(e.target.value)}
          aria-label="Load a template"
        >
          <option value="">Templates…</option>
          {p.examples.map((ex) => (
            <option key={ex.name} value={ex.name} title={ex.description}>
              {ex.title}
            </option>
          ))}
        </select>
        <button type="button" onClick={p.onGallery} data-testid="gallery-button" title="The examples, from the lecture's networks to your first MLP">
          Gallery
        </button>
        <button type="button" onClick={p.onNew} data-testid="new-button" title="An empty graph with the same training settings">
          New
        </button>
        <GraphsMenu saved={p.saved} onOpen={p.onOpenGraph} onDeleted={p.onGraphDeleted} onError={p.onError} />
        <button type="button" onClick={p.onSave} data-testid="save-button" title={p.saved ? `Save “${p.saved.name}” (a new name saves a copy)` : "Save to my graphs"}>
          Save
        </button>
        <button type="button" onClick={() => downloadJson(p.spec)} data-testid="download-button" title="Download the spec as JSON">
          Download
        </button>
        <label className="button" title="Open a spec from a JSON file">
          Open file…
          <input type="file" accept="application/json,.json" onChange={onFile} data-testid="upload-input" hidden />
        </label>
      </div>
      <div className={`status-line status-${p.status.state}`} data-testid="status-line" data-state={p.status.state} role="status" title={p.status.text}>
        {p.status.text}
      </div>
      <button
        type="button"
        className="primary-button train-button"
        data-testid="train-button"
        disabled={!p.canTrain || p.training}
        onClick={p.onTrain}
      >
        {p.training ? "Starting…" : "▶ Train"}
      </button>
    </div>
  );
}

function downloadJson(spec: RunSpec): void {
  const blob = new Blob([JSON.stringify(spec, null, 2) + "\n"], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = `${(spec.name || "graph").replace(/[^\w.-]+/g, "_")}.json`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function GraphsMenu({
  saved,
  onOpen,
  onDeleted,
  onError,
}: {
  saved: SavedRef | null;
  onOpen: (g: SavedGraph) => void;
  onDeleted: (id: SavedGraph["id"]) => void;
  onError: (text: string) => void;
}) {
  const [open, setOpen] = useState(false);
  const [graphs, setGraphs] = useState<SavedGraph[] | null>(null);
  const root = useRef<HTMLDivElement>(null);
  const report = useRef(onError);
  report.current = onError;

  useEffect(() => {
    if (!open) return;
    let live = true;
    api.graphs().then(
      (list) => live && setGraphs(list),
      (err: unknown) => live && report.current(`cannot list graphs: ${errorText(err)}`),
    );
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === "Escape" : !root.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", close);
    return () => {
      live = false;
      document.removeEventListener("mousedown", close);
      document.removeEventListener("keydown", close);
    };
  }, [open]);

  const load = async (id: SavedGraph["id"]) => {
    try {
      onOpen(await api.graph(id));
      setOpen(false);
    } catch (err) {
      onError(`cannot open the graph: ${errorText(err)}`);
    }
  };
  const remove = async (g: SavedGraph) => {
    try {
      await api.deleteGraph(g.id);
      setGraphs((list) => list?.filter((x) => x.id !== g.id) ?? null);
      onDeleted(g.id);
    } catch (err) {
      onError(`cannot delete “${g.name}”: ${errorText(err)}`);
    }
  };

  return (
    <div className="menu" ref={root}>
      <button type="button" onClick={() => setOpen((o) => !o)} aria-expanded={open} data-testid="graphs-button">
        My graphs ▾
      </button>
      {open && (
        <div className="menu-popover" data-testid="graphs-list">
          {graphs === null && <p className="muted">Loading…</p>}
          {graphs?.length === 0 && <p className="muted">No saved graphs yet: “Save” keeps the current one here.</p>}
          {graphs && graphs.length > 0 && (
            <ul>
              {graphs.map((g) => (
                <li key={g.id} className={saved?.id === g.id ? "current" : undefined} data-testid={`graph-${g.id}`}>
                  <button type="button" className="menu-item" onClick={() => load(g.id)} data-testid={`graph-load-${g.id}`}>
                    <span className="menu-item-name">{g.name}</span>
                    <span className="muted">{formatWhen(g.updated_at)}</span>
                  </button>
                  <button
                    type="button"
                    className="icon-button"
                    onClick={() => remove(g)}
                    title={`Delete “${g.name}”`}
                    aria-label={`Delete ${g.name}`}
                    data-testid={`graph-delete-${g.id}`}
                  >
                    ✕
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
