import { describe, expect, it } from "vitest";
import {
  emptyListingMessage,
  groupDataDirs,
  missingClasses,
  previewUrl,
  readsDataDir,
  requestedClasses,
  ROOT_DIR,
  type DataDirEntry,
} from "./dataDirs";

const dir = (path: string, files = 2, events = 120, unreadable = 0): DataDirEntry => {
  const parts = path.split("/");
  return { path, parent: parts.slice(0, -1).join("/"), name: parts[parts.length - 1]!, files, events, unreadable };
};

describe("which data sets read files", () => {
  it("is the one whose help names data_dir", () => {
    expect(readsDataDir({ help: "Showers (HDF5 files under data_dir, one directory per class)." })).toBe(true);
    expect(readsDataDir({ help: "Gaussian clusters.", params: [{ help: "Read from data_dir." }] })).toBe(true);
  });

  it("is not a generated toy set, nor a word that merely contains data_dir", () => {
    expect(readsDataDir({ help: "2-D, 2 classes: a disc inside a ring.", params: [{ help: "samples" }] })).toBe(false);
    expect(readsDataDir({ help: "uses mydata_dirt" })).toBe(false);
  });
});

describe("grouping class directories into data sets", () => {
  const groups = groupDataDirs([dir("tiny/Pi0"), dir("big/Ele", 10, 10000), dir("tiny/Ele", 3, 150, 1), dir("Gamma", 1, 60)]);

  it("gives one data set per parent, sorted, with its classes sorted", () => {
    expect(groups.map((g) => g.parent)).toEqual(["", "big", "tiny"]);
    expect(groups[2]!.classes.map((c) => c.name)).toEqual(["Ele", "Pi0"]);
  });

  it("sums files, events and unreadable files over the classes", () => {
    const tiny = groups[2]!;
    expect([tiny.files, tiny.events, tiny.unreadable]).toEqual([5, 270, 1]);
  });

  it("names class directories in the root itself by '.' (an empty data_dir would mean none)", () => {
    expect(groups[0]!.dataDir).toBe(ROOT_DIR);
    expect(groups[2]!.dataDir).toBe("tiny");
  });
});

describe("the classes a spec asks for", () => {
  it("reads names before any glob", () => {
    expect(requestedClasses("Ele, Gamma=g*.h5 ,,Pi0")).toEqual(["Ele", "Gamma", "Pi0"]);
    expect(requestedClasses(undefined)).toEqual([]);
  });

  it("names the plain classes a data set has no directory for", () => {
    const [tiny] = groupDataDirs([dir("tiny/Ele"), dir("tiny/Gamma")]);
    expect(missingClasses(tiny!, "Ele,Gamma,Pi0,ChPi=pions*.h5")).toEqual(["Pi0"]);
  });
});

describe("messages and URLs", () => {
  it("says why there is nothing to choose", () => {
    expect(emptyListingMessage({ root_exists: false, dirs: [] })).toMatch(/PLAYGROUND_DATA_ROOT/);
    expect(emptyListingMessage({ root_exists: true, dirs: [] })).toMatch(/make-calo/);
    expect(emptyListingMessage({ root_exists: true, dirs: [dir("a/b")] })).toBeNull();
  });

  it("escapes the path of a preview and keeps the event a whole non-negative number", () => {
    expect(previewUrl("my data/Ele", 2.7)).toBe("/api/data/preview?path=my%20data%2FEle&event=2");
    expect(previewUrl("a", -3)).toBe("/api/data/preview?path=a&event=0");
  });
});
