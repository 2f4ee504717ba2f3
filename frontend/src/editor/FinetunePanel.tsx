// Fine-tuning a finished run: the checkpoint the weights come from, a freeze checkbox per layer with weights, the data
// set to train on, and "swap head" (the last dense layer sized for the new data set's classes).
import { useState } from "react";
import type { Catalog } from "../api";
import { datasetClasses, freezableNodes, headNode, toggleFreeze, withInitFrom, type InitFrom } from "../lib/finetune";
import type { GraphEdge, LayerData, LayerIndex, LayerNode, RunSettings } from "../lib/graph";

export interface FinetunePanelProps {
  catalog: Catalog;
  init: InitFrom;
  nodes: readonly LayerNode[];
  edges: readonly GraphEdge[];
  layers: LayerIndex;
  settings: RunSettings;
  /** Parameter count per node, from the last validation (decides which layers can be frozen). */
  paramsOf: ReadonlyMap<string, number>;
  update: (fn: (s: RunSettings) => RunSettings) => void;
  onData: (id: string, update: (data: LayerData) => LayerData) => void;
}

export function FinetunePanel({ catalog, init, nodes, edges, layers, settings, paramsOf, update, onData }: FinetunePanelProps) {
  const order = nodes.map((n) => n.id);
  const specNodes = nodes.map((n) => ({ id: n.id, type: n.type ?? "" }));
  const freezable = freezableNodes(specNodes, paramsOf);
  const frozen = new Set(init.freeze);
  const head = headNode(specNodes, edges, layers);
  const dataset = catalog.datasets.find((d) => d.name === settings.data.name);
  const known = datasetClasses(dataset, settings.data.params);
  const [classesText, setClassesText] = useState("");
  const classes = classesText.trim() ? Number(classesText) : known;
  const setInit = (next: InitFrom | null) => update((s) => withInitFrom(s, next));

  return (
    <section className="panel finetune-panel" data-testid="finetune-panel">
      <header className="node-panel-head">
        <span className="node-panel-type">Fine-tune</span>
        <span className="muted" data-testid="finetune-checkpoint">
          weights from {init.checkpoint}
        </span>
      </header>
      <p className="help">Training starts from the run's weights. Frozen layers keep them; the others go on learning.</p>
      <h4 className="panel-subtitle">Freeze</h4>
      <ul className="freeze-list">
        {freezable.map((id) => (
          <li key={id}>
            <label>
              <input
                type="checkbox"
                data-testid={`freeze-${id}`}
                checked={frozen.has(id)}
                onChange={(e) => setInit(toggleFreeze(init, id, e.target.checked, order))}
              />
              <code>{id}</code> <span className="muted">{nodes.find((n) => n.id === id)?.type}</span>
            </label>
          </li>
        ))}
        {freezable.length === 0 && <li className="muted">No layer with weights.</li>}
      </ul>
      <div className="field">
        <label htmlFor="finetune-dataset">new data set</label>
        <select
          id="finetune-dataset"
          data-testid="finetune-dataset"
          value={settings.data.name}
          onChange={(e) => {
            setClassesText("");
            update((s) => ({ ...s, data: { ...s.data, name: e.target.value, params: undefined } }));
          }}
        >
          {catalog.datasets.map((d) => (
            <option key={d.name} value={d.name} title={d.help}>
              {d.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor="finetune-classes">classes</label>
          <input
            id="finetune-classes"
            data-testid="finetune-classes"
            inputMode="numeric"
            value={classesText}
            placeholder={known === null ? "?" : String(known)}
            onChange={(e) => setClassesText(e.target.value)}
          />
        </div>
        <button
          type="button"
          data-testid="finetune-swap-head"
          disabled={!head || classes === null || !Number.isInteger(classes) || classes < 1}
          title={head ? `Set ${head}'s units to the number of classes` : "no dense layer to swap"}
          onClick={() => head && classes && onData(head, (d) => ({ ...d, params: { ...d.params, units: classes } }))}
        >
          Swap head{head ? ` (${head})` : ""}
        </button>
      </div>
      <button type="button" className="link-button" data-testid="finetune-off" onClick={() => setInit(null)}>
        Train from scratch instead
      </button>
    </section>
  );
}
