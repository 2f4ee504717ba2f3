// The data sets on the server, for the data panel: `GET /api/data/dirs` lists every directory under the data root
// (PLAYGROUND_DATA_ROOT) that holds .h5 files — a class directory. Class directories side by side make one data set,
// named by their `parent`, which is what a spec's `data.data_dir` holds (relative to the root; the server makes it
// absolute at submit and refuses anything outside the root). Users choose a data set here; they never type a path.

/** One class directory: `path` and `parent` are relative to the data root ("" is the root itself). */
export interface DataDirEntry {
  path: string;
  parent: string;
  name: string;
  files: number;
  events: number;
  unreadable: number;
}

/** The reply of `GET /api/data/dirs`. */
export interface DataDirListing {
  root_exists: boolean;
  dirs: DataDirEntry[];
}

/** A data set: the class directories under one parent, with their totals. `dataDir` is the spec's value. */
export interface DataDirGroup {
  parent: string;
  dataDir: string;
  label: string;
  classes: DataDirEntry[];
  files: number;
  events: number;
  unreadable: number;
}

/** The spec value for class directories that sit directly in the root: "." (an empty data_dir means "none"). */
export const ROOT_DIR = ".";

/** Whether a catalog data set reads files from `data.data_dir`: its help or a parameter's help says so. The
 * catalog has no flag for it, and a new file-reading data set should get the panel with no edit here. */
export function readsDataDir(entry: { help: string; params?: readonly { help: string }[] }): boolean {
  const mentions = (text: string) => /\bdata_dir\b/.test(text);
  return mentions(entry.help) || (entry.params ?? []).some((p) => mentions(p.help));
}

/** The listing as data sets, sorted by parent, each one's class directories sorted by name. */
export function groupDataDirs(dirs: readonly DataDirEntry[]): DataDirGroup[] {
  const byParent = new Map<string, DataDirEntry[]>();
  for (const d of dirs) byParent.set(d.parent, [...(byParent.get(d.parent) ?? []), d]);
  return [...byParent.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([parent, entries]) => {
      const classes = [...entries].sort((a, b) => a.name.localeCompare(b.name));
      return {
        parent,
        dataDir: parent === "" ? ROOT_DIR : parent,
        label: parent === "" ? "(data root)" : parent,
        classes,
        files: classes.reduce((n, c) => n + c.files, 0),
        events: classes.reduce((n, c) => n + c.events, 0),
        unreadable: classes.reduce((n, c) => n + c.unreadable, 0),
      };
    });
}

/** The class names a data set's `classes` parameter asks for ("Ele,Gamma" or "Ele=e*.h5": the names before "="). */
export function requestedClasses(param: unknown): string[] {
  if (typeof param !== "string") return [];
  return param
    .split(",")
    .map((c) => c.split("=")[0]!.trim())
    .filter((c) => c !== "");
}

/** The requested classes a data set has no directory for (only plain names: a `Name=glob` may match elsewhere). */
export function missingClasses(group: DataDirGroup, param: unknown): string[] {
  const plain = typeof param === "string" ? param.split(",").filter((c) => !c.includes("=")) : [];
  const have = new Set(group.classes.map((c) => c.name));
  return requestedClasses(plain.join(",")).filter((c) => !have.has(c));
}

/** The message for a listing with nothing to choose; null when there is something. */
export function emptyListingMessage(listing: DataDirListing): string | null {
  if (!listing.root_exists) {
    return "The server has no data directory (PLAYGROUND_DATA_ROOT is not set or does not exist): ask whoever runs it.";
  }
  if (listing.dirs.length === 0) {
    return "The server's data directory holds no HDF5 files yet: `playground make-calo <root>/<name>` writes a data set there.";
  }
  return null;
}

/** The URL of one event's picture (energy deposits of the first file in a class directory). */
export function previewUrl(path: string, event: number): string {
  return `/api/data/preview?path=${encodeURIComponent(path)}&event=${Math.max(0, Math.floor(event))}`;
}
