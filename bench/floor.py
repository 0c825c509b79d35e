"""The CSV-read floor: DuckDB reads every CSV of a drop into typed tables, and nothing else.

``bench/run.py`` runs this as a child process, so the floor's peak memory is measured the
same way as the pipeline's (the RSS of a process tree):

    python bench/floor.py DROP_DIR                    # into an in-memory database
    python bench/floor.py DROP_DIR --database FILE    # into a fresh database file (+ CHECKPOINT)

Each file becomes ``CREATE TABLE t AS SELECT * FROM read_csv(file)`` with DuckDB's own type
detection. The last line of the output is a JSON object: ``seconds`` (the reads, and for a
file the checkpoint that makes them durable; not the interpreter's start), and per table the
rows and the column types DuckDB detected (which tell why one profile reads slower than
another: a ``null`` literal keeps a number column VARCHAR, a ``Z`` makes a timestamp zoned).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import duckdb


def read_floor(drop: Path, database: Path | None) -> dict[str, Any]:
    """Read every ``*.csv`` of ``drop`` into its own table; time the reads (and checkpoint)."""
    files = sorted(drop.glob("*.csv"))
    if not files:
        raise SystemExit(f"no CSV files in {drop}")
    if database is not None:
        for stale in (database, Path(f"{database}.wal")):
            stale.unlink(missing_ok=True)
    con = duckdb.connect(str(database) if database is not None else ":memory:")
    con.execute("SET enable_progress_bar = false")
    tables: dict[str, Any] = {}
    try:
        started = time.perf_counter()
        for path in files:
            con.execute(f'CREATE TABLE "{path.stem}" AS SELECT * FROM read_csv(?)', [str(path)])
        if database is not None:
            con.execute("CHECKPOINT")
        seconds = time.perf_counter() - started
        for path in files:
            (rows,) = con.execute(f'SELECT count(*) FROM "{path.stem}"').fetchone()  # type: ignore[misc]
            types = con.execute(
                "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index",
                [path.stem],
            ).fetchall()
            tables[path.stem] = {"rows": rows, "types": dict(types)}
    finally:
        con.close()
        if database is not None:
            database.unlink(missing_ok=True)
    return {"seconds": seconds, "target": "file" if database is not None else "memory", "tables": tables}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("drop", type=Path, help="a drop folder (its *.csv files are read)")
    parser.add_argument("--database", type=Path, help="a fresh database file (default: in memory)")
    options = parser.parse_args(argv)
    print(json.dumps(read_floor(options.drop, options.database)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
