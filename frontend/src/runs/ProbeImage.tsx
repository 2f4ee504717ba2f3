// One probe picture on the run page: the image, its title and the step it shows (data-step, for tests and people).
import type { ImageView } from "../lib/runData";

export function ProbeImage({ image, title, testId, wide = false }: { image: ImageView; title: string; testId: string; wide?: boolean }) {
  return (
    <figure className={`tile probe-image${wide ? " tile-large" : ""}`} data-testid={testId} data-step={image.step}>
      <img src={image.url} alt={title} width={image.width} height={image.height} />
      <figcaption>
        {title} <span className="muted">step {image.step}</span>
      </figcaption>
    </figure>
  );
}

/** Images whose key starts with `prefix`, keyed by the rest (the node id), in the graph's node order. */
export function imagesUnder(images: ReadonlyMap<string, ImageView>, prefix: string, order: (a: string, b: string) => number): [string, ImageView][] {
  return [...images.entries()]
    .filter(([k]) => k.startsWith(prefix))
    .map(([k, v]) => [k.slice(prefix.length), v] as [string, ImageView])
    .sort(([a], [b]) => order(a, b));
}
