"""Reference documentation generated from the Pandera models.

``python -m buying_groups.docs --write docs/tables.md`` rewrites the page's generated blocks
(between ``<!-- generated: NAME -->`` and ``<!-- end generated -->``); a test keeps them equal
to the models, so each column is described once, in ``model/schemas.py`` or ``model/marts.py``.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from buying_groups.model import ENTITIES
from buying_groups.model.entities import ColumnSpec
from buying_groups.model.marts import MARTS

_ON_INVALID = {"reject": "row quarantined", "nullify": "emptied, flagged"}


def _bad_value(column: ColumnSpec) -> str:
    if not column.source:
        return "—"
    text = _ON_INVALID[column.on_invalid]
    if not column.nullable and column.duckdb_type != "BOOLEAN" and column.on_invalid != "reject":
        text += "; empty quarantines"
    if column.sets_flag:
        text += f"; sets `{column.sets_flag}`"
    return text


def b2b_tables_markdown() -> str:
    lines: list[str] = []
    for spec in ENTITIES:
        lines += [
            f"#### `{spec.qualified_table}` — from `{spec.entity}` files, {spec.mode} on `{spec.key_column}`",
            "",
            "| column | type | from | on a bad value | meaning |",
            "|---|---|---|---|---|",
        ]
        for column in spec.columns:
            source = f"`{column.source}`" if column.source else "derived"
            meaning = column.description.replace("<", "&lt;").replace(">", "&gt;")
            lines.append(f"| `{column.name}` | {column.duckdb_type} | {source} | {_bad_value(column)} | {meaning} |")
        lines.append("")
    return "\n".join(lines)


def _escape(text: str) -> str:
    return text.replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def marts_tables_markdown() -> str:
    lines: list[str] = []
    for spec in MARTS:
        key = f", key ({', '.join(spec.primary_key)})" if spec.primary_key else ""
        lines += [
            f"#### `{spec.qualified_table}`{key}",
            "",
            _escape(spec.description),
            "",
            "| column | type | meaning |",
            "|---|---|---|",
        ]
        for column in spec.columns:
            meaning = _escape(column.description)
            if column.allowed:
                meaning += " (one of " + ", ".join(f"`{value}`" for value in column.allowed) + ")"
            lines.append(
                f"| `{column.name}` | {column.duckdb_type}{'' if column.nullable else ' not null'} | {meaning} |"
            )
        lines.append("")
    return "\n".join(lines)


GENERATED = {"b2b": b2b_tables_markdown, "marts": marts_tables_markdown}
_BLOCK = re.compile(r"(<!-- generated: (\w+)[^>]*-->\n)(.*?)(<!-- end generated -->)", re.S)


def generated_blocks(text: str) -> dict[str, str]:
    """The generated blocks of a Markdown page, by name."""
    return {match.group(2): match.group(3) for match in _BLOCK.finditer(text)}


def rewrite_generated(text: str) -> str:
    """The page with every generated block replaced by what the models give now."""
    return _BLOCK.sub(lambda m: m.group(1) + "\n" + GENERATED[m.group(2)]() + "\n" + m.group(4), text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Reference tables generated from the Pandera models.")
    parser.add_argument("--write", type=Path, metavar="PAGE", help="rewrite the generated blocks of this page")
    args = parser.parse_args(argv)
    if args.write:
        args.write.write_text(rewrite_generated(args.write.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        print("\n".join(generate() for generate in GENERATED.values()))


if __name__ == "__main__":
    main()
