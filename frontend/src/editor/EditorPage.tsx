// The graph editor ("/"): palette, canvas and inspector around one document (nodes, edges, settings), validated
// live by the server. The document is the RunSpec; React Flow only draws it.
import {
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Connection,
  type EdgeChange,
  type IsValidConnection,
  type NodeChange,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from "react";
import type { Catalog } from "../api";
import { categoryHue, loadCatalog, loadExamples } from "../catalog";
import { initFromOf } from "../lib/finetune";
import type { RunSpec } from "../generated/runspec";
import {
  addLayer as addLayerTo,
  connectPorts,
  graphToSpec,
  layerIndex,
  outputNodes,
  renameNode,
  specToGraph,
  wouldCreateCycle,
  type GraphEdge,
  type LayerData,
  type LayerNode,
  type RunSettings,
} from "../lib/graph";
import type { XY } from "../lib/layout";
import { statusLine, type Notice } from "../lib/status";
import { edgeLabels, graphIssues, nodeVerdicts } from "../lib/verdicts";
import { useAsync } from "../useAsync";
import { EditorContext, type EditorContextValue } from "./context";
import { IssuesBar } from "./IssuesBar";
import { readDraft, writeDraft, type SavedRef } from "./draft";
import { FinetunePanel } from "./FinetunePanel";
import { Gallery } from "./Gallery";
import { EdgePanel, NodePanel } from "./NodePanel";
import { LAYER_MIME, Palette } from "./Palette";
import { SelectionHint } from "./SelectionHint";
import { SettingsPanel } from "./SettingsPanel";
import { Toolbar } from "./Toolbar";
import { blankSpec, FIRST_TEMPLATE, openable, useDocuments, type Doc } from "./useDocuments";
import { useCanvasExtras, usePalette, useSaveAsBlock } from "./useBlocks";
import { useValidation } from "./useValidation";

const NOTICE_MS = 6000;

export function EditorPage() {
  const catalog = useAsync(loadCatalog, []);
  if (!catalog.data) {
    return (
      <div className="empty-page">
        {catalog.error ? (
          <>
            <h1>Cannot load the layer catalog</h1>
            <p className="error-text">{catalog.error}</p>
            <button type="button" onClick={catalog.reload}>
              Try again
            </button>
          </>
        ) : (
          <p className="muted">Loading the catalog…</p>
        )}
      </div>
    );
  }
  return (
    <ReactFlowProvider>
      <Editor catalog={catalog.data} />
    </ReactFlowProvider>
  );
}

function Editor({ catalog }: { catalog: Catalog }) {
  const catalogLayers = useMemo(() => layerIndex(catalog.layers), [catalog]);
  const rf = useReactFlow<LayerNode, GraphEdge>();
  const canvasRef = useRef<HTMLDivElement>(null);
  const draft = useMemo(readDraft, []);
  const [doc, setDoc] = useState<Doc>(() => ({
    ...specToGraph(openable(draft?.spec ?? blankSpec(catalog), catalog), catalogLayers),
    saved: draft?.saved ?? null,
  }));
  const { paletteLayers, layers, nodeTypes, libraryBlock, reloadLibrary } = usePalette(catalog, doc);
  const [galleryOpen, setGalleryOpen] = useState(false);
  const [notice, setNoticeState] = useState<Notice | null>(null);
  const [fitToken, setFitToken] = useState(0);
  const collapseBlocks = useRef(() => {});
  const reveal = useRef<string | null>(null); // a node just added: pan out if it landed off screen
  const examples = useAsync(loadExamples, []);
  // With no draft, the first template replaces the blank canvas once the examples arrive (unless the user started).
  const pristine = useRef(!draft);

  const setNotice = useCallback((text: string, tone: Notice["tone"] = "info") => setNoticeState({ text, tone }), []);
  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(() => setNoticeState(null), NOTICE_MS);
    return () => clearTimeout(t);
  }, [notice]);
  /** Every user edit: the notice is about what happened before it. */
  const edited = useCallback(() => {
    pristine.current = false;
    setNoticeState(null);
  }, []);

  const spec = useMemo(
    () => graphToSpec(doc.nodes, doc.edges, doc.settings, layers, doc.blocks),
    [doc.nodes, doc.edges, doc.settings, layers, doc.blocks],
  );
  const edgeIds = useMemo(() => doc.edges.map((e) => e.id), [doc.edges]);
  const validation = useValidation(spec, edgeIds);
  const report = validation.report;

  const load = useCallback(
    (next: RunSpec, saved: SavedRef | null, message: string | null) => {
      pristine.current = false;
      setDoc({ ...specToGraph(openable(next, catalog), layers), saved });
      collapseBlocks.current(); // a new document starts with its blocks collapsed
      setNoticeState(message ? { text: message, tone: "info" } : null);
      setFitToken((t) => t + 1);
    },
    [catalog, layers],
  );

  useEffect(() => {
    if (!pristine.current || !examples.data?.length) return;
    const first = examples.data.find((e) => e.name === FIRST_TEMPLATE) ?? examples.data[0]!;
    load(first.spec, null, null);
  }, [examples.data, load]);

  const latestDraft = useRef({ spec, saved: doc.saved });
  latestDraft.current = { spec, saved: doc.saved };
  useEffect(() => {
    const t = setTimeout(() => writeDraft(latestDraft.current), 400);
    return () => clearTimeout(t);
  }, [spec, doc.saved]);
  useEffect(() => {
    // leaving the page (or the tab) keeps the last edit too
    const flush = () => writeDraft(latestDraft.current);
    window.addEventListener("pagehide", flush);
    return () => {
      window.removeEventListener("pagehide", flush);
      flush();
    };
  }, []);

  useEffect(() => {
    if (!fitToken) return;
    // twice: the new nodes are measured after the first frame
    let h = requestAnimationFrame(() => {
      h = requestAnimationFrame(() => void rf.fitView({ padding: 0.08, maxZoom: 1.2, duration: 200 }));
    });
    return () => cancelAnimationFrame(h);
  }, [fitToken, rf]);

  useEffect(() => {
    const id = reveal.current;
    reveal.current = null;
    const node = id ? doc.nodes.find((n) => n.id === id) : undefined;
    const box = canvasRef.current?.getBoundingClientRect();
    if (!node || !box) return;
    const topLeft = rf.flowToScreenPosition(node.position);
    const bottomRight = rf.flowToScreenPosition({ x: node.position.x + 160, y: node.position.y + 90 });
    const inside = topLeft.x >= box.left && topLeft.y >= box.top && bottomRight.x <= box.right && bottomRight.y <= box.bottom;
    if (!inside) void rf.fitView({ padding: 0.08, maxZoom: rf.getZoom(), duration: 200 });
  }, [doc.nodes, rf]);

  // ----- what validation says, per node and per edge ------------------------------------------------------------
  // keyed on the ids alone: dragging a node must not redraw every card
  const idList = doc.nodes.map((n) => n.id).join("\n");
  const nodeIds = useMemo(() => new Set(idList ? idList.split("\n") : []), [idList]);
  const verdicts = useMemo(() => nodeVerdicts(report, nodeIds), [report, nodeIds]);
  const unplacedIssues = useMemo(() => graphIssues(report, nodeIds), [report, nodeIds]);
  const edgeShapes = useMemo(() => edgeLabels(report, validation.edgeIds), [report, validation.edgeIds]);
  const flowEdges = useMemo(
    () =>
      doc.edges.map((e) => {
        const label = edgeShapes.get(e.id);
        return label ? { ...e, label } : e;
      }),
    [doc.edges, edgeShapes],
  );
  // the inner graph of a block (or the room it leaves) comes into view
  const refit = useCallback(() => setFitToken((t) => t + 1), []);
  const { expanded, toggleBlock, collapseAll, shownNodes, shownEdges, documentNodeChanges, documentEdgeChanges } = useCanvasExtras(
    doc.nodes,
    flowEdges,
    layers,
    refit,
  );
  collapseBlocks.current = collapseAll;
  const init = initFromOf(doc.settings);
  const frozenKey = init?.freeze.join("\n") ?? "";
  const frozen = useMemo(() => new Set(frozenKey ? frozenKey.split("\n") : []), [frozenKey]);
  const context = useMemo<EditorContextValue>(
    () => ({ catalog, layers, verdicts, expanded, toggleBlock, frozen }),
    [catalog, layers, verdicts, expanded, toggleBlock, frozen],
  );

  // ----- editing ------------------------------------------------------------------------------------------------
  const onNodesChange = useCallback(
    (changes: NodeChange<LayerNode>[]) => {
      const mine = documentNodeChanges(changes); // not the expanded blocks' display nodes
      if (mine.some((c) => c.type === "remove" || c.type === "add" || c.type === "replace")) edited();
      if (mine.length) setDoc((d) => ({ ...d, nodes: applyNodeChanges(mine, d.nodes) }));
    },
    [edited, documentNodeChanges],
  );
  const onEdgesChange = useCallback(
    (changes: EdgeChange<GraphEdge>[]) => {
      const mine = documentEdgeChanges(changes);
      if (mine.some((c) => c.type === "remove" || c.type === "add" || c.type === "replace")) edited();
      if (mine.length) setDoc((d) => ({ ...d, edges: applyEdgeChanges(mine, d.edges) }));
    },
    [edited, documentEdgeChanges],
  );
  const typeOf = useCallback((nodes: readonly LayerNode[]) => new Map(nodes.map((n) => [n.id, n.type])), []);
  const docRef = useRef(doc);
  docRef.current = doc;
  const onConnect = useCallback(
    (c: Connection) => {
      const d = docRef.current;
      const result = connectPorts(d.edges, c, typeOf(d.nodes), layers);
      if (result.error) {
        setNotice(result.error, "error");
        return;
      }
      edited();
      setDoc((cur) => ({ ...cur, edges: result.edges }));
    },
    [edited, layers, typeOf, setNotice],
  );
  const isValidConnection = useCallback<IsValidConnection<GraphEdge>>(
    (c) => c.source !== c.target && !wouldCreateCycle(doc.edges, c.source, c.target),
    [doc.edges],
  );

  const viewportCentre = useCallback((): XY => {
    const box = canvasRef.current?.getBoundingClientRect();
    if (!box) return { x: 0, y: 0 };
    const p = rf.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 });
    return { x: p.x - 80, y: p.y - 40 };
  }, [rf]);

  /** Add a layer; without a drop point it goes after the selected layer (and is wired to it), else mid-view. */
  const addLayer = useCallback(
    (type: string, at?: XY) => {
      edited();
      const centre = at ?? viewportCentre();
      // a block from the library is copied into the graph, so that the spec holds everything it names
      const fromLibrary = libraryBlock(type);
      setDoc((d) => {
        const { nodes, edges, id } = addLayerTo(d, type, { at, centre }, layers);
        reveal.current = id;
        const blocks = d.blocks ?? [];
        const needed = fromLibrary && !blocks.some((b) => b.name === type);
        return { ...d, nodes, edges, ...(needed ? { blocks: [...blocks, fromLibrary] } : {}) };
      });
    },
    [edited, viewportCentre, layers, libraryBlock],
  );

  const onDragOver = useCallback((e: DragEvent) => {
    if (e.dataTransfer.types.includes(LAYER_MIME)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = "copy";
    }
  }, []);
  const onDrop = useCallback(
    (e: DragEvent) => {
      const type = e.dataTransfer.getData(LAYER_MIME);
      if (!type) return;
      e.preventDefault();
      const p = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      addLayer(type, { x: p.x - 80, y: p.y - 30 });
    },
    [rf, addLayer],
  );

  const updateData = useCallback(
    (id: string, update: (data: LayerData) => LayerData) => {
      edited();
      setDoc((d) => ({ ...d, nodes: d.nodes.map((n) => (n.id === id ? { ...n, data: update(n.data) } : n)) }));
    },
    [edited],
  );
  const rename = useCallback(
    (from: string, to: string) => {
      edited();
      setDoc((d) => ({ ...d, ...renameNode(d, from, to) }));
    },
    [edited],
  );
  const updateSettings = useCallback(
    (fn: (s: RunSettings) => RunSettings) => {
      edited();
      setDoc((d) => ({ ...d, settings: fn(d.settings) }));
    },
    [edited],
  );
  const deleteNode = useCallback((id: string) => void rf.deleteElements({ nodes: [{ id }] }), [rf]);

  const saveAsBlock = useSaveAsBlock({ docRef, setDoc, layers, edited, setNotice, reloadLibrary });
  const deleteEdge = useCallback((id: string) => void rf.deleteElements({ edges: [{ id }] }), [rf]);

  const docs = useDocuments({ catalog, spec, doc, setDoc, load, setNotice, examples: examples.data });

  // ----- view ---------------------------------------------------------------------------------------------------
  const selectedNodes = doc.nodes.filter((n) => n.selected);
  const selectedEdges = doc.edges.filter((e) => e.selected);
  const selected = selectedNodes.length === 1 ? selectedNodes[0] : undefined;
  const programKind = doc.settings.program?.kind ?? "supervised";
  const roles = catalog.programs?.find((p) => p.kind === programKind)?.roles ?? ["model"];
  const outputs = useMemo(() => outputNodes(doc.nodes, doc.edges), [doc.nodes, doc.edges]);
  const status = statusLine({ notice, report, pending: validation.pending, error: validation.error });
  const canTrain = !validation.pending && report?.ok === true;
  const paramsOf = useMemo(() => new Map((report?.nodes ?? []).map((n) => [n.id, n.params])), [report]);

  return (
    <EditorContext.Provider value={context}>
      <div className="editor">
        <Toolbar
          examples={examples.data ?? []}
          spec={spec}
          saved={doc.saved}
          status={status}
          canTrain={canTrain}
          training={docs.training}
          onTemplate={docs.openTemplate}
          onGallery={() => setGalleryOpen(true)}
          onNew={docs.newGraph}
          onSave={docs.save}
          onOpenGraph={docs.openGraph}
          onGraphDeleted={docs.graphDeleted}
          onUpload={docs.upload}
          onTrain={docs.train}
          onError={(text) => setNotice(text, "error")}
        />
        <div className="editor-body">
          <Palette layers={paletteLayers} onAdd={addLayer} />
          <div className="canvas-column">
            <div className="canvas" ref={canvasRef} onDragOver={onDragOver} onDrop={onDrop} data-testid="canvas">
              <ReactFlow<LayerNode, GraphEdge>
                nodes={shownNodes}
                edges={shownEdges}
                nodeTypes={nodeTypes}
                onNodesChange={onNodesChange}
                onEdgesChange={onEdgesChange}
                onConnect={onConnect}
                isValidConnection={isValidConnection}
                deleteKeyCode={["Backspace", "Delete"]}
                fitView
                fitViewOptions={{ padding: 0.08, maxZoom: 1.2 }}
                minZoom={0.1}
                defaultEdgeOptions={{ type: "smoothstep" }}
                proOptions={{ hideAttribution: true }}
              >
                <Background gap={20} size={1.2} />
                <Controls showInteractive={false} />
                <MiniMap
                  pannable
                  zoomable
                  nodeColor={(n) => `hsl(${categoryHue(layers.get(n.type ?? "")?.category)} 70% 55%)`}
                  nodeStrokeColor={(n) => (verdicts.get(n.id)?.errors.length ? "#dc2626" : "transparent")}
                />
              </ReactFlow>
              {doc.nodes.length === 0 && (
                <div className="canvas-empty">
                  <p>An empty graph. Add an <b>input</b> layer from the palette, or pick a template.</p>
                </div>
              )}
            </div>
            <IssuesBar
              issues={unplacedIssues}
              onLayers={(report?.issues.length ?? 0) - unplacedIssues.length}
              checked={report !== null}
              ok={report?.ok ?? false}
            />
          </div>
          <aside className="inspector" data-testid="inspector">
            {selected ? (
              <NodePanel
                key={selected.id}
                node={selected}
                entry={layers.get(selected.type ?? "")}
                verdict={verdicts.get(selected.id)}
                roles={roles}
                shareCandidates={doc.nodes.filter((n) => n.type === selected.type && n.id !== selected.id && !n.data.shares).map((n) => n.id)}
                takenIds={nodeIds}
                onData={updateData}
                onRename={rename}
                onDelete={deleteNode}
              />
            ) : selectedEdges.length === 1 && selectedNodes.length === 0 ? (
              <EdgePanel edge={selectedEdges[0]!} shape={edgeShapes.get(selectedEdges[0]!.id)} onDelete={deleteEdge} />
            ) : (
              <SelectionHint count={selectedNodes.length} onSaveBlock={() => void saveAsBlock()} />
            )}
            {init && (
              <FinetunePanel
                catalog={catalog}
                init={init}
                nodes={doc.nodes}
                edges={doc.edges}
                layers={layers}
                settings={doc.settings}
                paramsOf={paramsOf}
                update={updateSettings}
                onData={updateData}
              />
            )}
            <SettingsPanel catalog={catalog} settings={doc.settings} update={updateSettings} outputs={outputs} nodes={doc.nodes} />
          </aside>
        </div>
        {galleryOpen && (
          <Gallery
            examples={examples.data ?? []}
            layers={layers}
            onOpen={(name) => {
              setGalleryOpen(false);
              docs.openTemplate(name);
            }}
            onClose={() => setGalleryOpen(false)}
          />
        )}
      </div>
    </EditorContext.Provider>
  );
}
