// "Which layers to watch": probes whose params include `nodes` take a comma-separated list of node ids. The editor
// shows it as a multi-select of the graph's nodes; these keep the string and the list in step.
import type { NamedEntry } from "../api";

export const NODES_PARAM = "nodes";

export function watchesNodes(probe: NamedEntry): boolean {
  return probe.params.some((p) => p.name === NODES_PARAM);
}

/** The ids in a `nodes` value ("conv1, conv2" or a list), blanks dropped, duplicates once. */
export function parseNodes(value: unknown): string[] {
  const parts = Array.isArray(value) ? value.map(String) : typeof value === "string" ? value.split(",") : [];
  return [...new Set(parts.map((s) => s.trim()).filter(Boolean))];
}

/** The `nodes` value for a list of ids, in graph order; undefined (the probe's default) for none. */
export function formatNodes(ids: readonly string[], order: readonly string[]): string | undefined {
  const rank = new Map(order.map((id, i) => [id, i]));
  const sorted = [...new Set(ids)].sort((a, b) => (rank.get(a) ?? 1e9) - (rank.get(b) ?? 1e9));
  return sorted.length ? sorted.join(",") : undefined;
}

/** The nodes a probe can watch: every node but the inputs (the trainer says, at validation, which do not fit). */
export function eligibleNodes(nodes: readonly { id: string; type?: string }[]): string[] {
  return nodes.filter((n) => n.type !== "input").map((n) => n.id);
}
