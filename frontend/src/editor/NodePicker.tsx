// "Which layers to watch" for a probe with a `nodes` parameter: a checkbox per eligible node of the graph, written
// back as the comma-separated list the probe takes (none checked: the probe's own choice).
import { eligibleNodes, formatNodes, parseNodes } from "../lib/probeNodes";

export function NodePicker({
  probe,
  nodes,
  value,
  onChange,
}: {
  probe: string;
  nodes: readonly { id: string; type?: string }[];
  value: unknown;
  onChange: (value: string | undefined) => void;
}) {
  const eligible = eligibleNodes(nodes);
  const order = nodes.map((n) => n.id);
  const chosen = new Set(parseNodes(value));
  const typeOf = new Map(nodes.map((n) => [n.id, n.type]));
  const set = (id: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(id);
    else next.delete(id);
    onChange(formatNodes([...next], order));
  };
  return (
    <fieldset className="node-picker" data-testid={`probe-${probe}-nodes`}>
      <legend>layers to watch {chosen.size === 0 && <span className="muted">(the probe's default)</span>}</legend>
      {eligible.map((id) => (
        <label key={id} title={typeOf.get(id)}>
          <input type="checkbox" data-testid={`probe-${probe}-node-${id}`} checked={chosen.has(id)} onChange={(e) => set(id, e.target.checked)} />
          {id}
        </label>
      ))}
      {[...chosen]
        .filter((id) => !eligible.includes(id))
        .map((id) => (
          <label key={id} className="missing" title="not in the graph">
            <input type="checkbox" checked onChange={() => set(id, false)} />
            {id}
          </label>
        ))}
    </fieldset>
  );
}
