"""Benchmarks record their figures in docs/benchmarks.md, one section each, replaced on every run."""

from __future__ import annotations

from pathlib import Path


def replace_section(path: Path, heading: str, section: str) -> None:
    """Put `section` (which starts with `heading`, a `## ` line) in place of the page's section of that heading,
    or at the end when the page has none yet."""
    section = section.rstrip("\n") + "\n\n"  # a blank line before whatever section follows
    text = path.read_text() if path.exists() else "# Benchmarks\n\n"
    if heading in text:
        head, _, rest = text.partition(heading)
        nxt = rest.find("\n## ")
        text = head + section + (rest[nxt + 1 :] if nxt >= 0 else "")
    else:
        text = text.rstrip() + "\n\n" + section
    path.write_text(text)
