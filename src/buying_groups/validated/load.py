"""Read an entity's pending landing files, validate every value, upsert or append.

One set-based pass per entity: each pending file is scanned, parsed and checked in one
statement into a *batch table* (the table's columns with final values, a reject flag, and the
raw text only for rows with a problem; the quarantine derives the per-column reasons again
from that raw text, for those few rows). Then either

- the valid rows are merged into the ``b2b`` table in a transaction (the batch table is the
  temporary ``checked``), or
- on a *bulk load* (an append into an empty table: the first 10M activities) the batch table
  is a regular table beside the target that becomes the target: quarantined and duplicate
  rows are deleted, its own columns dropped and it is renamed, so the rows are written once
  (see :func:`_finish_bulk_load`).

The statements are derived from the entity's Pandera model (``ColumnSpec``); no value is
ever formatted into SQL, only whitelisted identifiers.

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
from buying_groups.ingest.landing import UnusableFileError
from buying_groups.model.ddl import ensure_b2b_tables
from buying_groups.model.entities import ColumnSpec, EntitySpec
from buying_groups.model.keys import key_suffix
from buying_groups.model.schemas import ACTIVITY_TYPE_NAMES, EMAIL_PATTERN
from buying_groups.model.sql_checks import SQL_CHECKS
from buying_groups.sql_files import quote_identifier, run_sql, transaction

# DuckDB's own null detection is switched off (a marker no file contains) so that an empty
# field reads as '' and only null padding reads as NULL: that is how a record with too few
# fields is told apart from one whose last field is empty. `bg_text` then treats '' and the
# literal `null` as empty.
NEVER_NULL = "\u241fbuying-groups:no-null-marker\u241f"
MAX_LINE_BYTES = 32 * 1024 * 1024  # one record may carry a very long field (JSON attributes)
# A bulk load stages its batch in b2b.<table>__loading, which then becomes the table.
LOADING_SUFFIX = "__loading"
# A pending file of the ledger: (drop, source_file, path, header).
PendingFile = tuple[str, str, str, list[str]]
# Which row of a key wins within one batch: an append keeps the first occurrence, an upsert
# the newest version (updatedAt, then the later drop, file and line). Filled into the
# `{precedence}` of the merge statements; constant SQL, never user input.
# When an incoming version replaces the stored one: an upsert keeps the newer updatedAt, a
# replace (ad reports, which have no updatedAt) the later drop. Constant SQL.
NOT_OLDER = {
    "upsert": "incoming.updated_at >= current.updated_at",
    "replace": 'incoming."source_drop" >= current."source_drop"',
}
PRECEDENCE = {
    "append": 'validated."source_drop", validated.source_file, validated.source_line',
    "replace": 'validated."source_drop" DESC, validated.source_file DESC, validated.source_line DESC',
    "upsert": (
        'validated.updated_at DESC, validated."source_drop" DESC, validated.source_file DESC, '
        "validated.source_line DESC"
    ),
}

_PARSERS = {
    "VARCHAR": "bg_text",
    "BIGINT": "bg_bigint",
    "DOUBLE": "bg_double",
    "BOOLEAN": "bg_bool",
    "TIMESTAMP": "bg_timestamp",
    "DATE": "bg_date",
}


def describe_check(name: str, statistics: dict[str, Any]) -> str:
    """A Pandera check as an operator reads it in ``b2b.rejected_rows``."""
    match name:
        case "greater_than_or_equal_to":
            return f">= {statistics['min_value']}"
        case "greater_than":
            return f"> {statistics['min_value']}"
        case "less_than_or_equal_to":
            return f"<= {statistics['max_value']}"
        case "less_than":
            return f"< {statistics['max_value']}"
        case "in_range":
            return f"between {statistics['min_value']} and {statistics['max_value']}"
        case "str_matches":
            return "format" if statistics["pattern"] != EMAIL_PATTERN else "email address syntax"
    return name


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


class _Params:
    """Collects bound parameters under generated names (``$p0``, ``$p1``, ...)."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def bind(self, value: Any) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f"${name}"


def prepare_connection(con: duckdb.DuckDBPyConnection) -> None:
    ensure_b2b_tables(con)
    run_sql(con, "validated/macros")


# --- staging ---------------------------------------------------------------------------


def _stage_ddl(spec: EntitySpec) -> str:
    """An empty ``stage`` table: the shape of one scanned file, used only to create the batch table."""
    source_columns = ", ".join(f"{quote_identifier(s)} VARCHAR" for s in spec.source_columns)
    return (
        'CREATE OR REPLACE TEMP TABLE stage ("drop" VARCHAR, source_file VARCHAR, '
        f"record_base BIGINT, line_number BIGINT, {source_columns}, extra_fields VARCHAR, csv_shape VARCHAR, "
        "__absent_columns VARCHAR[])"
    )


def _scan_and_check_sql(
    spec: EntitySpec,
    drop: str,
    path: Path,
    header: list[str],
    munchkin_id: str,
    shape_checked: bool,
    record_base: int,
) -> tuple[str, dict[str, Any]]:
    """The statement that scans one file and parses and checks every value (see _checked_sql)."""
    params = _Params()
    positions = {name: i for i, name in enumerate(header)}
    # Line numbers come from the rowid of the batch table (see _stage_batch): the scan keeps
    # file order on insert (preserve_insertion_order, set by _in_file_order, and no join in this
    # statement), and unlike row_number() OVER () it lets the scan and the parsing run on every
    # core.
    select = [
        f'{params.bind(drop)} AS "drop"',
        f"{params.bind(path.name)} AS source_file",
        f"CAST({params.bind(record_base)} AS BIGINT) AS record_base",
        "CAST(NULL AS BIGINT) AS line_number",
    ]
    for source in spec.source_columns:
        if source in positions:
            select.append(f"c{positions[source]} AS {quote_identifier(source)}")
        else:
            select.append(f"NULL::VARCHAR AS {quote_identifier(source)}")
    # Columns of the model whose source column this file does not carry: unknown, not empty,
    # so an upsert keeps what the table holds for them (see upsert.sql).
    absent = [c.name for c in spec.columns if c.source and c.source not in positions]
    drift = [name for name in header if name not in spec.source_columns]
    if drift:
        pairs = ", ".join(f"{params.bind(name)}, bg_text(c{positions[name]})" for name in drift)
        select.append(f"json_object({pairs}) AS extra_fields")
    else:
        select.append("NULL::VARCHAR AS extra_fields")
    # One column more than the header: with strict_mode off DuckDB silently cuts a record with
    # too many fields to the declared width, so the overflow column is what reveals it; null
    # padding fills a record with too few fields, which the last real column then reveals.
    # Without shape checks, DuckDB itself rejects a record with too few fields.
    width = len(header) + 1 if shape_checked else len(header)
    columns = {f"c{i}": "VARCHAR" for i in range(width)}
    if shape_checked:
        select.append(
            f"CASE WHEN c{len(header)} <> '' THEN 'too many columns' "
            f"WHEN c{len(header) - 1} IS NULL THEN 'missing columns' END AS csv_shape"
        )
    else:
        select.append("NULL::VARCHAR AS csv_shape")
    select.append(f"CAST({params.bind(absent)} AS VARCHAR[]) AS __absent_columns")
    # strict_mode off: extracts mixing CRLF and LF line ends are common and harmless.
    scan = (
        f"SELECT {', '.join(select)} FROM read_csv("
        f"{params.bind(str(path))}, header = true, auto_detect = false, "
        f"columns = {params.bind(columns)}, delim = ',', quote = '\"', escape = '\"', "
        f"nullstr = {params.bind(NEVER_NULL)}, null_padding = {str(shape_checked).lower()}, "
        "encoding = 'utf-8', strict_mode = false, "
        f"max_line_size = {MAX_LINE_BYTES}, buffer_size = {4 * MAX_LINE_BYTES}, "
        "ignore_errors = true, store_rejects = true)"
    )
    return _checked_sql(spec, params, munchkin_id, f"({scan})"), params.values


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
    # The batch table is only appended to, so this file's rows get the rowids from here on.
    (record_base,) = con.execute(f"SELECT count(*) FROM {batch}").fetchone()  # type: ignore[misc]
    for shape_checked in (True, False):
        sql, values = _scan_and_check_sql(spec, drop, path, header, munchkin_id, shape_checked, record_base)
        for table in ("reject_errors", "reject_scans"):
            con.execute(f"DROP TABLE IF EXISTS temp.{table}")
        try:
            con.execute(f"INSERT INTO {batch} BY NAME {sql}", values)
            break
        except duckdb.Error as exc:
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


# --- checking --------------------------------------------------------------------------


def _flag(name: str, kind: str) -> str:
    return quote_identifier(f"__{kind}_{name}")


def _column_sql(spec: EntitySpec, column: ColumnSpec, params: _Params, munchkin_id: str) -> tuple[str, str, str, str]:
    """(text, parsed value, is-invalid flag, is-missing flag) for one sourced column.

    The text and the parsed value are computed once, in their own projection, and the flags
    refer to them by name: written out inline, each flag repeated the parse (DuckDB does not
    share expressions across them), which cost seconds per column on 10M activities.
    """
    raw = f"stage.{quote_identifier(column.source or '')}"
    text, parsed = _flag(column.name, "text"), _flag(column.name, "parsed")
    if column.key:
        parse = f"({text} || {params.bind(key_suffix(column.key, munchkin_id))})"
    elif column.duckdb_type == "VARCHAR":
        parse = text
    else:
        parse = f"{_PARSERS[column.duckdb_type]}({raw})"
    checks = []
    for check_name, statistics in column.checks:
        template, keys = SQL_CHECKS[check_name]
        bound = [params.bind(statistics[k]) for k in keys]
        checks.append(template.format(v=parsed, p=bound[0], q=bound[-1]))
    valid = " AND ".join([f"{parsed} IS NOT NULL", *checks])
    return f"bg_text({raw})", parse, f"({text} IS NOT NULL AND NOT ({valid}))", f"({text} IS NULL)"


def _flags_sql(spec: EntitySpec, params: _Params, munchkin_id: str, source: str) -> tuple[str, list[str]]:
    """SELECT over ``source`` (rows shaped like ``stage``, aliased ``stage``) with every parsed
    column, its is-bad and is-missing flags, the raw text and ``__has_problem``; the list names
    the reject conditions (a row is quarantined when any holds)."""
    lineage = [
        'stage."drop" AS source_drop',
        "stage.source_file",
        "stage.record_base",
        "stage.line_number AS source_line",
        "stage.extra_fields",
        "stage.csv_shape",
        "stage.__absent_columns",
    ]
    # A record with the wrong number of fields is quarantined as a whole (its values are
    # shifted, so no single column is to blame).
    reject_conditions, problems = ["csv_shape IS NOT NULL"], ["csv_shape IS NOT NULL"]
    texts, parses, flags = [], [], []
    for column in (c for c in spec.columns if c.source):
        text, parse, bad, missing = _column_sql(spec, column, params, munchkin_id)
        texts.append(f"{text} AS {_flag(column.name, 'text')}")
        parses.append(f"{parse} AS {_flag(column.name, 'parsed')}")
        flags += [f"{bad} AS {_flag(column.name, 'bad')}", f"{missing} AS {_flag(column.name, 'missing')}"]
        counts_missing = not column.nullable and column.duckdb_type != "BOOLEAN"
        if column.on_invalid == "reject":
            reject_conditions.append(_flag(column.name, "bad"))
        if counts_missing:
            reject_conditions.append(_flag(column.name, "missing"))
        # Same condition as the row's entries in batch_rejects (see _rejects_sql).
        problems.append(_flag(column.name, "bad"))
        if counts_missing:
            problems.append(_flag(column.name, "missing"))
    raw = ", ".join(f"stage.{quote_identifier(s)}" for s in spec.source_columns)
    texted = f"SELECT {', '.join(lineage)}, {raw}, {', '.join(texts)} FROM {source} AS stage"
    parsed = f"SELECT *, {', '.join(parses)} FROM ({texted}) AS stage"
    flagged = f"SELECT *, {', '.join(flags)} FROM ({parsed})"
    return f"SELECT *, ({' OR '.join(problems)}) AS __has_problem FROM ({flagged})", reject_conditions


def _batch_only_columns(spec: EntitySpec) -> list[str]:
    """The columns a batch table has after the table's own (see :func:`_checked_sql`)."""
    return [
        "record_base",
        "csv_shape",
        "__absent_columns",
        "__reject",
        "__has_problem",
        *(f"__raw_{s}" for s in spec.source_columns),
    ]


def _checked_sql(spec: EntitySpec, params: _Params, munchkin_id: str, source: str = "stage") -> str:
    """SELECT over ``source`` (one scanned file, aliased ``stage``) with every column of the
    ``b2b`` table in its order (final values, derived columns, lineage), then the batch's own
    columns: ``record_base``, ``csv_shape``, ``__reject`` (the row is quarantined),
    ``__has_problem`` (the row has an entry in the quarantine) and, for problem rows only, the
    raw text.

    Only final values are kept, not the per-column flags: the batch table holds every row of
    the batch (10M activities), and the quarantine re-derives the flags from the raw text of
    the few problem rows (see ``problem_checks``). Derived columns that are plain expressions
    are computed here, so that a bulk load can become the table without another pass; those
    that need a lookup are NULL here (see ``_LOOKUP_SQL``).
    """
    flags, reject_conditions = _flags_sql(spec, params, munchkin_id, source)
    finals = [f"{_final_value(c, spec)} AS {quote_identifier(c.name)}" for c in spec.columns if c.source]
    # Raw text under its own names: a source column may share its name with a model column.
    keep_raw = [
        f"CASE WHEN __has_problem THEN {quote_identifier(s)} END AS {_flag(s, 'raw')}" for s in spec.source_columns
    ]
    lineage = [
        "source_drop",
        "source_file",
        "record_base",
        "source_line",
        "extra_fields",
        "csv_shape",
        "__absent_columns",
    ]
    checked = (
        f"SELECT {', '.join(lineage)}, {', '.join(finals)}, ({' OR '.join(reject_conditions)}) AS __reject, "
        f"__has_problem, {', '.join(keep_raw)} FROM ({flags})"
    )
    derived = dict(_DERIVED_SQL)
    if any(c.name == "event_type" for c in spec.columns):
        derived["event_type"] = _event_type_sql(params)
    derived |= {c.name: f"CAST(NULL AS {c.duckdb_type})" for c in spec.columns if c.name in _LOOKUP_SQL}
    table_columns = [
        f"{derived[c.name]} AS {quote_identifier(c.name)}" if c.name in derived else quote_identifier(c.name)
        for c in spec.columns
    ]
    batch_columns = [quote_identifier(name) for name in _batch_only_columns(spec)]
    return f"SELECT {', '.join(table_columns)}, {', '.join(batch_columns)} FROM ({checked}) AS checked"


def _final_value(column: ColumnSpec, spec: EntitySpec) -> str:
    parsed, bad = _flag(column.name, "parsed"), _flag(column.name, "bad")
    value = f"CASE WHEN {bad} THEN NULL ELSE {parsed} END" if column.on_invalid == "nullify" else parsed
    if column.duckdb_type == "BOOLEAN" and not column.nullable:
        value = f"coalesce({value}, false)"
    raised_by = [c for c in spec.columns if c.sets_flag == column.name]
    for other in raised_by:
        value = f"({value} OR {_flag(other.name, 'bad')})"
    return value


# Derived columns computed in the scan: plain expressions only, because a join there would
# lose the scan's order (and rowids are line numbers). Composite keys (ad reports) are one
# derived column, so the generic merge works on a single key; a NULL part (a row about to be
# quarantined) makes the key NULL.
_AD_KEY = "checked.\"date\"::VARCHAR || '|' || lower(checked.platform) || '|' || checked.campaign_id"
_DERIVED_SQL = {
    "domain": "bg_domain(checked.website)",
    "company_domain": "bg_domain(checked.company_website)",
    "ad_spend_key": _AD_KEY,
    "ad_company_reach_key": f"{_AD_KEY} || '|' || checked.company_name",
}
# Derived by a lookup in another table, with the macros refresh_orphans.sql uses: computed
# when the batch is merged (the `validated` view) or, in a bulk load, by one UPDATE of the
# staged batch. The scan leaves them NULL.
_LOOKUP_SQL = {
    "has_known_account": "bg_known_account(account_key)",
    "has_known_person": "bg_known_person(person_key)",
    # The earliest version ever ingested, in this batch or before: a contact role's updatedAt
    # keeps moving, the first one seen is when it was added (for extracts without createdAt).
    "first_seen_at": "least(min(batch_row.updated_at) OVER (PARTITION BY batch_row.opportunity_person_key), "
    "(SELECT min(known.first_seen_at) FROM b2b.opportunity_persons AS known "
    "WHERE known.opportunity_person_key = batch_row.opportunity_person_key))",
}


def _event_type_sql(params: _Params) -> str:
    """The standard Marketo name of ``activity_type_id``, else ``Activity <id>``."""
    cases = " ".join(f"WHEN {params.bind(id_)} THEN {params.bind(name)}" for id_, name in ACTIVITY_TYPE_NAMES.items())
    return f"CASE checked.activity_type_id {cases} ELSE 'Activity ' || checked.activity_type_id END"


def _validated_sql(spec: EntitySpec, batch: str) -> str:
    columns = ", ".join(
        f"{_LOOKUP_SQL[c.name]} AS {quote_identifier(c.name)}" if c.name in _LOOKUP_SQL else quote_identifier(c.name)
        for c in spec.columns
    )
    return f"SELECT {columns}, __absent_columns FROM {batch} AS batch_row WHERE NOT __reject"


def _keep_stored_sql(spec: EntitySpec) -> str:
    """The REPLACE list of the upsert: a column whose source the incoming row's file did not
    carry keeps the stored value (an absent column is unknown, never a default). A flag another
    column raises (``is_email_invalid`` from a malformed email) still rises."""
    raised = {c.sets_flag for c in spec.columns if c.sets_flag}
    parts = []
    for column in spec.columns:
        if not column.source or column.required:
            continue
        name = quote_identifier(column.name)
        kept = (
            f"CASE WHEN incoming.{name} THEN true ELSE current.{name} END"
            if column.name in raised
            else f"coalesce(current.{name}, incoming.{name})"
        )
        absent = f"list_contains(incoming.__absent_columns, '{column.name}')"  # a model name, not input
        parts.append(f"CASE WHEN {absent} THEN {kept} ELSE incoming.{name} END AS {name}")
    return ", ".join(parts)


def _rejects_sql(spec: EntitySpec, params: _Params, reject_conditions: list[str]) -> str:
    """One row per bad value: quarantined when it rejects the row, flagged when kept."""
    raw_pairs = ", ".join(f"{params.bind(s)}, {quote_identifier(s)}" for s in spec.source_columns)
    raw_record = f"json_object({raw_pairs}, '_extra', extra_fields::JSON)::VARCHAR"
    row_rejected = " OR ".join(reject_conditions) or "false"
    parts = []
    for column in spec.columns:
        if not column.source:
            continue
        bad, missing = _flag(column.name, "bad"), _flag(column.name, "missing")
        parsed = _flag(column.name, "parsed")
        check_label = ", ".join(describe_check(name, stats) for name, stats in column.checks)
        label = (
            f"CASE WHEN {missing} THEN 'not_null' WHEN {parsed} IS NULL THEN "
            f"{params.bind('type: not a valid ' + column.duckdb_type)} "
            f"ELSE {params.bind('check: ' + check_label)} END"
        )
        counts_missing = not column.nullable and column.duckdb_type != "BOOLEAN"
        condition = f"({bad} OR {missing})" if counts_missing else bad
        condition += " AND csv_shape IS NULL"
        parts.append(
            f'SELECT source_drop AS "drop", source_file, source_line AS line_number, '
            f'{params.bind(column.source)} AS "column", {label} AS "check", '
            f"nullif({quote_identifier(column.source or '')}, '') AS \"value\", "
            f"CASE WHEN {row_rejected} THEN 'quarantined' ELSE 'flagged' END AS disposition, "
            f"{raw_record} AS raw_record FROM problem_checks WHERE {condition}"
        )
    parts.append(
        f'SELECT source_drop AS "drop", source_file, source_line AS line_number, NULL AS "column", '
        f"'csv: ' || csv_shape AS \"check\", NULL AS \"value\", 'quarantined' AS disposition, "
        f"{raw_record} AS raw_record FROM problem_checks WHERE csv_shape IS NOT NULL"
    )
    return " UNION ALL ".join(parts)


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

    A bulk load appends into an empty table (the first load of 10M activities): the batch is
    staged in a regular table beside the target, with the target's columns first, and once
    checked it *becomes* the table (quarantined and duplicate rows deleted, its own columns
    dropped, renamed), so the rows are written once. Any other load stages in the temporary
    table ``checked`` and merges from it. Upserts always merge: measured on 1M leads, the
    reshaping of a wide persisted batch (line numbers, deletes) cost more than the insert it
    saves (14.9 s against 11.3 s)."""
    if spec.mode == "append" and _is_empty(con, spec.qualified_table):
        return f"b2b.{quote_identifier(spec.table + LOADING_SUFFIX)}", True
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
        con.execute(f"CREATE OR REPLACE TEMP VIEW validated AS {_validated_sql(spec, batch)}")
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
    con.execute(_stage_ddl(spec))
    params = _Params()
    create = "CREATE OR REPLACE TEMP TABLE checked" if batch == "temp.checked" else f"CREATE OR REPLACE TABLE {batch}"
    con.execute(f"{create} AS {_checked_sql(spec, params, munchkin_id)}", params.values)
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
    """Re-create the (still empty) bulk batch table with the compression the model fixes per
    column: the batch becomes the table, and CREATE TABLE AS cannot declare it."""
    compression = {c.name: c.ddl_type for c in spec.columns if c.compression}
    if compression:
        definitions = ", ".join(
            f"{quote_identifier(name)} {compression.get(name, data_type)}"
            for name, data_type in _loading_columns(con, spec)
        )
        con.execute(f"CREATE OR REPLACE TABLE {batch} ({definitions})")


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
    raw = ", ".join(f"{_flag(s, 'raw')} AS {quote_identifier(s)}" for s in spec.source_columns)
    con.execute(
        'CREATE OR REPLACE TEMP TABLE problem_rows AS SELECT source_drop AS "drop", source_file, record_base, '
        f"source_line AS line_number, extra_fields, csv_shape, __absent_columns, {raw} FROM {batch} "
        "WHERE __has_problem"
    )
    flag_params = _Params()
    flags_sql, reject_conditions = _flags_sql(spec, flag_params, munchkin_id, "problem_rows")
    con.execute(f"CREATE OR REPLACE TEMP TABLE problem_checks AS {flags_sql}", flag_params.values)
    reject_params = _Params()
    con.execute(
        "CREATE OR REPLACE TEMP TABLE batch_rejects AS " + _rejects_sql(spec, reject_params, reject_conditions),
        reject_params.values,
    )
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
    key the way an append does, without the ``applied`` copy (1M leads: -1 s)."""
    identifiers = {
        "table": spec.qualified_table,
        "key": quote_identifier(spec.key_column),
        "precedence": PRECEDENCE[spec.mode],
        "keep_stored": _keep_stored_sql(spec),
        "not_older": NOT_OLDER.get(spec.mode, "true"),
    }
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
    lookups = [c.name for c in spec.columns if c.name in _LOOKUP_SQL]
    if lookups:
        assignments = ", ".join(f"{quote_identifier(name)} = {_LOOKUP_SQL[name]}" for name in lookups)
        con.execute(f"UPDATE {batch} SET {assignments}")
    run_sql(
        con,
        "validated/bulk_prune",
        identifiers={"batch": batch, "key": quote_identifier(spec.key_column), "precedence": PRECEDENCE[spec.mode]},
    )
    for column in _batch_only_columns(spec):
        con.execute(f"ALTER TABLE {batch} DROP COLUMN {quote_identifier(column)}")
    for column in spec.columns:
        if not column.nullable:
            con.execute(f"ALTER TABLE {batch} ALTER COLUMN {quote_identifier(column.name)} SET NOT NULL")
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
