"""The built-in blocks of the lecture's famous CNNs, declared as data: the residual blocks of ResNet (basic and
bottleneck) and GoogLeNet's Inception module. Each appears in the palette with `category: "block"`."""

from __future__ import annotations

from typing import Any

from trainer.graph.blocks import register_block


def _conv(nid: str, filters: Any, kernel: int, stride: Any = 1, padding: str = "0") -> dict[str, Any]:
    params = {"filters": filters, "kernel_size": kernel, "stride": stride, "padding": padding, "bias": False}
    return {"id": nid, "type": "conv2d", "params": params}


def _chain(*ids: str) -> list[dict[str, str]]:
    return [{"source": a, "target": b} for a, b in zip(ids, ids[1:])]


_CHANNELS = {"name": "channels", "kind": "int", "default": 16, "min": 1, "max": 4096}
_STRIDE = {
    "name": "stride",
    "kind": "int",
    "default": 1,
    "min": 1,
    "max": 4,
    "first_only": True,
    "help": "Stride of the first repeat (2 halves the image at the start of a stage); later repeats use 1.",
}

register_block(
    {
        "name": "residual_basic",
        "help": "ResNet's basic block: 3×3 conv → BN → ReLU → 3×3 conv → BN, plus the shortcut, then ReLU "
        "(ResNet-18/34). The shortcut projects (1×1 conv + BN) when channels or stride change.",
        "params": [{**_CHANNELS, "help": "Output channels of both convolutions."}, _STRIDE],
        "nodes": [
            {"id": "x", "type": "input"},
            _conv("conv_a", "$channels", 3, "$stride", "1"),
            {"id": "bn_a", "type": "batchnorm"},
            {"id": "relu_a", "type": "relu"},
            _conv("conv_b", "$channels", 3, 1, "1"),
            {"id": "bn_b", "type": "batchnorm"},
            {"id": "shortcut", "type": "shortcut", "params": {"filters": "$channels", "stride": "$stride"}},
            {"id": "sum", "type": "add"},
            {"id": "out", "type": "relu"},
        ],
        "edges": [
            *_chain("x", "conv_a", "bn_a", "relu_a", "conv_b", "bn_b", "sum", "out"),
            {"source": "x", "target": "shortcut"},
            {"source": "shortcut", "target": "sum"},
        ],
        "output": "out",
    }
)

register_block(
    {
        "name": "residual_bottleneck",
        "help": "ResNet's bottleneck block: 1×1 conv (reduce to `channels`) → 3×3 conv → 1×1 conv (expand to "
        "4 × channels), each with BN, plus the shortcut, then ReLU (ResNet-50/101/152).",
        "params": [{**_CHANNELS, "help": "Width of the 3×3 convolution; the block outputs 4 × channels."}, _STRIDE],
        "nodes": [
            {"id": "x", "type": "input"},
            _conv("conv_a", "$channels", 1),
            {"id": "bn_a", "type": "batchnorm"},
            {"id": "relu_a", "type": "relu"},
            _conv("conv_b", "$channels", 3, "$stride", "1"),
            {"id": "bn_b", "type": "batchnorm"},
            {"id": "relu_b", "type": "relu"},
            _conv("conv_c", "$channels*4", 1),
            {"id": "bn_c", "type": "batchnorm"},
            {"id": "shortcut", "type": "shortcut", "params": {"filters": "$channels*4", "stride": "$stride"}},
            {"id": "sum", "type": "add"},
            {"id": "out", "type": "relu"},
        ],
        "edges": [
            *_chain("x", "conv_a", "bn_a", "relu_a", "conv_b", "bn_b", "relu_b", "conv_c", "bn_c", "sum", "out"),
            {"source": "x", "target": "shortcut"},
            {"source": "shortcut", "target": "sum"},
        ],
        "output": "out",
    }
)


def _filters(name: str, default: int, what: str) -> dict[str, Any]:
    return {"name": name, "kind": "int", "default": default, "min": 1, "max": 1024, "help": what}


register_block(
    {
        "name": "inception",
        "help": "GoogLeNet's Inception module: 1×1, 3×3 and 5×5 convolutions and a pooled branch side by side, "
        "their feature maps concatenated (output channels = f1 + f3 + f5 + pool_proj).",
        "params": [
            _filters("f1", 16, "Filters of the 1×1 branch."),
            _filters("f3_reduce", 16, "1×1 filters before the 3×3 convolution."),
            _filters("f3", 24, "Filters of the 3×3 branch."),
            _filters("f5_reduce", 4, "1×1 filters before the 5×5 convolution."),
            _filters("f5", 8, "Filters of the 5×5 branch."),
            _filters("pool_proj", 8, "1×1 filters after the 3×3 max pooling."),
        ],
        "nodes": [
            {"id": "x", "type": "input"},
            {"id": "b1", "type": "conv2d", "params": {"filters": "$f1", "kernel_size": 1}},
            {"id": "b1_relu", "type": "relu"},
            {"id": "b3_reduce", "type": "conv2d", "params": {"filters": "$f3_reduce", "kernel_size": 1}},
            {"id": "b3_reduce_relu", "type": "relu"},
            {"id": "b3", "type": "conv2d", "params": {"filters": "$f3", "kernel_size": 3, "padding": "1"}},
            {"id": "b3_relu", "type": "relu"},
            {"id": "b5_reduce", "type": "conv2d", "params": {"filters": "$f5_reduce", "kernel_size": 1}},
            {"id": "b5_reduce_relu", "type": "relu"},
            {"id": "b5", "type": "conv2d", "params": {"filters": "$f5", "kernel_size": 5, "padding": "2"}},
            {"id": "b5_relu", "type": "relu"},
            {"id": "pool", "type": "max_pool2d", "params": {"kernel_size": 3, "stride": 1, "padding": 1}},
            {"id": "pool_proj", "type": "conv2d", "params": {"filters": "$pool_proj", "kernel_size": 1}},
            {"id": "pool_relu", "type": "relu"},
            {"id": "out", "type": "concat", "params": {"axis": 0}},
        ],
        "edges": [
            *_chain("x", "b1", "b1_relu"),
            *_chain("x", "b3_reduce", "b3_reduce_relu", "b3", "b3_relu"),
            *_chain("x", "b5_reduce", "b5_reduce_relu", "b5", "b5_relu"),
            *_chain("x", "pool", "pool_proj", "pool_relu"),
            *({"source": s, "target": "out"} for s in ("b1_relu", "b3_relu", "b5_relu", "pool_relu")),
        ],
        "output": "out",
    }
)
