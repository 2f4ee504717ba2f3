"""The built-in layer families; importing this package registers them all in the layer catalog."""

from trainer.graph.layers import activations, core, merge, normalization  # noqa: F401
