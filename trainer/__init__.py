"""trainer: a pure PyTorch library that validates, compiles and trains the playground's run specifications.

Public API: `load_spec`, `validate`, `build`, `fit`, `catalog`. It never imports django, celery or channels.
"""

from __future__ import annotations

from trainer.graph.spec import RunSpec, load_spec

__all__ = ["RunSpec", "load_spec", "validate", "build", "fit", "catalog"]


def __getattr__(name: str):  # lazy: `import trainer` stays cheap for the CLI's --help and the schema
    if name == "validate":
        from trainer.graph.validate import validate

        return validate
    if name == "build":
        from trainer.graph.compile import build

        return build
    if name == "fit":
        from trainer.train.engine import fit

        return fit
    if name == "catalog":
        from trainer.catalogs import catalog

        return catalog
    raise AttributeError(f"module 'trainer' has no attribute {name!r}")
