// The examples as a gallery: a card per preset with its name, description, data set, layer count and a thumbnail of
// its graph; a click opens it in the editor.
import { useEffect, useMemo, type CSSProperties } from "react";
import type { Example } from "../api";
import { categoryHue } from "../catalog";
import { exampleSummary, thumbnail } from "../lib/gallery";
import type { LayerIndex } from "../lib/graph";

export function Gallery({
  examples,
  layers,
  onOpen,
  onClose,
}: {
  examples: readonly Example[];
  layers: LayerIndex;
  onOpen: (name: string) => void;
  onClose: () => void;
}) {
  useEffect(() => {
    const close = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    document.addEventListener("keydown", close);
    return () => document.removeEventListener("keydown", close);
  }, [onClose]);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="modal gallery" role="dialog" aria-label="Examples" data-testid="gallery">
        <header className="modal-head">
          <h2>Examples</h2>
          <button type="button" className="icon-button" onClick={onClose} aria-label="Close" data-testid="gallery-close">
            ✕
          </button>
        </header>
        <div className="gallery-grid">
          {examples.map((ex) => (
            <GalleryCard key={ex.name} example={ex} layers={layers} onOpen={onOpen} />
          ))}
          {examples.length === 0 && <p className="muted">No examples are installed.</p>}
        </div>
      </div>
    </div>
  );
}

function GalleryCard({ example, layers, onOpen }: { example: Example; layers: LayerIndex; onOpen: (name: string) => void }) {
  const summary = useMemo(() => exampleSummary(example.spec), [example.spec]);
  const thumb = useMemo(() => thumbnail(example.spec), [example.spec]);
  return (
    <button type="button" className="gallery-card" data-testid={`gallery-card-${example.name}`} onClick={() => onOpen(example.name)}>
      <svg className="gallery-thumb" viewBox={`0 0 ${thumb.width} ${thumb.height}`} aria-hidden="true">
        {thumb.lines.map((l, i) => (
          <line key={i} {...l} stroke="#94a3b8" strokeWidth={1} />
        ))}
        {thumb.points.map((p) => (
          <circle key={p.id} cx={p.x} cy={p.y} r={3.5} style={{ fill: `hsl(${categoryHue(layers.get(p.type)?.category)} 70% 50%)` } as CSSProperties}>
            <title>{`${p.id}: ${p.type}`}</title>
          </circle>
        ))}
      </svg>
      <span className="gallery-title">{example.title}</span>
      <span className="gallery-facts muted">
        {summary.dataset} · {summary.layers} layers
      </span>
      {example.description && <span className="gallery-description">{example.description}</span>}
    </button>
  );
}
