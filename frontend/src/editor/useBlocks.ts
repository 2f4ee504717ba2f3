// The editor's blocks: the palette with the graph's own blocks and the user's library, the node types React Flow
// needs for them, which block nodes are expanded (and the display-only nodes and edges that draws), and "save as
// block". Kept apart from EditorPage so that the page stays about the document.
import type { Edge, EdgeChange, Node, NodeChange, NodeTypes } from "@xyflow/react";
import { useCallback, useMemo, useRef, useState, type Dispatch, type SetStateAction } from "react";
import { api, errorText, type Catalog } from "../api";
import { blockFromSelection, collapseIntoBlock, withUserBlocks, type BlockDef } from "../lib/blocks";
import { graphToSpec, layerIndex, type GraphEdge, type LayerIndex, type LayerNode, type RunSettings } from "../lib/graph";
import type { Notice } from "../lib/status";
import { useAsync } from "../useAsync";
import { BLOCK_FRAME, BLOCK_INNER, BlockFrame, InnerNodeCard } from "./BlockViews";
import { displayEdges, displayNodes, type Sizes } from "./blockView";
import { NodeCard } from "./NodeCard";
import type { Doc } from "./useDocuments";

/** The catalog's layers plus the graph's blocks and the library's (GET /api/blocks; none where there is none). */
export function usePalette(catalog: Catalog, doc: Doc) {
  const library = useAsync(() => api.blocks().catch(() => [] as BlockDef[]), []);
  const docBlocks = doc.blocks;
  const paletteLayers = useMemo(
    () => withUserBlocks(catalog.layers, [...(docBlocks ?? []), ...(library.data ?? [])]),
    [catalog, docBlocks, library.data],
  );
  const layers = useMemo(() => layerIndex(paletteLayers), [paletteLayers]);
  // every type, user blocks and types unknown to the catalog included: React Flow hands an unlisted type to
  // "default" under the name "default", and the card would not know what it draws
  const typeList = [...new Set([...paletteLayers.map((l) => l.type), ...doc.nodes.map((n) => n.type ?? "default")])].sort().join("\n");
  const nodeTypes = useMemo<NodeTypes>(
    () =>
      Object.fromEntries([
        ["default", NodeCard],
        ...typeList.split("\n").map((t) => [t, NodeCard]),
        [BLOCK_FRAME, BlockFrame],
        [BLOCK_INNER, InnerNodeCard],
      ]),
    [typeList],
  );
  /** A library block the graph does not hold yet, to copy into `graph.blocks` when a node of it is added. */
  const libraryBlock = useCallback(
    (type: string): BlockDef | undefined =>
      catalog.layers.some((l) => l.type === type) ? undefined : library.data?.find((b) => b.name === type),
    [catalog, library.data],
  );
  return { paletteLayers, layers, nodeTypes, libraryBlock, reloadLibrary: library.reload };
}

/** Expanded blocks and the weight-sharing links: what the canvas draws beyond the document. React Flow's changes to
 * those are split off (only their measured sizes are kept: it draws a node once it knows its size). */
export function useCanvasExtras(nodes: readonly LayerNode[], edges: readonly GraphEdge[], layers: LayerIndex, onToggle: () => void) {
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const [sizes, setSizes] = useState<Sizes>(() => new Map());
  const toggleBlock = useCallback(
    (id: string) => {
      setExpanded((cur) => {
        const next = new Set(cur);
        if (!next.delete(id)) next.add(id);
        return next;
      });
      onToggle();
    },
    [onToggle],
  );
  const collapseAll = useCallback(() => setExpanded(new Set()), []);
  const shownNodes = useMemo(() => displayNodes(nodes, expanded, layers, sizes), [nodes, expanded, layers, sizes]);
  const shownEdges = useMemo(() => displayEdges(nodes, edges, expanded, layers), [nodes, edges, expanded, layers]);
  const displayIds = useRef<ReadonlySet<string>>(new Set());
  displayIds.current = new Set([...shownNodes.slice(nodes.length).map((n) => n.id), ...shownEdges.slice(edges.length).map((e) => e.id)]);

  /** The changes that concern the document; display nodes' sizes are taken on the way. */
  const documentNodeChanges = useCallback((changes: NodeChange<LayerNode>[]): NodeChange<LayerNode>[] => {
    const shown = displayIds.current;
    const measured = changes.filter((c) => c.type === "dimensions" && shown.has(c.id));
    if (measured.length) {
      setSizes((cur) => {
        const next = new Map(cur);
        for (const c of measured) if (c.type === "dimensions" && c.dimensions) next.set(c.id, c.dimensions);
        return next;
      });
    }
    return changes.filter((c) => !("id" in c) || !shown.has(c.id));
  }, []);
  const documentEdgeChanges = useCallback(
    (changes: EdgeChange<GraphEdge>[]): EdgeChange<GraphEdge>[] => changes.filter((c) => !("id" in c) || !displayIds.current.has(c.id)),
    [],
  );
  return {
    expanded,
    toggleBlock,
    collapseAll,
    shownNodes: shownNodes as Node[] as LayerNode[],
    shownEdges: shownEdges as Edge[],
    documentNodeChanges,
    documentEdgeChanges,
  };
}

/** "Save as block": the selected layers become a block of the graph (and of the library, where there is one), and
 * one node of it takes their place. */
export function useSaveAsBlock(args: {
  docRef: { current: Doc };
  setDoc: Dispatch<SetStateAction<Doc>>;
  layers: LayerIndex;
  edited: () => void;
  setNotice: (text: string, tone?: Notice["tone"]) => void;
  reloadLibrary: () => void;
}) {
  const { docRef, setDoc, layers, edited, setNotice, reloadLibrary } = args;
  return useCallback(async () => {
    const d = docRef.current;
    const chosen = d.nodes.filter((n) => n.selected);
    const name = window.prompt("Name of the new block:", "my_block")?.trim();
    if (!name) return;
    if (layers.has(name)) {
      setNotice(`a layer or block called ${name} exists already`, "error");
      return;
    }
    const none = {} as RunSettings;
    const specNodes = graphToSpec(chosen, [], none, layers).graph.nodes;
    const specEdges = graphToSpec(d.nodes, d.edges, none, layers).graph.edges ?? [];
    const result = blockFromSelection(name, specNodes, specEdges);
    if (!result.block) {
      setNotice(`cannot make a block: ${result.error}`, "error");
      return;
    }
    const sel = result.block;
    edited();
    setDoc((cur) => {
      const g = collapseIntoBlock(cur, sel, (id, type, position): LayerNode => ({ id, type, position, data: { params: {} }, selected: true }));
      return { ...cur, nodes: g.nodes, edges: g.edges, blocks: [...(cur.blocks ?? []), sel.def] };
    });
    try {
      await api.saveBlock(sel.def);
      reloadLibrary();
      setNotice(`block ${name} saved to the graph and to your library`);
    } catch (err) {
      setNotice(`block ${name} saved in this graph (not in your library: ${errorText(err)})`);
    }
  }, [docRef, setDoc, layers, edited, setNotice, reloadLibrary]);
}
