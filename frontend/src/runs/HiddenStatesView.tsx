// Hidden states of recurrent layers (`hidden/<node>`): a heatmap of hidden unit (rows) over time step (columns)
// for one validation sequence.
import type { ImageView } from "../lib/runData";
import { imagesUnder, ProbeImage } from "./ProbeImage";

export function HiddenStatesView({ images, order }: { images: ReadonlyMap<string, ImageView>; order: (a: string, b: string) => number }) {
  const all = imagesUnder(images, "hidden/", order);
  if (all.length === 0) return null;
  return (
    <section className="run-section" data-testid="view-hidden">
      <h2>Hidden states</h2>
      <p className="muted">Each row a hidden unit, each column a time step; colour is the unit's value.</p>
      <div className="tile-grid probe-grid">
        {all.map(([node, img]) => (
          <ProbeImage key={node} image={img} title={node} testId={`view-hidden-${node}`} wide />
        ))}
      </div>
    </section>
  );
}
