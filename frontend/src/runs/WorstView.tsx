// The worst-classified validation examples (`worst`): the picture of them and, per example, its true class, the
// prediction and the probability the model gave the true class.
import { formatScalar } from "../lib/format";
import type { ImageView } from "../lib/runData";

interface WorstExample {
  index: number;
  true: string | number;
  predicted: string | number;
  p_true: number;
}

function examplesOf(meta: Record<string, unknown>): WorstExample[] {
  const list = meta.examples;
  return Array.isArray(list) ? (list.filter((e) => e && typeof e === "object") as WorstExample[]) : [];
}

export function WorstView({ image }: { image: ImageView | undefined }) {
  if (!image) return null;
  const examples = examplesOf(image.meta);
  return (
    <section className="run-section" data-testid="view-worst" data-step={image.step}>
      <h2>
        Worst-classified examples <span className="muted">step {image.step}</span>
      </h2>
      <div className="worst">
        <img src={image.url} alt="the validation examples the model gets most wrong" width={image.width} height={image.height} className="worst-image" />
        <ol className="worst-captions">
          {examples.map((e, i) => (
            <li key={i} data-testid={`worst-example-${i}`}>
              #{e.index}: true <b>{String(e.true)}</b>, predicted <b>{String(e.predicted)}</b>{" "}
              <span className="muted">(p(true) {formatScalar(e.p_true)})</span>
            </li>
          ))}
        </ol>
      </div>
    </section>
  );
}
