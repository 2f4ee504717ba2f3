// The read-only expanded view of a block node: a frame labelled with the block and its repeat count, holding the
// block's inner layers (React Flow child nodes, ids `<block node>__<inner>`). Nothing here is part of the spec.
import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import { memo, useContext, type CSSProperties } from "react";
import { categoryHue } from "../catalog";
import { inputPorts, outputPorts } from "../lib/graph";
import { paramSummary } from "../lib/params";
import { EditorContext } from "./context";

export type FrameData = { label: string; width: number; height: number };
export type InnerData = { innerType: string; params: Record<string, unknown> };

export const BLOCK_FRAME = "blockFrame";
export const BLOCK_INNER = "blockInner";

export const BlockFrame = memo(function BlockFrame({ id, data }: NodeProps<Node<FrameData>>) {
  return (
    <div className="block-frame" style={{ width: data.width, height: data.height }} data-testid={`node-${id}`}>
      <span className="block-frame-label">{data.label}</span>
    </div>
  );
});

export const InnerNodeCard = memo(function InnerNodeCard({ id, data }: NodeProps<Node<InnerData>>) {
  const ctx = useContext(EditorContext);
  const entry = ctx?.layers.get(data.innerType);
  const inputs = ctx ? inputPorts(ctx.layers, data.innerType) : ["in"];
  const outputs = ctx ? outputPorts(ctx.layers, data.innerType) : ["out"];
  const summary = entry ? paramSummary(entry.params, data.params) : "";
  const top = (i: number, n: number) => `${((i + 1) / (n + 1)) * 100}%`;
  return (
    <div className="node-card is-inner" style={{ "--node-hue": categoryHue(entry?.category) } as CSSProperties} data-testid={`node-${id}`} title="inside the block (read-only)">
      {inputs.map((port, i) => (
        <Handle key={port} type="target" position={Position.Left} id={port} style={{ top: top(i, inputs.length) }} isConnectable={false} />
      ))}
      <div className="node-head">
        <span className="node-type">{data.innerType}</span>
      </div>
      <div className="node-id">{id.slice(id.indexOf("__") + 2)}</div>
      {summary && <div className="node-summary">{summary}</div>}
      {outputs.map((port, i) => (
        <Handle key={port} type="source" position={Position.Right} id={port} style={{ top: top(i, outputs.length) }} isConnectable={false} />
      ))}
    </div>
  );
});
