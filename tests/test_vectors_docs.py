# The families' part of docs/vectors.md (shell/vectors/docs.py): rendered from each family's
# schema, and the document in the repository is what the families render today.
from __future__ import annotations

import pytest

from backable.shell.vectors.docs import BEGIN, END, render_families, update_docs
from backable.shell.vectors.families import all_families
from tests.vectors_helpers import ROOT

DOC = ROOT / "docs" / "vectors.md"


def test_docs_vectors_md_is_what_the_families_render() -> None:
    # Regenerate with `backable vectors docs --update docs/vectors.md`.
    text = DOC.read_text()
    assert update_docs(text) == text


def test_each_family_has_a_row_and_a_section_with_its_schema() -> None:
    rendered = render_families()
    for family in all_families():
        assert f"| [`{family.name}`](#{family.name}) | {family.summary} |" in rendered
        assert f"### `{family.name}`\n\n{family.schema.strip()}" in rendered


def test_the_document_describes_the_protocol_before_the_families() -> None:
    text = DOC.read_text()
    head = text.split(BEGIN)[0]
    for words in ('{"id": N, "family": F, "input": {...}}', '{"id": N, "output": {...}}',
                  '{"id": N, "error": "..."}', "unsupported family", "--timeout",
                  "process group", "line feed"):
        assert words in head, words


def test_updating_needs_both_markers_in_order() -> None:
    with pytest.raises(ValueError, match="are not there"):
        update_docs("nothing here")
    with pytest.raises(ValueError, match="in that order"):
        update_docs(f"{END}\n{BEGIN}\n")
    assert update_docs(f"a{BEGIN}x{END}b", []) == (
        f"a{BEGIN}\n\n| family | what it checks |\n| --- | --- |\n\n{END}b"
    )
