"""The built-in layer families; importing this package registers them all in the layer catalog."""

from trainer.graph.layers import (  # noqa: F401
    activations,
    builtin_blocks,
    conv,
    core,
    embedding,
    graph_conv,
    merge,
    normalization,
    pooling,
    recurrent,
    shortcut,
    time_distributed,
)
