// The catalog and the examples change only with a deploy: fetched once per page load and shared by every page.
import { api, type Catalog, type Example } from "./api";

let catalog: Promise<Catalog> | null = null;
let examples: Promise<Example[]> | null = null;

export function loadCatalog(): Promise<Catalog> {
  catalog ??= api.catalog().catch((err: unknown) => {
    catalog = null; // let the next page try again
    throw err;
  });
  return catalog;
}

export function loadExamples(): Promise<Example[]> {
  examples ??= api.examples().catch((err: unknown) => {
    examples = null;
    throw err;
  });
  return examples;
}

/** Layer categories in palette order; categories added later go after these, alphabetically. */
const CATEGORY_ORDER = ["input", "core", "convolution", "recurrent", "activation", "normalization", "reshape", "merge", "block"];

export function compareCategories(a: string, b: string): number {
  const ia = CATEGORY_ORDER.indexOf(a);
  const ib = CATEGORY_ORDER.indexOf(b);
  if (ia !== ib) return (ia < 0 ? CATEGORY_ORDER.length : ia) - (ib < 0 ? CATEGORY_ORDER.length : ib);
  return a.localeCompare(b);
}

const HUES: Record<string, number> = {
  input: 152,
  core: 217,
  convolution: 245,
  recurrent: 292,
  activation: 32,
  normalization: 186,
  reshape: 330,
  merge: 285,
  block: 262,
};

/** The hue (0–360) a category's nodes are drawn in; an unknown category gets a stable one from its name. */
export function categoryHue(category: string | undefined): number {
  if (!category) return 220;
  if (category in HUES) return HUES[category]!;
  let h = 0;
  for (const ch of category) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return h;
}
