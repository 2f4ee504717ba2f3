// The inspector of the selected layer: its id, network role, weight sharing, label and parameters (a form
// generated from the catalog), with what validation says about it.
import { useEffect, useState, type CSSProperties } from "react";
import type { LayerEntry } from "../api";
import { categoryHue } from "../catalog";
import { formatParams, formatShape } from "../lib/format";
import type { GraphEdge, LayerData, LayerNode } from "../lib/graph";
import { NODE_ID_PATTERN } from "../specSchema";
import type { NodeVerdict } from "./context";
import { ParamForm } from "./ParamForm";

export interface NodePanelProps {
  node: LayerNode;
  entry: LayerEntry | undefined;
  verdict: NodeVerdict | undefined;
  /** Roles of the program's networks; a choice only when there are several. */
  roles: readonly string[];
  /** Other nodes of the same type, whose weights this one could share. */
  shareCandidates: readonly string[];
  takenIds: ReadonlySet<string>;
  onData: (id: string, update: (data: LayerData) => LayerData) => void;
  onRename: (from: string, to: string) => void;
  onDelete: (id: string) => void;
}

export function NodePanel({ node, entry, verdict, roles, shareCandidates, takenIds, onData, onRename, onDelete }: NodePanelProps) {
  const [idText, setIdText] = useState(node.id);
  useEffect(() => setIdText(node.id), [node.id]);
  const idError =
    idText === node.id
      ? null
      : !NODE_ID_PATTERN.test(idText)
        ? "a letter or _, then letters, digits, _ or - (at most 64)"
        : takenIds.has(idText)
          ? `another node is called ${idText}`
          : null;
  const commitId = () => {
    if (idText !== node.id && !idError) onRename(node.id, idText);
  };
  const set = (update: (d: LayerData) => LayerData) => onData(node.id, update);
  const network = node.data.network ?? "model";

  return (
    <section className="panel node-panel" data-testid="node-panel" style={{ "--node-hue": categoryHue(entry?.category) } as CSSProperties}>
      <header className="node-panel-head">
        <span className="node-panel-type">{node.type}</span>
        <span className="muted">{entry?.category ?? "not in the catalog"}</span>
      </header>
      {entry?.help && <p className="help">{entry.help}</p>}

      <div className={`field${idError ? " field-invalid" : ""}`}>
        <label htmlFor="node-id">id</label>
        <input
          id="node-id"
          data-testid="node-id-input"
          value={idText}
          spellCheck={false}
          onChange={(e) => setIdText(e.target.value)}
          onBlur={commitId}
          onKeyDown={(e) => {
            if (e.key === "Enter") commitId();
            if (e.key === "Escape") setIdText(node.id);
          }}
        />
        {idError && <div className="field-error">{idError}</div>}
      </div>

      {(roles.length > 1 || network !== "model") && (
        <div className="field">
          <label htmlFor="node-network">network</label>
          <select
            id="node-network"
            data-testid="node-network"
            value={network}
            onChange={(e) => set((d) => ({ ...d, network: e.target.value }))}
          >
            {[...new Set([...roles, network])].map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
      )}

      {(shareCandidates.length > 0 || node.data.shares) && (
        <div className="field" title="Run the module of another node of the same type: one set of weights, trained by both.">
          <label htmlFor="node-shares">shares weights with</label>
          <select
            id="node-shares"
            data-testid="node-shares"
            value={node.data.shares ?? ""}
            onChange={(e) =>
              set((d) => {
                const { shares: _old, ...rest } = d;
                return e.target.value ? { ...rest, shares: e.target.value } : rest;
              })
            }
          >
            <option value="">— its own weights —</option>
            {[...new Set([...shareCandidates, ...(node.data.shares ? [node.data.shares] : [])])].map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        </div>
      )}

      <div className="field">
        <label htmlFor="node-label">label</label>
        <input
          id="node-label"
          data-testid="node-label"
          value={node.data.label ?? ""}
          placeholder="a note shown on the card"
          onChange={(e) =>
            set((d) => {
              const { label: _old, ...rest } = d;
              return e.target.value ? { ...rest, label: e.target.value } : rest;
            })
          }
        />
      </div>

      {entry && entry.params.length > 0 && (
        <>
          <h4 className="panel-subtitle">Parameters</h4>
          <ParamForm
            key={node.id}
            specs={entry.params}
            values={node.data.params}
            testPrefix="param-"
            onChange={(name, value) =>
              set((d) => {
                const params = { ...d.params };
                if (value === undefined) delete params[name];
                else params[name] = value;
                return { ...d, params };
              })
            }
          />
        </>
      )}

      <dl className="node-facts">
        <dt>output</dt>
        <dd data-testid="node-panel-shape">{verdict ? formatShape(verdict.shape) : "…"}</dd>
        <dt>weights</dt>
        <dd>{verdict ? formatParams(verdict.params) : "…"}</dd>
        {entry && entry.inputs.length > 0 && (
          <>
            <dt>inputs</dt>
            <dd>
              {entry.inputs.join(", ")}
              {entry.variadic ? " (several, in edge order)" : ""}
            </dd>
          </>
        )}
      </dl>
      {verdict && verdict.errors.length > 0 && (
        <ul className="issue-list">
          {verdict.errors.map((m, i) => (
            <li key={i}>{m}</li>
          ))}
        </ul>
      )}
      <button type="button" className="danger-button" data-testid="delete-node" onClick={() => onDelete(node.id)}>
        Delete layer
      </button>
    </section>
  );
}

export function EdgePanel({ edge, shape, onDelete }: { edge: GraphEdge; shape: string | undefined; onDelete: (id: string) => void }) {
  return (
    <section className="panel node-panel" data-testid="edge-panel">
      <header className="node-panel-head">
        <span className="node-panel-type">edge</span>
      </header>
      <p>
        <code>
          {edge.source}.{edge.sourceHandle ?? "out"}
        </code>{" "}
        →{" "}
        <code>
          {edge.target}.{edge.targetHandle ?? "in"}
        </code>
      </p>
      <dl className="node-facts">
        <dt>tensor</dt>
        <dd>{shape ?? "…"}</dd>
      </dl>
      <button type="button" className="danger-button" data-testid="delete-edge" onClick={() => onDelete(edge.id)}>
        Delete edge
      </button>
    </section>
  );
}
