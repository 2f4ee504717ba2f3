// The one React Flow node component: draws any catalog layer with a handle per port, its id, parameters,
// output shape and parameter count, and its validation errors.
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo, useContext, type CSSProperties } from "react";
import { categoryHue } from "../catalog";
import { formatCompact, formatShape } from "../lib/format";
import { blockOf } from "../lib/blocks";
import { inputPorts, outputPorts, type LayerNode } from "../lib/graph";
import { paramSummary } from "../lib/params";
import { EditorContext } from "./context";

/** Handle positions along a side: evenly spread, centred for one. */
function portTop(i: number, n: number): string {
  return `${((i + 1) / (n + 1)) * 100}%`;
}

export const NodeCard = memo(function NodeCard({ id, type, data, selected }: NodeProps<LayerNode>) {
  const ctx = useContext(EditorContext);
  const entry = ctx?.layers.get(type);
  const verdict = ctx?.verdicts.get(id);
  const inputs = ctx ? inputPorts(ctx.layers, type) : ["in"];
  const outputs = ctx ? outputPorts(ctx.layers, type) : ["out"];
  const errors = verdict?.errors ?? [];
  const summary = entry ? paramSummary(entry.params, data.params) : "";
  const style = { "--node-hue": categoryHue(entry?.category) } as CSSProperties;
  const isBlock = blockOf(entry) !== undefined;
  const expanded = ctx?.expanded?.has(id) ?? false;
  const repeat = Number(data.params.repeat ?? entry?.params.find((p) => p.name === "repeat")?.default ?? 1);
  const frozen = ctx?.frozen?.has(id) ?? false;
  const classes = [
    "node-card",
    errors.length ? "has-error" : "",
    selected ? "is-selected" : "",
    entry ? "" : "is-unknown",
    isBlock ? "is-block" : "",
    data.shares ? "is-sharing" : "",
  ];
  return (
    <div
      className={classes.filter(Boolean).join(" ")}
      style={style}
      data-testid={`node-${id}`}
      data-category={entry?.category ?? "unknown"}
      title={entry?.help}
    >
      {inputs.map((port, i) => (
        <Handle
          key={port}
          type="target"
          position={Position.Left}
          id={port}
          style={{ top: portTop(i, inputs.length) }}
          className={entry?.variadic ? "handle-variadic" : undefined}
          title={entry?.variadic ? `${port}: takes several inputs, in edge order` : port}
        />
      ))}
      <div className="node-head">
        <span className="node-type">{type}</span>
        {isBlock && (
          <span className="node-badge node-repeat" data-testid={`block-repeat-${id}`} title={`${repeat} cop${repeat === 1 ? "y" : "ies"} of the block`}>
            ×{repeat}
          </span>
        )}
        {frozen && (
          <span className="node-badge node-frozen" data-testid={`frozen-badge-${id}`} title="frozen: fine-tuning keeps these weights">
            ❄
          </span>
        )}
        {data.shares && <span className="node-badge node-shares" data-testid={`shares-badge-${id}`} title={`shares the weights of ${data.shares}`}>⇄ {data.shares}</span>}
        {verdict?.network && verdict.network !== "model" && <span className="node-badge">{verdict.network}</span>}
      </div>
      <div className="node-id">
        {id}
        {isBlock && ctx?.toggleBlock && (
          <button
            type="button"
            className="nodrag block-toggle"
            data-testid={expanded ? `block-collapse-${id}` : `block-expand-${id}`}
            title={expanded ? "Hide the block's inner graph" : "Show the block's inner graph"}
            onClick={(e) => {
              e.stopPropagation();
              ctx.toggleBlock?.(id);
            }}
          >
            {expanded ? "▾ collapse" : "▸ expand"}
          </button>
        )}
      </div>
      {data.label && <div className="node-label">{data.label}</div>}
      {summary && <div className="node-summary">{summary}</div>}
      <div className="node-foot">
        <span className="node-shape" data-testid={`node-shape-${id}`}>
          {verdict ? formatShape(verdict.shape) : "…"}
        </span>
        <span className="node-params" data-testid={`node-params-${id}`} title={verdict ? `${verdict.params} parameters` : undefined}>
          {verdict ? `${formatCompact(verdict.params)} params` : ""}
        </span>
      </div>
      {errors.length > 0 && (
        <div className="node-error" data-testid={`node-error-${id}`}>
          {errors.map((m, i) => (
            <div key={i}>{m}</div>
          ))}
        </div>
      )}
      {inputs.length > 1 &&
        inputs.map((port, i) => (
          <span key={port} className="port-label port-in" style={{ top: portTop(i, inputs.length) }}>
            {port}
          </span>
        ))}
      {outputs.length > 1 &&
        outputs.map((port, i) => (
          <span key={port} className="port-label port-out" style={{ top: portTop(i, outputs.length) }}>
            {port}
          </span>
        ))}
      {outputs.map((port, i) => (
        <Handle key={port} type="source" position={Position.Right} id={port} style={{ top: portTop(i, outputs.length) }} title={port} />
      ))}
    </div>
  );
});
