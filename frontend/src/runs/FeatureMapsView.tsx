// Feature maps (`features/<node>`) of the watched layers for a fixed validation batch, beside the input
// (`features/input`) they came from: what each convolution responds to, as it learns.
import type { ImageView } from "../lib/runData";
import { imagesUnder, ProbeImage } from "./ProbeImage";

export function FeatureMapsView({ images, order }: { images: ReadonlyMap<string, ImageView>; order: (a: string, b: string) => number }) {
  const all = imagesUnder(images, "features/", order);
  if (all.length === 0) return null;
  const input = all.find(([k]) => k === "input");
  const maps = all.filter(([k]) => k !== "input");
  return (
    <section className="run-section" data-testid="view-features">
      <h2>Feature maps</h2>
      <p className="muted">One validation batch, the same every time: each channel of the watched layers as a grey image.</p>
      <div className="tile-grid probe-grid">
        {input && <ProbeImage image={input[1]} title={inputTitle(input[1])} testId="view-features-input" />}
        {maps.map(([node, img]) => (
          <ProbeImage key={node} image={img} title={node} testId={`view-features-${node}`} wide />
        ))}
      </div>
    </section>
  );
}

/** "input", with the example's class when the probe says it (meta.label). */
function inputTitle(image: ImageView): string {
  const label = image.meta.label;
  return typeof label === "string" || typeof label === "number" ? `input (${label})` : "input";
}
