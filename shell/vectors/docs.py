# The families' part of docs/vectors.md, rendered from each family's own schema text, so that
# the document and the code cannot drift: `backable vectors docs` prints it, `--update FILE`
# rewrites it between the two markers of FILE, and a test fails when docs/vectors.md differs
# from what the families render.
from __future__ import annotations

from collections.abc import Sequence

from .families import all_families
from .family import Family

__all__ = ["BEGIN", "END", "render_families", "update_docs"]

BEGIN = "<!-- families: rendered by `backable vectors docs --update docs/vectors.md` -->"
END = "<!-- /families -->"


def render_families(families: Sequence[Family] | None = None) -> str:
    """A table of the families, then one section per family: its summary and schema."""
    chosen = tuple(families) if families is not None else all_families()
    lines = ["| family | what it checks |", "| --- | --- |"]
    lines += [f"| [`{f.name}`](#{f.name}) | {f.summary} |" for f in chosen]
    for family in chosen:
        lines += ["", f"### `{family.name}`", "", family.schema.strip()]
    return "\n".join(lines) + "\n"


def update_docs(text: str, families: Sequence[Family] | None = None) -> str:
    """`text` with what lies between BEGIN and END replaced by `render_families()`.
    ValueError when the markers are missing or out of order."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"the markers {BEGIN!r} and {END!r} are not there, in that order")
    return text[: start + len(BEGIN)] + "\n\n" + render_families(families) + "\n" + text[end:]
