// The confusion matrix (table `confusion`) as a coloured grid: rows are true classes, columns predictions; a cell's
// colour is its share of the row (green on the diagonal, red off it), its text the count.
import type { TableEvent } from "../generated/events";
import { accuracy, cellColour, confusionFromTable, rowShare, textColour } from "../lib/confusion";
import { formatScalar } from "../lib/format";

export function ConfusionView({ table }: { table: TableEvent | undefined }) {
  if (!table) return null;
  const c = confusionFromTable(table.columns, table.rows);
  if (!c) return null;
  return (
    <section className="run-section" data-testid="view-confusion" data-step={table.step}>
      <h2>
        Confusion matrix <span className="muted">step {table.step} · accuracy {formatScalar(accuracy(c))}</span>
      </h2>
      <table className="confusion">
        <thead>
          <tr>
            <th className="confusion-corner">true \ predicted</th>
            {c.classes.map((name) => (
              <th key={name}>{name}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {c.counts.map((row, t) => (
            <tr key={t}>
              <th>{c.classes[t]}</th>
              {row.map((n, p) => {
                const share = rowShare(c, t, p);
                return (
                  <td
                    key={p}
                    style={{ background: cellColour(share, t === p), color: textColour(share) }}
                    title={`true ${c.classes[t]}, predicted ${c.classes[p]}: ${n} (${Math.round(share * 100)}% of the row)`}
                  >
                    {n}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
