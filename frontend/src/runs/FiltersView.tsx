// First-layer filters (`filters/<node>`): a convolution's kernels drawn as small images; edges and blobs appear as
// it learns.
import type { ImageView } from "../lib/runData";
import { imagesUnder, ProbeImage } from "./ProbeImage";

export function FiltersView({ images, order }: { images: ReadonlyMap<string, ImageView>; order: (a: string, b: string) => number }) {
  const all = imagesUnder(images, "filters/", order);
  if (all.length === 0) return null;
  return (
    <section className="run-section" data-testid="view-filters">
      <h2>Filters</h2>
      <div className="tile-grid probe-grid">
        {all.map(([node, img]) => (
          <ProbeImage key={node} image={img} title={node} testId={`view-filters-${node}`} wide />
        ))}
      </div>
    </section>
  );
}
