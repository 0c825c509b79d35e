"""The README documents every column, in sync with the Pandera models."""

from __future__ import annotations

from pathlib import Path

from buying_groups.docs import b2b_tables_markdown

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_embeds_the_generated_b2b_reference():
    assert b2b_tables_markdown() in README.read_text(encoding="utf-8"), (
        "README is out of date: paste the output of `python -m buying_groups.docs`"
    )
