// The views that look inside a network, in the order one reads them: feature maps and filters, hidden states, then
// how it errs (confusion matrix, worst examples, ROC curves). Each is its own component; absent events draw nothing.
import type { RunData } from "../lib/runData";
import { ConfusionView } from "./ConfusionView";
import { FeatureMapsView } from "./FeatureMapsView";
import { FiltersView } from "./FiltersView";
import { HiddenStatesView } from "./HiddenStatesView";
import { RocView } from "./RocView";
import { WorstView } from "./WorstView";

const IMAGE_PREFIXES = ["features/", "filters/", "hidden/"];

/** Whether one of these views shows an image event (the page's generic "Images" section leaves it out). */
export function isViewImage(key: string): boolean {
  return key === "worst" || IMAGE_PREFIXES.some((p) => key.startsWith(p));
}

export function isViewTable(key: string): boolean {
  return key === "confusion" || key.startsWith("roc/");
}

export function ArchitectureViews({ data, order }: { data: RunData; order: (a: string, b: string) => number }) {
  const roc = [...data.tables.values()].filter((t) => t.key.startsWith("roc/"));
  return (
    <>
      <FeatureMapsView images={data.images} order={order} />
      <FiltersView images={data.images} order={order} />
      <HiddenStatesView images={data.images} order={order} />
      <ConfusionView table={data.tables.get("confusion")} />
      <WorstView image={data.images.get("worst")} />
      <RocView tables={roc} />
    </>
  );
}
