// The layer palette, generated from the catalog: grouped by category; click adds a layer (after the selected one),
// or drag it onto the canvas.
import { useMemo, useState, type CSSProperties, type DragEvent } from "react";
import type { LayerEntry } from "../api";
import { categoryHue, compareCategories } from "../catalog";

export const LAYER_MIME = "application/x-playground-layer";

export function Palette({ layers, onAdd }: { layers: readonly LayerEntry[]; onAdd: (type: string) => void }) {
  const [filter, setFilter] = useState("");
  const groups = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const byCategory = new Map<string, LayerEntry[]>();
    for (const l of layers) {
      if (f && !l.type.toLowerCase().includes(f) && !l.help.toLowerCase().includes(f) && !l.category.includes(f)) continue;
      if (!byCategory.has(l.category)) byCategory.set(l.category, []);
      byCategory.get(l.category)!.push(l);
    }
    return [...byCategory.entries()]
      .sort(([a], [b]) => compareCategories(a, b))
      .map(([category, entries]) => [category, entries.sort((a, b) => a.type.localeCompare(b.type))] as const);
  }, [layers, filter]);

  const onDragStart = (e: DragEvent, type: string) => {
    e.dataTransfer.setData(LAYER_MIME, type);
    e.dataTransfer.setData("text/plain", type);
    e.dataTransfer.effectAllowed = "copy";
  };

  return (
    <aside className="palette" data-testid="palette">
      <div className="panel-title">Layers</div>
      <input
        className="palette-filter"
        type="search"
        placeholder="Filter…"
        value={filter}
        onChange={(e) => setFilter(e.target.value)}
        aria-label="Filter layers"
      />
      <div className="palette-groups">
        {groups.map(([category, entries]) => (
          <section key={category} className="palette-group" style={{ "--node-hue": categoryHue(category) } as CSSProperties}>
            <h3>{category}</h3>
            {entries.map((l) => (
              <button
                key={l.type}
                type="button"
                className="palette-item"
                data-testid={`palette-${l.type}`}
                title={l.help}
                draggable
                onDragStart={(e) => onDragStart(e, l.type)}
                onClick={() => onAdd(l.type)}
              >
                <span className="palette-swatch" aria-hidden="true" />
                {l.type}
                {l.variadic && <span className="palette-hint">n→1</span>}
              </button>
            ))}
          </section>
        ))}
        {groups.length === 0 && <p className="muted">No layer matches “{filter}”.</p>}
      </div>
      <p className="palette-tip">Click adds after the selected layer · drag onto the canvas · Delete removes</p>
    </aside>
  );
}
