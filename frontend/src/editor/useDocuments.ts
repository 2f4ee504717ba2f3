// The editor's documents: templates, a new graph, saved graphs (open, save, delete), JSON files, and starting a
// run from the current spec.
import { useCallback, useState, type Dispatch, type SetStateAction } from "react";
import { api, errorText, type Catalog, type Example, type SavedGraph } from "../api";
import type { RunSpec } from "../generated/runspec";
import type { EditorGraph, RunSettings } from "../lib/graph";
import type { Notice } from "../lib/status";
import { navigate } from "../router";
import { looksLikeSpec, type SavedRef } from "./draft";

/** The template a first visit opens with, and whose data set a blank graph starts on. */
export const FIRST_TEMPLATE = "spiral";

export type Doc = EditorGraph & { saved: SavedRef | null };

/** A blank spec on the first data set (spiral when there is one): the editor's state before anything is loaded. */
export function blankSpec(catalog: Catalog, settings?: RunSettings): RunSpec {
  const data = catalog.datasets.find((d) => d.name === FIRST_TEMPLATE) ?? catalog.datasets[0];
  let base: RunSettings = { name: "Untitled", data: { name: data?.name ?? "" } };
  if (settings) {
    // the same training settings, minus what named a node of the old graph
    const { output: _output, ...loss } = settings.loss ?? {};
    base = { ...settings, name: "Untitled", ...(settings.loss ? { loss } : {}) };
  }
  return { ...base, graph: { version: 1, nodes: [], edges: [] } };
}

/** A spec from outside (file, saved graph) may lack `data`; the settings panel needs one to show. */
export function openable(spec: RunSpec, catalog: Catalog): RunSpec {
  return spec.data ? spec : { ...spec, data: { name: catalog.datasets[0]?.name ?? "" } };
}

export interface DocumentsArgs {
  catalog: Catalog;
  spec: RunSpec;
  doc: Doc;
  setDoc: Dispatch<SetStateAction<Doc>>;
  /** Replace the document (positions fitted to the view), with a notice. */
  load: (spec: RunSpec, saved: SavedRef | null, message: string | null) => void;
  setNotice: (text: string, tone?: Notice["tone"]) => void;
  examples: readonly Example[] | undefined;
}

export function useDocuments({ catalog, spec, doc, setDoc, load, setNotice, examples }: DocumentsArgs) {
  const [training, setTraining] = useState(false);
  const openTemplate = useCallback(
    (name: string) => {
      const ex = examples?.find((e) => e.name === name);
      if (ex) load(ex.spec, null, `loaded template “${ex.title}”`);
    },
    [examples, load],
  );
  const newGraph = useCallback(() => load(blankSpec(catalog, doc.settings), null, "new graph"), [catalog, doc.settings, load]);
  const openGraph = useCallback(
    (g: SavedGraph) => {
      if (!looksLikeSpec(g.spec)) {
        setNotice(`“${g.name}” holds no graph`, "error");
        return;
      }
      load(g.spec, { id: g.id, name: g.name }, `opened “${g.name}”`);
    },
    [load, setNotice],
  );
  const graphDeleted = useCallback(
    (id: SavedGraph["id"]) => {
      setDoc((d) => (d.saved?.id === id ? { ...d, saved: null } : d));
      setNotice("deleted");
    },
    [setNotice],
  );
  const save = useCallback(async () => {
    const suggested = doc.saved?.name ?? doc.settings.name ?? "Untitled";
    const answer = window.prompt("Save the graph as:", suggested);
    const name = answer?.trim();
    if (!name) return;
    const toSave: RunSpec = { ...spec, name };
    try {
      const g =
        doc.saved && doc.saved.name === name
          ? await api.updateGraph(doc.saved.id, name, toSave)
          : await api.createGraph(name, toSave);
      setDoc((d) => ({ ...d, saved: { id: g.id, name: g.name }, settings: { ...d.settings, name } }));
      setNotice("saved");
    } catch (err) {
      setNotice(`could not save: ${errorText(err)}`, "error");
    }
  }, [doc.saved, doc.settings.name, spec, setNotice]);
  const upload = useCallback(
    async (file: File) => {
      try {
        const parsed: unknown = JSON.parse(await file.text());
        if (!looksLikeSpec(parsed)) throw new Error("it is JSON, but not a run spec (no graph.nodes)");
        load(parsed, null, `opened ${file.name}`);
      } catch (err) {
        setNotice(`cannot open ${file.name}: ${errorText(err)}`, "error");
      }
    },
    [load, setNotice],
  );
  const train = useCallback(async () => {
    setTraining(true);
    try {
      const run = await api.createRun(spec);
      navigate(`/runs/${run.id}`);
    } catch (err) {
      setNotice(`could not start the run: ${errorText(err)}`, "error");
      setTraining(false);
    }
  }, [spec, setNotice]);

  return { openTemplate, newGraph, openGraph, graphDeleted, save, upload, train, training };
}
