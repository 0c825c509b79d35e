"""Parquet copies of every ``marts.*`` table under ``<output>/marts/``, for BI.

``<output>/marts/manifest.json`` lists the files a run wrote; it is what makes a file ours.
A later run removes a Parquet file only when the previous manifest lists it and the table is
gone; any other file in the folder (a BI team's ``finance.parquet``) is never touched.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from buying_groups.activation.atomic import (
    atomic_write_bytes,
    commit,
    fsync_file,
    sweep_leftover_temps,
    temp_path_for,
)
from buying_groups.model.marts import MARTS
from buying_groups.sql_files import quote_identifier

MARTS_DIR = "marts"
MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class ExportedTable:
    table: str  # marts.<name>
    path: Path
    row_count: int
    byte_size: int


def _previously_written(directory: Path) -> set[str]:
    """File names the last run's manifest lists (plain ``<name>.parquet`` names only, so a
    tampered manifest cannot point outside the folder); none when there is no readable one."""
    try:
        manifest = json.loads((directory / MANIFEST_NAME).read_text(encoding="utf-8"))
        names = {str(entry["path"]) for entry in manifest["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    return {name for name in names if name.endswith(".parquet") and "/" not in name and not name.startswith(".")}


def export_marts_parquet(con: duckdb.DuckDBPyConnection, output_root: Path) -> list[ExportedTable]:
    """Write ``<output>/marts/<table>.parquet`` for each mart of ``model/marts.py``: written to
    a hidden temp file, fsynced, then renamed, so a reader never opens half a Parquet file.
    Then ``manifest.json`` lists them; files the previous manifest listed whose mart no
    longer exists are removed, and our temp files a crashed run left behind."""
    directory = output_root / MARTS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    previous = _previously_written(directory)
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

    # No byte sizes or checksums: DuckDB's Parquet bytes vary from run to run (parallel
    # writers), and the manifest of a re-run must equal the first run's.
    manifest: dict[str, Any] = {
        "files": [{"path": e.path.name, "table": e.table, "row_count": e.row_count} for e in exported],
    }
    atomic_write_bytes(directory / MANIFEST_NAME, (json.dumps(manifest, indent=2) + "\n").encode("utf-8"))
    current = {e.path.name for e in exported}
    for name in sorted(previous - current):
        path = directory / name
        if path.is_file() and not path.is_symlink():
            path.unlink()
    ours = previous | current | {MANIFEST_NAME}
    sweep_leftover_temps(directory, lambda name: name in ours)
    return exported
