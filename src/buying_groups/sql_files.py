"""Load the SQL statements under ``sql/`` by name.

The files live at the repository root (where readers expect them) and are force-included in
the wheel as ``buying_groups/sql`` so an installed package finds them too.

Some statements take *identifiers* (column lists derived from the Pandera models) through
``{placeholders}``; those are filled only with names from the model whitelist, quoted by
:func:`quote_identifier`. Values are never formatted in: they are bound as ``$name``
parameters by DuckDB.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb


def _sql_dirs() -> list[Path]:
    installed = Path(str(resources.files("buying_groups"))) / "sql"
    repository = Path(__file__).resolve().parents[2] / "sql"
    return [path for path in (installed, repository) if path.is_dir()]


@cache
def load_sql(name: str) -> str:
    """The text of ``sql/<name>.sql``."""
    for directory in _sql_dirs():
        path = directory / f"{name}.sql"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise FileNotFoundError(f"SQL statement {name!r} not found in {_sql_dirs()}")


def quote_identifier(name: str) -> str:
    """A DuckDB identifier, double-quoted with embedded quotes doubled (SQL standard)."""
    return '"' + name.replace('"', '""') + '"'


def render_sql(name: str, **identifiers: str) -> str:
    """``sql/<name>.sql`` with ``{placeholders}`` replaced by pre-quoted identifier lists."""
    return load_sql(name).format(**identifiers)


@dataclass
class SqlParams:
    """Collects the bound values of one statement: ``bind(v)`` returns ``$pN``.

    One instance is shared by every expression compiled into the same statement (e.g. the
    branches of a ``UNION ALL``) so names never collide; pass ``values`` to ``execute``.
    """

    values: dict[str, Any] = field(default_factory=dict)
    _bound: int = 0
    _aliases: int = 0

    def bind(self, value: Any) -> str:
        self._bound += 1
        name = f"p{self._bound}"
        self.values[name] = value
        return f"${name}"

    def bind_named(self, name: str, value: Any) -> str:
        """A fixed-name parameter (``$as_of``); binding it twice must give the same value."""
        if name in self.values and self.values[name] != value:
            raise ValueError(f"parameter {name!r} already bound to another value")
        self.values[name] = value
        return f"${name}"

    def alias(self, prefix: str) -> str:
        """A table alias unique within the statement (for correlated sub-queries)."""
        self._aliases += 1
        return f"{prefix}_{self._aliases}"


_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def split_statements(sql: str) -> list[str]:
    """Statements of one of our SQL files: each ends with ``;`` at the end of a line."""
    parts = re.split(r";[ \t]*(?:\n|$)", sql)
    return [part.strip() for part in parts if part.strip() and not _only_comments(part)]


def _only_comments(sql: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in sql.splitlines())


def run_sql(
    con: duckdb.DuckDBPyConnection,
    name: str,
    params: Mapping[str, Any] | None = None,
    *,
    identifiers: Mapping[str, str] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Execute every statement of ``sql/<name>.sql`` in order and return the connection
    (holding the last statement's result).

    DuckDB binds parameters one statement at a time and rejects unused ones, so each
    statement gets exactly the ``$parameters`` it names; one it needs but the caller did not
    pass is a programming error. ``identifiers`` fill ``{placeholders}`` (see
    :func:`render_sql`).
    """
    text = render_sql(name, **identifiers) if identifiers else load_sql(name)
    params = params or {}
    result = con
    for statement in split_statements(text):
        wanted = set(_PARAMETER.findall(statement))
        missing = wanted - params.keys()
        if missing:
            raise TypeError(f"sql/{name}.sql needs parameters {sorted(missing)}")
        bound = {key: value for key, value in params.items() if key in wanted}
        result = con.execute(statement, bound) if bound else con.execute(statement)
    return result


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """BEGIN ... COMMIT; any error rolls back, so readers keep seeing the previous state."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def insert_union(
    con: duckdb.DuckDBPyConnection, table: str, columns: str, branches: Sequence[str], params: SqlParams
) -> None:
    """``INSERT INTO table (columns)`` the ``UNION ALL`` of compiled SELECT branches (one per
    configured item), binding ``params`` (a :class:`SqlParams`)."""
    if branches:
        con.execute(f"INSERT INTO {table} ({columns})\n" + "\nUNION ALL\n".join(branches), params.values)


def row_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Rows of one of our own tables (``table`` is a constant name, never user input)."""
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


def replace_rows(
    con: duckdb.DuckDBPyConnection, ddl: str, rows: Mapping[str, Sequence[tuple[Any, ...]]]
) -> dict[str, int]:
    """Re-create small configuration tables with ``sql/<ddl>.sql`` and insert their rows (bound
    values), in one transaction; returns the row count of each table."""
    with transaction(con):
        run_sql(con, ddl)
        for table, values in rows.items():
            if values:
                placeholders = ", ".join("?" * len(values[0]))
                con.executemany(f"INSERT INTO {table} VALUES ({placeholders})", values)
    return {table: len(values) for table, values in rows.items()}
