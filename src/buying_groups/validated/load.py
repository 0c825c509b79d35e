"""Read an entity's pending landing files, validate every value, upsert or append.

One set-based pass per entity: each pending file is scanned, parsed and checked in one
statement into a *batch table* (the table's columns with final values, a reject flag, and the
raw text only for rows with a problem; the quarantine derives the per-column reasons again
from that raw text, for those few rows). Then either

- the valid rows are merged into the ``b2b`` table in a transaction (the batch table is the
  temporary ``checked``), or
- on a *bulk load* (an append into an empty table, e.g. the first load of activities) the
  batch table is a regular table beside the target that becomes the target: quarantined and
  duplicate rows are deleted, its own columns dropped and it is renamed, so the rows are
  written once (see :func:`_finish_bulk_load`).

The statements are derived from the entity's Pandera model (``ColumnSpec``) by
:mod:`buying_groups.validated.statements`; no value is ever formatted into SQL, only
whitelisted identifiers. This module runs them and keeps the counts.

Line numbers: the header is line 1 and every CSV *record* counts one line, which is the
physical line unless a quoted field contains line breaks (DuckDB's reject table counts the
same way, so both kinds of rejects agree). They come from the batch table's rowids, which
follow the file because the scan keeps insertion order: nothing in the scanning statement
may reorder rows (no join).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from buying_groups.ingest import campaign_manager
from buying_groups.ingest.landing import UnusableFileError, check_regular_file
from buying_groups.model.ddl import ensure_b2b_tables
from buying_groups.model.entities import EntitySpec
from buying_groups.sql_files import quote_identifier, run_sql, transaction
from buying_groups.validated import statements
from buying_groups.validated.statements import LOADING_SUFFIX

# A pending file of the ledger: (drop, source_file, path, header).
PendingFile = tuple[str, str, str, list[str]]


class RejectedShareError(Exception):
    """Too many rows of a file were quarantined; the run stops before merging anything."""


@dataclass
class EntityLoadResult:
    entity: str
    table: str
    files: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_quarantined: int = 0
    values_flagged: int = 0
    rows_applied: int = 0
    rows_superseded_in_batch: int = 0
    rows_stale_ignored: int = 0
    deletes_applied: int = 0
    rejects_by_check: dict[str, int] = field(default_factory=dict)
    schema_drift: dict[str, list[str]] = field(default_factory=dict)  # file -> new columns

    def as_metadata(self) -> dict[str, Any]:
        return {
            "files_ingested": len(self.files),
            "rows_read": self.rows_read,
            "rows_quarantined": self.rows_quarantined,
            "values_flagged": self.values_flagged,
            "rows_applied": self.rows_applied,
            "rows_superseded_in_batch": self.rows_superseded_in_batch,
            "rows_stale_ignored": self.rows_stale_ignored,
            "deletes_applied": self.deletes_applied,
        }


def prepare_connection(con: duckdb.DuckDBPyConnection) -> None:
    ensure_b2b_tables(con)
    run_sql(con, "validated/macros")


# --- staging ---------------------------------------------------------------------------


def _is_warehouse_failure(exc: duckdb.Error, path: Path) -> bool:
    """Whether an error while loading ``path`` is the warehouse's (writing its file or temp
    files: a full disk; running out of memory) rather than the CSV file's."""
    if isinstance(exc, duckdb.OutOfMemoryException | duckdb.FatalException | duckdb.TransactionException):
        return True
    return isinstance(exc, duckdb.IOException) and str(path) not in str(exc)


def _stage_file(
    con: duckdb.DuckDBPyConnection,
    batch: str,
    spec: EntitySpec,
    drop: str,
    path: Path,
    header: list[str],
    munchkin_id: str,
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Scan, parse and check one file into ``batch``; return its drift columns and its
    unparseable records.

    The scan is a subquery of the checking statement (no all-text staging table): on 10M
    activities a staged copy cost as much as the CSV read itself.
    """
    # DuckDB reads by path, follows links and would wait on a FIFO: refuse a file swapped
    # for one of those since the scan.
    check_regular_file(path)
    # The batch table is only appended to, so this file's rows get the rowids from here on.
    (record_base,) = con.execute(f"SELECT count(*) FROM {batch}").fetchone()  # type: ignore[misc]
    for shape_checked in (True, False):
        sql, values = statements.scan_and_check_sql(spec, drop, path, header, munchkin_id, shape_checked, record_base)
        for table in ("reject_errors", "reject_scans"):
            con.execute(f"DROP TABLE IF EXISTS temp.{table}")
        try:
            con.execute(f"INSERT INTO {batch} BY NAME {sql}", values)
            break
        except duckdb.Error as exc:
            if _is_warehouse_failure(exc, path):
                raise  # the warehouse's trouble (disk full, memory), not the file's
            # DuckDB's null padding gives up on some broken byte sequences (raising instead of
            # rejecting the record); such a file is read again the plain way, which still
            # quarantines every unreadable record but cannot see surplus fields.
            if not shape_checked:
                raise UnusableFileError(path, 1, f"not a readable CSV file: {exc}") from exc
    drift = [name for name in header if name not in spec.source_columns]

    rejects = con.execute(
        # DuckDB reports one error per missing column; one quarantine row per record is enough.
        # A whole-line error (e.g. a record over max_line_size) has no column_idx.
        "SELECT line, arg_min(column_name, coalesce(column_idx, -1)), "
        "arg_min(error_type, coalesce(column_idx, -1)), any_value(csv_line), "
        "arg_min(error_message, coalesce(column_idx, -1)) FROM temp.reject_errors "
        "GROUP BY line ORDER BY line"
    ).fetchall()
    if rejects:
        # Records after a rejected one sit one line further down than their record number says.
        con.execute(
            f"""
            UPDATE {batch} AS checked SET source_line = rowid - record_base + 2 + (
                SELECT count(*) FROM (
                    SELECT line - 1 - row_number() OVER (ORDER BY line) AS good_before
                    FROM (SELECT DISTINCT line FROM temp.reject_errors)
                ) AS r WHERE r.good_before < checked.rowid - checked.record_base + 1)
            WHERE rowid >= $base
            """,
            {"base": record_base},
        )
    parse_rejects = []
    for line, column_name, error_type, csv_line, message in rejects:
        column = (
            header[int(column_name[1:])]
            if column_name and column_name[1:].isdigit() and int(column_name[1:]) < len(header)
            else column_name
        )
        parse_rejects.append(
            (
                drop,
                path.name,
                line,
                column,
                f"csv: {str(error_type).lower()}",
                message,
                "quarantined",
                str(csv_line).strip("\r\n"),
            )
        )
    return drift, parse_rejects


# --- the load --------------------------------------------------------------------------


def _pending_files(con: duckdb.DuckDBPyConnection, entity: str) -> list[PendingFile]:
    return con.execute(
        """
        SELECT "drop", source_file, path, header FROM meta.landing_files
        WHERE entity = $entity AND status = 'pending' ORDER BY "drop", part, source_file
        """,
        {"entity": entity},
    ).fetchall()


def _batch_table(con: duckdb.DuckDBPyConnection, spec: EntitySpec) -> tuple[str, bool]:
    """Where the batch is staged, and whether this is a *bulk load*.

    A bulk load appends into an empty table (e.g. the first load of activities): the batch is
    staged in a regular table beside the target, with the target's columns first, and once
    checked it *becomes* the table (quarantined and duplicate rows deleted, its own columns
    dropped, renamed), so the rows are written once. Any other load stages in the temporary
    table ``checked`` and merges from it. Upserts always merge: the reshaping of a wide
    persisted batch (line numbers, deletes) costs more than the insert it saves."""
    if spec.mode == "append" and _is_empty(con, spec.qualified_table):
        return statements.bulk_table(spec), True
    return "temp.checked", False


def _is_empty(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    (empty,) = con.execute(f"SELECT count(*) = 0 FROM {table}").fetchone()  # type: ignore[misc]
    return bool(empty)


def load_entity(
    con: duckdb.DuckDBPyConnection,
    spec: EntitySpec,
    munchkin_id: str,
    max_rejected_share: float = 0.05,
) -> EntityLoadResult:
    """Ingest every pending file of ``spec.entity`` into ``b2b.<table>`` (idempotent)."""
    prepare_connection(con)
    result = EntityLoadResult(spec.entity, spec.qualified_table)
    pending = _pending_files(con, spec.entity)
    if not pending:
        return result

    batch, bulk = _batch_table(con, spec)
    try:
        # LinkedIn Campaign Manager exports are read through their conversion to the entity's
        # file shape (in file order: a demographics report is a sequence of tables).
        with _in_file_order(con), campaign_manager.converted(con, pending) as readable:
            parse_rejects = _stage_batch(con, batch, spec, readable, munchkin_id, result)
        con.execute(statements.validated_view_sql(spec, batch))
        _build_quarantine(con, batch, spec, pending, parse_rejects, munchkin_id)
        _count_batch(con, batch, result)
        # Rejects are recorded (committed) even when the share check stops the run below, so
        # the operator can see why; the files stay pending and a retry replaces these rows.
        run_sql(con, "validated/record_rejects", {"entity": spec.entity})
        _check_rejected_share(con, spec, max_rejected_share)
        run_sql(con, "validated/batch_duplicate_keys", identifiers={"key": quote_identifier(spec.key_column)})
        if bulk:
            _finish_bulk_load(con, batch, spec, result)
        else:
            _merge(con, spec, result)
    finally:
        for table in (
            "stage",
            "checked",
            "batch_rejects",
            "batch_files",
            "batch_file_counts",
            "batch_unparsed",
            "problem_rows",
            "problem_checks",
            "batch_duplicate_keys",
            "applied",
        ):
            con.execute(f"DROP TABLE IF EXISTS temp.{table}")
        con.execute("DROP VIEW IF EXISTS temp.validated")
        if bulk:
            con.execute(f"DROP TABLE IF EXISTS {batch}")
    return result


def _stage_batch(
    con: duckdb.DuckDBPyConnection,
    batch: str,
    spec: EntitySpec,
    pending: list[PendingFile],
    munchkin_id: str,
    result: EntityLoadResult,
) -> list[tuple[Any, ...]]:
    """Scan, parse and check every pending file into ``batch``; number its lines. Returns the
    records the CSV parser rejected."""
    # The batch table gets its shape from a query over the empty `stage` table; each file is
    # then scanned, parsed and checked straight into it.
    con.execute(statements.stage_ddl(spec))
    con.execute(*statements.create_batch_sql(spec, batch, munchkin_id))
    con.execute("DROP TABLE temp.stage")
    if batch != "temp.checked":
        _fix_compression(con, batch, spec)
    parse_rejects: list[tuple[Any, ...]] = []
    with _in_file_order(con):
        for drop, source_file, path, header in pending:
            drift, rejects = _stage_file(con, batch, spec, drop, Path(path), list(header), munchkin_id)
            parse_rejects += rejects
            if drift:
                result.schema_drift[f"{drop}/{source_file}"] = drift
            result.files.append(f"{drop}/{source_file}")
    # Rows of files without parser rejects: the line is the record's position (header = 1).
    con.execute(f"UPDATE {batch} SET source_line = rowid - record_base + 2 WHERE source_line IS NULL")
    return parse_rejects


@contextmanager
def _in_file_order(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Inserts keep the order of the scan (DuckDB's preserve_insertion_order), whatever the
    connection says: the batch's rowids are its records' positions in the file."""
    (previous,) = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()  # type: ignore[misc]
    con.execute("SET preserve_insertion_order = true")
    try:
        yield
    finally:
        con.execute(f"SET preserve_insertion_order = {'true' if previous else 'false'}")


def _loading_columns(con: duckdb.DuckDBPyConnection, spec: EntitySpec) -> list[tuple[str, str]]:
    """Name and type of each column of the bulk batch table, in order."""
    return con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = 'b2b' AND table_name = $table ORDER BY column_index",
        {"table": spec.table + LOADING_SUFFIX},
    ).fetchall()


def _fix_compression(con: duckdb.DuckDBPyConnection, batch: str, spec: EntitySpec) -> None:
    """Give the (still empty) bulk batch table the compression the model fixes per column."""
    ddl = statements.compressed_batch_ddl(spec, batch, _loading_columns(con, spec))
    if ddl:
        con.execute(ddl)


def _build_quarantine(
    con: duckdb.DuckDBPyConnection,
    batch: str,
    spec: EntitySpec,
    pending: list[PendingFile],
    parse_rejects: list[tuple[Any, ...]],
    munchkin_id: str,
) -> None:
    """``batch_rejects`` (one row per bad value or unreadable record), ``batch_unparsed`` and
    ``batch_files``. Only rows with a problem are read: one pass over the batch finds them
    (with their raw text), and the per-column flags are derived again for those rows alone."""
    con.execute(statements.problem_rows_sql(spec, batch))
    con.execute(*statements.problem_checks_sql(spec, munchkin_id))
    con.execute(*statements.rejects_sql(spec))
    if parse_rejects:
        con.executemany("INSERT INTO batch_rejects VALUES (?, ?, ?, ?, ?, ?, ?, ?)", parse_rejects)
    con.execute('CREATE OR REPLACE TEMP TABLE batch_unparsed ("drop" VARCHAR, source_file VARCHAR, line_number BIGINT)')
    if parse_rejects:
        con.executemany("INSERT INTO batch_unparsed VALUES (?, ?, ?)", [r[:3] for r in parse_rejects])
    con.execute('CREATE OR REPLACE TEMP TABLE batch_files ("drop" VARCHAR, source_file VARCHAR)')
    con.executemany("INSERT INTO batch_files VALUES (?, ?)", [(drop, file) for drop, file, *_ in pending])


def _merge(con: duckdb.DuckDBPyConnection, spec: EntitySpec, result: EntityLoadResult) -> None:
    """Upsert or append ``validated`` into the table, in one transaction with the ledger.

    An upsert into an empty table has nothing to replace: it inserts the winning row of each
    key the way an append does, without the ``applied`` copy."""
    identifiers = statements.merge_identifiers(spec)
    with transaction(con):
        (valid,) = con.execute("SELECT count(*) FROM validated").fetchone()  # type: ignore[misc]
        if spec.mode in ("upsert", "replace") and not _is_empty(con, spec.qualified_table):
            run_sql(con, "validated/upsert", identifiers=identifiers)
            (superseded,) = con.execute("SELECT coalesce(sum(occurrences - 1), 0) FROM batch_duplicate_keys").fetchone()  # type: ignore[misc]
            deleted = "is_deleted" if spec.has_column("is_deleted") else "false"
            applied, deletes = con.execute(
                f"SELECT count(*), count(*) FILTER (WHERE {deleted}) FROM applied"
            ).fetchone()  # type: ignore[misc]
            result.rows_superseded_in_batch = int(superseded)
            result.rows_stale_ignored = valid - int(superseded) - applied
            result.deletes_applied = deletes
        else:
            # Straight from `validated` (no copy of the batch); the INSERT reports how many
            # rows it wrote.
            (applied,) = run_sql(con, "validated/append", identifiers=identifiers).fetchone()  # type: ignore[misc]
            result.rows_superseded_in_batch = valid - applied  # duplicate keys
            if spec.mode == "upsert":  # the table holds exactly the rows just inserted
                (result.deletes_applied,) = con.execute(
                    f"SELECT count(*) FILTER (WHERE is_deleted) FROM {spec.qualified_table}"
                ).fetchone()  # type: ignore[misc]
        result.rows_applied = applied
        _refresh_orphan_flags(con, spec)
        run_sql(con, "validated/mark_ingested", {"entity": spec.entity})


def _finish_bulk_load(con: duckdb.DuckDBPyConnection, batch: str, spec: EntitySpec, result: EntityLoadResult) -> None:
    """Turn the staged batch into the (empty) table: delete quarantined rows and all but the
    first occurrence of a duplicated key, drop the batch's own columns, restore NOT NULL, and
    swap it in, with the ledger update, in one transaction.

    The reshaping runs before the transaction (DuckDB refuses to commit a transaction that
    both alters a table and changes its rows); until the swap the batch table is only scratch,
    dropped by the next attempt if this one dies."""
    (valid,) = con.execute("SELECT count(*) FROM validated").fetchone()  # type: ignore[misc]
    lookup = statements.bulk_lookup_sql(spec, batch)
    if lookup:
        con.execute(lookup)
    run_sql(con, "validated/bulk_prune", identifiers=statements.bulk_prune_identifiers(spec, batch))
    for alter in statements.bulk_reshape_sql(spec, batch):
        con.execute(alter)
    shape = _loading_columns(con, spec)
    expected = [(c.name, c.duckdb_type) for c in spec.columns]
    if shape != expected:
        raise RuntimeError(f"bulk load of {spec.qualified_table}: staged columns {shape} differ from {expected}")
    (applied,) = con.execute(f"SELECT count(*) FROM {batch}").fetchone()  # type: ignore[misc]
    result.rows_applied = applied
    result.rows_superseded_in_batch = valid - applied  # duplicate keys
    with transaction(con):
        con.execute(f"DROP TABLE {spec.qualified_table}")
        con.execute(f"ALTER TABLE {batch} RENAME TO {quote_identifier(spec.table)}")
        _refresh_orphan_flags(con, spec)
        run_sql(con, "validated/mark_ingested", {"entity": spec.entity})
    # The reshaped table is written out now rather than at the next checkpoint by size: at 10M
    # leads (100M activities) a later step of the same run ran out of the memory limit without it.
    con.execute("CHECKPOINT")


# The tables whose keys the orphan flags look up (bg_known_account, bg_known_person). A batch
# computes its own rows' flags on the way in; the flags of rows already stored change only
# when one of these tables does.
_ORPHAN_FLAG_SOURCES = frozenset({"accounts", "persons"})


def _refresh_orphan_flags(con: duckdb.DuckDBPyConnection, spec: EntitySpec) -> None:
    if spec.table in _ORPHAN_FLAG_SOURCES:
        run_sql(con, "validated/refresh_orphans")


def _count_batch(con: duckdb.DuckDBPyConnection, batch: str, result: EntityLoadResult) -> None:
    run_sql(con, "validated/batch_file_counts", identifiers={"batch": batch})
    records, quarantined, flagged = con.execute(
        "SELECT sum(records), sum(quarantined), sum(flagged) FROM batch_file_counts"
    ).fetchone()  # type: ignore[misc]
    result.rows_read, result.rows_quarantined, result.values_flagged = int(records), int(quarantined), int(flagged)
    result.rejects_by_check = dict(
        con.execute(
            'SELECT concat_ws(\' \', "column", "check"), count(*) FROM batch_rejects GROUP BY ALL ORDER BY 2 DESC'
        ).fetchall()
    )


def _check_rejected_share(con: duckdb.DuckDBPyConnection, spec: EntitySpec, max_share: float) -> None:
    worst = con.execute(
        'SELECT "drop", source_file, records, quarantined, quarantined / greatest(records, 1) AS share '
        "FROM batch_file_counts ORDER BY share DESC LIMIT 1"
    ).fetchone()
    if worst and worst[4] > max_share:
        drop, source_file, records, quarantined, share = worst
        first = con.execute(
            """
            SELECT line_number, "column", "check", "value" FROM batch_rejects
            WHERE "drop" = $drop AND source_file = $file AND disposition = 'quarantined'
            ORDER BY line_number LIMIT 3
            """,
            {"drop": drop, "file": source_file},
        ).fetchall()
        examples = "; ".join(f"line {line}: {column} {check} (value {value!r})" for line, column, check, value in first)
        raise RejectedShareError(
            f"{drop}/{source_file}: {quarantined} of {records} rows quarantined ({share:.1%}), "
            f"above the allowed {max_share:.1%}; nothing of {spec.entity} was merged. "
            f"First: {examples}. All of them are in b2b.rejected_rows."
        )
