// What every node card needs without it living in node.data: the catalog's layers and the latest validation.
import { createContext } from "react";
import type { Catalog } from "../api";
import type { LayerIndex } from "../lib/graph";
import type { NodeVerdict } from "../lib/verdicts";

export type { NodeVerdict };

export interface EditorContextValue {
  catalog: Catalog;
  layers: LayerIndex;
  /** Per node id, from the last /api/validate answer. */
  verdicts: ReadonlyMap<string, NodeVerdict>;
  /** Block nodes whose inner graph is shown. */
  expanded?: ReadonlySet<string>;
  toggleBlock?: (id: string) => void;
  /** Nodes a fine-tune run keeps fixed (`init_from.freeze`). */
  frozen?: ReadonlySet<string>;
}

export const EditorContext = createContext<EditorContextValue | null>(null);
