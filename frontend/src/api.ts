// The browser's only door to the Django API: same-origin fetch, session cookie, CSRF header, typed replies.
import type { RunSpec } from "./generated/runspec";
import type { BlockDef } from "./lib/blocks";
import type { DataDirListing } from "./lib/dataDirs";

export type ParamKind = "int" | "float" | "bool" | "choice" | "str" | "ints";

/** One parameter of a catalog entry; the forms are generated from these. */
export interface ParamSpec {
  name: string;
  kind: ParamKind;
  default: unknown;
  help: string;
  min?: number;
  max?: number;
  choices?: string[];
  nullable?: boolean;
  min_len?: number;
  max_len?: number;
}

export interface LayerEntry {
  type: string;
  category: string;
  help: string;
  params: ParamSpec[];
  inputs: string[];
  variadic: boolean;
  outputs: string[];
}

export interface NamedEntry {
  name: string;
  help: string;
  params: ParamSpec[];
  task?: string;
  default?: boolean;
}

/** A training program: how the networks named by `roles` are trained. */
export interface ProgramEntry {
  kind: string;
  help: string;
  roles: string[];
  params: ParamSpec[];
}

export interface Catalog {
  layers: LayerEntry[];
  datasets: NamedEntry[];
  losses: NamedEntry[];
  optimizers: NamedEntry[];
  schedules: NamedEntry[];
  probes: NamedEntry[];
  programs?: ProgramEntry[];
}

/** Shape without names: `null` is the batch dimension. */
export type Shape = (number | null)[];

export interface Issue {
  type: string;
  message: string;
  node_id: string | null;
  field: string | null;
}

export interface NodeReport {
  id: string;
  type: string;
  network: string;
  output_shape: Shape | null;
  output_shapes?: Record<string, Shape | null>;
  params: number;
  shares?: string | null;
}

export interface EdgeReport {
  /** The edge's position in the spec's `graph.edges`. */
  index: number;
  source: string;
  target: string;
  shape: Shape | null;
}

export interface NetworkReport {
  role: string;
  inputs: string[];
  outputs: string[];
  params: number;
}

export interface ValidationReport {
  ok: boolean;
  nodes: NodeReport[];
  edges: EdgeReport[];
  networks?: NetworkReport[];
  total_params: number;
  issues: Issue[];
}

export type RunId = number | string;
export type RunStatus = "queued" | "running" | "paused" | "finished" | "failed" | "cancelled";

export interface RunSummary {
  id: RunId;
  name: string | null;
  status: RunStatus;
  created_at: string;
  step: number | null;
  total_steps: number | null;
}

export interface RunDetail extends RunSummary {
  message: string | null;
  spec: RunSpec;
  started_at: string | null;
  finished_at: string | null;
  last_seq: number;
  lr: number | null;
  attempts?: number;
}

export interface Example {
  name: string;
  title: string;
  description: string;
  spec: RunSpec;
}

export interface SavedGraph {
  id: number | string;
  name: string;
  updated_at: string;
  spec?: RunSpec;
}

/** A reply other than 2xx; `detail` is the server's message or its list of issues. */
export class ApiError extends Error {
  constructor(public status: number, public detail: unknown) {
    super(typeof detail === "string" ? detail : `HTTP ${status}`);
  }
}

/** Django's CSRF token, from its cookie: sent with every non-GET request and in the logout form. */
export function csrfToken(): string {
  return cookie("csrftoken") ?? "";
}

function cookie(name: string): string | undefined {
  for (const part of document.cookie.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return undefined;
}

async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  const res = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  if (res.status === 401) {
    window.location.assign(`/accounts/login/?next=${encodeURIComponent(location.pathname + location.search)}`);
    throw new ApiError(401, "not logged in");
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // not JSON (a proxy's error page): keep the text as the detail
  }
  if (!res.ok) {
    const detail = json && typeof json === "object" && "detail" in json ? (json as { detail: unknown }).detail : text;
    throw new ApiError(res.status, detail);
  }
  return json as T;
}

export const api = {
  me: () => request<{ username: string; is_staff?: boolean }>("GET", "/api/me"),
  catalog: () => request<Catalog>("GET", "/api/catalog"),
  examples: () => request<Example[]>("GET", "/api/examples"),
  /** Accepts any JSON object: an unfinished spec is answered with its issues, not an error. */
  validate: (spec: unknown, signal?: AbortSignal) => request<ValidationReport>("POST", "/api/validate", spec, signal),
  createRun: (spec: RunSpec) => request<{ id: RunId; status: RunStatus }>("POST", "/api/runs", spec),
  runs: () => request<RunSummary[]>("GET", "/api/runs"),
  run: (id: RunId) => request<RunDetail>("GET", `/api/runs/${id}`),
  control: (id: RunId, action: "cancel" | "pause" | "resume") => request<RunDetail>("POST", `/api/runs/${id}/${action}`),
  setLr: (id: RunId, lr: number) => request<RunDetail>("PATCH", `/api/runs/${id}/settings`, { lr }),
  graphs: () => request<SavedGraph[]>("GET", "/api/graphs"),
  graph: (id: SavedGraph["id"]) => request<SavedGraph>("GET", `/api/graphs/${id}`),
  createGraph: (name: string, spec: RunSpec) => request<SavedGraph>("POST", "/api/graphs", { name, spec }),
  updateGraph: (id: SavedGraph["id"], name: string, spec: RunSpec) =>
    request<SavedGraph>("PUT", `/api/graphs/${id}`, { name, spec }),
  deleteGraph: (id: SavedGraph["id"]) => request<null>("DELETE", `/api/graphs/${id}`),
  /** The user's block library (absent on servers without blocks: a 404). */
  blocks: () => request<BlockDef[]>("GET", "/api/blocks"),
  saveBlock: (block: BlockDef) => request<BlockDef>("POST", "/api/blocks", block),
  deleteBlock: (name: string) => request<null>("DELETE", `/api/blocks/${encodeURIComponent(name)}`),
  /** The class directories under the server's data root, for the data panel (lib/dataDirs.ts). */
  dataDirs: () => request<DataDirListing>("GET", "/api/data/dirs"),
};

/** An error as one line for the user: the server's detail, or the issues' messages. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError && Array.isArray(err.detail)) {
    return (err.detail as Issue[]).map((i) => i.message).join("; ");
  }
  if (err instanceof ApiError && typeof err.detail === "string" && err.detail) return err.detail;
  return err instanceof Error ? err.message : String(err);
}
