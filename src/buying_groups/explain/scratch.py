"""Read the warehouse without ever writing it: a read-only connection for ``explain``, and a
scratch database for ``diff`` (and ``explain`` of another day) that re-scores the stored
validated data in memory.

The scratch database is an in-memory DuckDB with the warehouse ATTACHed read-only: ``b2b.*``
are views on the stored tables, the persistent marts (members, history, reasons) are copied in
so membership history carries over exactly as a real run would see it, and the stage
functions then write only to the in-memory ``marts``/``work`` schemas. DuckDB refuses any
write to a READ_ONLY attachment, so the warehouse file cannot change whatever runs here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb

from buying_groups.model.marts import (
    BUYING_GROUP_HISTORY,
    BUYING_GROUP_MEMBER_REASONS,
    BUYING_GROUP_MEMBERS,
    ensure_marts_tables,
)
from buying_groups.sql_files import quote_identifier, run_sql

STORED = "stored"  # the catalog name of the attached warehouse
# Tables a scoring run evolves rather than replaces: the scratch run starts from their state.
_PERSISTENT_MARTS = (BUYING_GROUP_MEMBERS, BUYING_GROUP_HISTORY, BUYING_GROUP_MEMBER_REASONS)


class WarehouseNotReady(Exception):
    """The warehouse is missing or holds no scored day yet."""


def _require(warehouse: Path) -> None:
    if not warehouse.is_file():
        raise WarehouseNotReady(f"warehouse {warehouse} does not exist; run `buying-groups run` first")


def _settings(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("SET TimeZone = 'UTC'")


@contextlib.contextmanager
def read_only(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the warehouse file."""
    _require(warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        _settings(con)
        yield con


def latest_as_of(con: duckdb.DuckDBPyConnection) -> dt.date:
    """The day the stored buying-group marts describe."""
    try:
        (day,) = run_sql(con, "explain/latest_as_of").fetchone()  # type: ignore[misc]
    except duckdb.CatalogException:
        day = None
    if day is None:
        raise WarehouseNotReady("the warehouse holds no scored buying groups yet; run `buying-groups run` first")
    return day


def _sql_string(text: str) -> str:
    # ATTACH takes no bound parameters: the path (the operator's own --warehouse) is quoted.
    return "'" + text.replace("'", "''") + "'"


@contextlib.contextmanager
def scratch(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory database over the warehouse attached READ_ONLY (see the module docstring),
    spilling to a temp folder that is removed afterwards."""
    _require(warehouse)
    with tempfile.TemporaryDirectory(prefix="buying-groups-scratch-") as spill, duckdb.connect(":memory:") as con:
        _settings(con)
        con.execute("SET temp_directory = $path", {"path": spill})
        con.execute(f"ATTACH {_sql_string(str(warehouse.resolve()))} AS {STORED} (READ_ONLY)")
        con.execute("CREATE SCHEMA b2b")
        for name in _stored_tables(con, "b2b"):  # the validated tables and the quarantine
            table = quote_identifier(name)
            con.execute(f"CREATE VIEW b2b.{table} AS SELECT * FROM {STORED}.b2b.{table}")
        ensure_marts_tables(con)
        copy_persistent_marts(con)
        yield con


def _stored_tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_catalog = $catalog AND table_schema = $schema AND table_type = 'BASE TABLE' ORDER BY 1",
        {"catalog": STORED, "schema": schema},
    ).fetchall()
    return [name for (name,) in rows]


def copy_persistent_marts(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)fill the scratch's persistent marts from the stored warehouse."""
    stored = {f"marts.{name}" for name in _stored_tables(con, "marts")}
    for table in _PERSISTENT_MARTS:
        con.execute(f"DELETE FROM {table}")
        if table in stored:
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {STORED}.{table}")
