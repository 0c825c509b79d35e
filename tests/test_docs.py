"""docs/tables.md documents every column, in sync with the Pandera models of b2b and marts."""

from __future__ import annotations

from pathlib import Path

import pytest

from buying_groups.docs import b2b_tables_markdown, marts_tables_markdown

TABLES_DOC = Path(__file__).resolve().parents[1] / "docs" / "tables.md"


@pytest.mark.parametrize("generate", [b2b_tables_markdown, marts_tables_markdown], ids=["b2b", "marts"])
def test_tables_doc_embeds_the_generated_reference(generate):
    assert generate() in TABLES_DOC.read_text(encoding="utf-8"), (
        "docs/tables.md is out of date: paste the output of `python -m buying_groups.docs`"
    )
