// Positions for graphs that come without them: layers left to right by longest path from the inputs.

export interface XY {
  x: number;
  y: number;
}

export const LAYER_GAP_X = 220;
export const NODE_GAP_Y = 120;

/** A position for every node id: column = longest path from a source, rows centred on y = 0, in the order the
 * nodes are listed. Nodes caught in a cycle (an invalid graph) go one column after the rest. */
export function autoLayout(ids: readonly string[], edges: readonly { source: string; target: string }[]): Map<string, XY> {
  const known = new Set(ids);
  const incoming = new Map<string, number>(ids.map((id) => [id, 0]));
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of edges) {
    if (!known.has(e.source) || !known.has(e.target) || e.source === e.target) continue;
    out.get(e.source)!.push(e.target);
    incoming.set(e.target, incoming.get(e.target)! + 1);
  }
  const column = new Map<string, number>();
  const queue = ids.filter((id) => incoming.get(id) === 0);
  for (const id of queue) column.set(id, 0);
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    for (const next of out.get(id)!) {
      column.set(next, Math.max(column.get(next) ?? 0, column.get(id)! + 1));
      const left = incoming.get(next)! - 1;
      incoming.set(next, left);
      if (left === 0) queue.push(next);
    }
  }
  const deepest = Math.max(-1, ...column.values());
  for (const id of ids) if (incoming.get(id)! > 0) column.set(id, deepest + 1);

  const rows = new Map<number, string[]>();
  for (const id of ids) {
    const c = column.get(id)!;
    if (!rows.has(c)) rows.set(c, []);
    rows.get(c)!.push(id);
  }
  const positions = new Map<string, XY>();
  for (const [c, members] of rows) {
    members.forEach((id, r) => {
      positions.set(id, { x: c * LAYER_GAP_X, y: (r - (members.length - 1) / 2) * NODE_GAP_Y });
    });
  }
  return positions;
}
