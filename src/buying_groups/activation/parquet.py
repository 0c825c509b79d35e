"""Parquet copies of every ``marts.*`` table under ``<output>/marts/``, for BI."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from buying_groups.activation.atomic import commit, fsync_file, is_leftover_temp, temp_path_for
from buying_groups.model.marts import MARTS
from buying_groups.sql_files import quote_identifier

MARTS_DIR = "marts"


@dataclass(frozen=True)
class ExportedTable:
    table: str  # marts.<name>
    path: Path
    row_count: int
    byte_size: int


def export_marts_parquet(con: duckdb.DuckDBPyConnection, output_root: Path) -> list[ExportedTable]:
    """Write ``<output>/marts/<table>.parquet`` for each mart of ``model/marts.py``: written to
    a hidden temp file, fsynced, then renamed, so a reader never opens half a Parquet file.
    Parquet files of marts that no longer exist are removed afterwards."""
    directory = output_root / MARTS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    existing = {
        name
        for (name,) in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'marts' AND table_type = 'BASE TABLE'"
        ).fetchall()
    }
    tables = [spec.table for spec in MARTS if spec.table in existing]
    exported: list[ExportedTable] = []
    for name in tables:
        final_path = directory / f"{name}.parquet"
        temp_path = temp_path_for(final_path)
        try:
            relation = con.sql(f"SELECT * FROM marts.{quote_identifier(name)}")
            # The relation API takes the path as a value: no path text inside SQL. Our temp file
            # already makes the write atomic; DuckDB's own temp file (``tmp_<name>``, used
            # because mkstemp created the target) would only add a file a kill can strand.
            relation.write_parquet(str(temp_path), compression="zstd", use_tmp_file=False)
            fsync_file(temp_path)
            commit(temp_path, final_path)
        except BaseException:
            temp_path.unlink(missing_ok=True)
            raise
        (row_count,) = con.execute(f"SELECT count(*) FROM marts.{quote_identifier(name)}").fetchone()  # type: ignore[misc]
        exported.append(ExportedTable(f"marts.{name}", final_path, int(row_count), os.path.getsize(final_path)))

    current = {table.path for table in exported}
    for path in directory.iterdir():
        stale_export = path.suffix == ".parquet" and path not in current
        if path.is_file() and (stale_export or is_leftover_temp(path.name)):
            path.unlink(missing_ok=True)
    return exported
