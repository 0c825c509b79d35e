"""Metadata that makes the Dagster UI tell the story: row counts, column schemas, previews.

Column schemas of validated tables come from their Pandera models; for marts they are read
off DuckDB (the table is the contract there).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import dagster as dg
import duckdb
import pandera.polars as pa

from buying_groups.model.entities import EntitySpec


def schema_from_entity(spec: EntitySpec) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=c.name,
                type=c.duckdb_type,
                description=c.description,
                constraints=dg.TableColumnConstraints(nullable=c.nullable, unique=c.unique),
            )
            for c in spec.columns
        ]
    )


def schema_from_model(model: type[pa.DataFrameModel]) -> dg.TableSchema:
    """Column schema of a table described by a Pandera model that is not a landing entity."""
    schema = model.to_schema()
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=name,
                type=str(column.dtype),
                description=column.description or "",
                constraints=dg.TableColumnConstraints(nullable=column.nullable, unique=column.unique),
            )
            for name, column in schema.columns.items()
        ]
    )


def schema_from_table(con: duckdb.DuckDBPyConnection, table: str) -> dg.TableSchema:
    schema_name, table_name = table.split(".", 1)
    rows = con.execute(
        """
        SELECT column_name, data_type, is_nullable = 'YES'
        FROM information_schema.columns
        WHERE table_schema = $schema AND table_name = $table
        ORDER BY ordinal_position
        """,
        {"schema": schema_name, "table": table_name},
    ).fetchall()
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name=name, type=dtype, constraints=dg.TableColumnConstraints(nullable=nullable))
            for name, dtype, nullable in rows
        ]
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    text = str(value).replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= 60 else text[:57] + "..."


def markdown_table(columns: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    """A small Markdown table (the UI renders it); long cells are cut."""
    columns = list(columns)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def preview_markdown(con: duckdb.DuckDBPyConnection, table: str, limit: int = 5) -> str:
    # `table` is one of our own qualified table names, never user input.
    relation = con.sql(f"SELECT * FROM {table} LIMIT {int(limit)}")
    return markdown_table(relation.columns, relation.fetchall())


def table_metadata(
    con: duckdb.DuckDBPyConnection,
    table: str,
    *,
    schema: dg.TableSchema | None = None,
    extra: Mapping[str, Any] | None = None,
    preview_rows: int = 5,
) -> dict[str, Any]:
    """Standard metadata for a DuckDB table: row count, column schema, table name, preview."""
    (row_count,) = con.execute(f"SELECT count(*) FROM {table}").fetchone()  # type: ignore[misc]
    metadata: dict[str, Any] = {
        "dagster/row_count": int(row_count),
        "dagster/table_name": table,
        "dagster/column_schema": schema or schema_from_table(con, table),
        "preview": dg.MetadataValue.md(preview_markdown(con, table, preview_rows)),
    }
    metadata.update(extra or {})
    return metadata
