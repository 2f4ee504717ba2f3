// The editor's work in progress survives a reload: the spec (and which saved graph it is) in localStorage.
import type { RunSpec } from "../generated/runspec";

const KEY = "playground.editor.draft.v1";

export interface SavedRef {
  id: number | string;
  name: string;
}

export interface Draft {
  spec: RunSpec;
  saved: SavedRef | null;
}

export function readDraft(): Draft | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const draft = JSON.parse(raw) as Draft;
    return looksLikeSpec(draft.spec) ? draft : null;
  } catch {
    return null;
  }
}

export function writeDraft(draft: Draft): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(draft));
  } catch {
    // storage full or disabled: the draft is a convenience
  }
}

/** Enough of a RunSpec to open in the editor; the server's validation says what else is wrong with it. */
export function looksLikeSpec(value: unknown): value is RunSpec {
  if (!value || typeof value !== "object") return false;
  const graph = (value as { graph?: unknown }).graph;
  return !!graph && typeof graph === "object" && Array.isArray((graph as { nodes?: unknown }).nodes);
}
