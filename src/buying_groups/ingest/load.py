"""Read an entity's pending landing files, validate every value, upsert or append.

One set-based pass per entity: each pending file is scanned, parsed and checked in one
statement into a temporary ``checked`` table (final values, a reject flag, and the raw text
only for rows with a problem; the quarantine derives the per-column reasons again from that
raw text, for those few rows), and the valid rows
are merged into the ``b2b`` table in a transaction. Keeping one materialisation between the
CSV and the table is what keeps a 10M-row activity load near the cost of reading the CSV.
The statements are derived from the entity's Pandera model (``ColumnSpec``); no value is
ever formatted into SQL, only whitelisted identifiers.

Line numbers: the header is line 1 and every CSV *record* counts one line, which is the
physical line unless a quoted field contains line breaks (DuckDB's reject table counts the
same way, so both kinds of rejects agree).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from buying_groups.ingest.landing import UnusableFileError
from buying_groups.model.ddl import ensure_b2b_tables
from buying_groups.model.entities import ColumnSpec, EntitySpec
from buying_groups.model.keys import key_suffix
from buying_groups.model.schemas import ACTIVITY_TYPE_NAMES, EMAIL_PATTERN
from buying_groups.model.sql_checks import SQL_CHECKS
from buying_groups.sql_files import load_sql, quote_identifier, run_sql

# DuckDB's own null detection is switched off (a marker no file contains) so that an empty
# field reads as '' and only null padding reads as NULL: that is how a record with too few
# fields is told apart from one whose last field is empty. `bg_text` then treats '' and the
# literal `null` as empty.
NEVER_NULL = "\u241fbuying-groups:no-null-marker\u241f"
# The line of a row of `checked`: set explicitly for files with parser rejects (records after
# a rejected one sit further down), else derived from its rowid (header = line 1).
LINE_SQL = "coalesce(checked.source_line, checked.rowid - checked.record_base + 2)"
MAX_LINE_BYTES = 32 * 1024 * 1024  # one record may carry a very long field (JSON attributes)

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
    con.execute(load_sql("ingest_macros"))


# --- staging ---------------------------------------------------------------------------


def _stage_ddl(spec: EntitySpec) -> str:
    """An empty ``stage`` table: the shape of one scanned file, used only to create ``checked``."""
    source_columns = ", ".join(f"{quote_identifier(s)} VARCHAR" for s in spec.source_columns)
    return (
        'CREATE OR REPLACE TEMP TABLE stage ("drop" VARCHAR, source_file VARCHAR, '
        f"record_base BIGINT, line_number BIGINT, {source_columns}, extra_fields VARCHAR, csv_shape VARCHAR)"
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
    # Line numbers come from the rowid of `checked` (see LINE_SQL): the scan keeps file order
    # on insert (preserve_insertion_order, DuckDB's default: never turn it off here), and unlike
    # row_number() OVER () it lets the scan and the parsing run on every core.
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
    spec: EntitySpec,
    drop: str,
    path: Path,
    header: list[str],
    munchkin_id: str,
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Scan, parse and check one file into ``checked``; return its drift columns and its
    unparseable records.

    The scan is a subquery of the checking statement (no all-text staging table): on 10M
    activities a staged copy cost as much as the CSV read itself.
    """
    # `checked` is only appended to, so this file's rows get the rowids from here on.
    (record_base,) = con.execute("SELECT count(*) FROM checked").fetchone()  # type: ignore[misc]
    for shape_checked in (True, False):
        sql, values = _scan_and_check_sql(spec, drop, path, header, munchkin_id, shape_checked, record_base)
        for table in ("reject_errors", "reject_scans"):
            con.execute(f"DROP TABLE IF EXISTS temp.{table}")
        try:
            con.execute(f"INSERT INTO checked BY NAME {sql}", values)
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
            """
            UPDATE checked SET source_line = rowid - record_base + 2 + (
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


def _checked_sql(spec: EntitySpec, params: _Params, munchkin_id: str, source: str = "stage") -> str:
    """SELECT over ``source`` (one scanned file, aliased ``stage``) with each column's final
    value, ``__reject`` (the row is quarantined), ``__has_problem`` (the row has an entry in the
    quarantine) and, for problem rows only, the raw text.

    Only final values are kept, not the per-column flags: ``checked`` holds every row of the
    batch (10M activities), and the quarantine re-derives the flags from the raw text of the
    few problem rows (see ``problem_checks``).
    """
    flags, reject_conditions = _flags_sql(spec, params, munchkin_id, source)
    finals = [f"{_final_value(c, spec)} AS {quote_identifier(c.name)}" for c in spec.columns if c.source]
    # Raw text under its own names: a source column may share its name with a model column.
    keep_raw = [
        f"CASE WHEN __has_problem THEN {quote_identifier(s)} END AS {_flag(s, 'raw')}" for s in spec.source_columns
    ]
    lineage = ["source_drop", "source_file", "record_base", "source_line", "extra_fields", "csv_shape"]
    return (
        f"SELECT {', '.join(lineage)}, {', '.join(finals)}, ({' OR '.join(reject_conditions)}) AS __reject, "
        f"__has_problem, {', '.join(keep_raw)} FROM ({flags})"
    )


def _final_value(column: ColumnSpec, spec: EntitySpec) -> str:
    parsed, bad = _flag(column.name, "parsed"), _flag(column.name, "bad")
    if column.on_invalid == "suppress":
        value = f"CASE WHEN {bad} THEN true ELSE coalesce({parsed}, false) END"
    elif column.on_invalid == "nullify":
        value = f"CASE WHEN {bad} THEN NULL ELSE {parsed} END"
    else:
        value = parsed
    if column.duckdb_type == "BOOLEAN" and not column.nullable and column.on_invalid != "suppress":
        value = f"coalesce({value}, false)"
    raised_by = [c for c in spec.columns if c.sets_flag == column.name]
    for other in raised_by:
        value = f"({value} OR {_flag(other.name, 'bad')})"
    return value


_DERIVED_SQL = {
    "domain": "bg_domain(checked.website)",
    # Set on insert with the macros ingest_refresh_orphans uses, instead of inserting false and
    # letting the refresh UPDATE every row: that would rewrite 10M events on a full load.
    "has_known_account": "bg_known_account(checked.account_key)",
    "has_known_person": "bg_known_person(checked.person_key)",
    "event_type": "coalesce(activity_type_names.name, 'Activity ' || checked.activity_type_id)",
}


def _validated_sql(spec: EntitySpec) -> str:
    select = []
    for column in spec.columns:
        if column.name == "source_line":
            select.append(f"{LINE_SQL} AS source_line")
        elif column.name in {"source_drop", "source_file", "extra_fields"} or column.source:
            select.append(quote_identifier(column.name))
        else:
            expression = _DERIVED_SQL[column.name]
            select.append(f"{expression} AS {quote_identifier(column.name)}")
    joins = ""
    if spec.table == "experience_events":
        joins = " LEFT JOIN activity_type_names ON activity_type_names.id = checked.activity_type_id"
    return f"SELECT {', '.join(select)} FROM checked{joins} WHERE NOT __reject"


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


def _pending_files(con: duckdb.DuckDBPyConnection, entity: str) -> list[tuple[str, str, str, list[str]]]:
    return con.execute(
        """
        SELECT "drop", source_file, path, header FROM meta.landing_files
        WHERE entity = $entity AND status = 'pending' ORDER BY "drop", part, source_file
        """,
        {"entity": entity},
    ).fetchall()


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
        run_sql(con, "ingest_refresh_orphans")
        return result

    # `checked` gets its shape from a query over the empty `stage` table; each file is then
    # scanned, parsed and checked straight into it.
    con.execute(_stage_ddl(spec))
    params = _Params()
    con.execute(f"CREATE OR REPLACE TEMP TABLE checked AS {_checked_sql(spec, params, munchkin_id)}", params.values)
    con.execute("DROP TABLE temp.stage")
    parse_rejects: list[tuple[Any, ...]] = []
    for drop, source_file, path, header in pending:
        drift, rejects = _stage_file(con, spec, drop, Path(path), list(header), munchkin_id)
        parse_rejects += rejects
        if drift:
            result.schema_drift[f"{drop}/{source_file}"] = drift
        result.files.append(f"{drop}/{source_file}")

    if spec.table == "experience_events":
        con.execute("CREATE OR REPLACE TEMP TABLE activity_type_names (id BIGINT, name VARCHAR)")
        con.executemany("INSERT INTO activity_type_names VALUES (?, ?)", list(ACTIVITY_TYPE_NAMES.items()))
    con.execute(f"CREATE OR REPLACE TEMP VIEW validated AS {_validated_sql(spec)}")

    # The quarantine reads only rows with a problem: one pass over `checked` finds them (with
    # their raw text), and the per-column flags are derived again for those rows alone.
    raw = ", ".join(f"{_flag(s, 'raw')} AS {quote_identifier(s)}" for s in spec.source_columns)
    con.execute(
        'CREATE OR REPLACE TEMP TABLE problem_rows AS SELECT source_drop AS "drop", source_file, record_base, '
        f"{LINE_SQL} AS line_number, extra_fields, csv_shape, {raw} FROM checked WHERE __has_problem"
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
    con.execute(
        'CREATE OR REPLACE TEMP TABLE batch_files AS SELECT DISTINCT source_drop AS "drop", source_file FROM checked'
    )
    con.executemany("INSERT INTO batch_files VALUES (?, ?)", [(drop, file) for drop, file, *_ in pending])

    _count_batch(con, result)
    # Rejects are recorded (committed) even when the share check stops the run below, so the
    # operator can see why; the files stay pending and a retry replaces these rows.
    run_sql(con, "ingest_record_rejects", {"entity": spec.entity})
    _check_rejected_share(con, spec, max_rejected_share)

    template = "ingest_append" if spec.mode == "append" else "ingest_upsert"
    con.execute("BEGIN TRANSACTION")
    try:
        identifiers = {"table": spec.qualified_table, "key": quote_identifier(spec.key_column)}
        run_sql(con, "ingest_batch_duplicate_keys", identifiers={"key": identifiers["key"]})
        (valid,) = con.execute("SELECT count(*) FROM validated").fetchone()  # type: ignore[misc]
        if spec.mode == "upsert":
            run_sql(con, template, identifiers=identifiers)
            (superseded,) = con.execute("SELECT coalesce(sum(occurrences - 1), 0) FROM batch_duplicate_keys").fetchone()  # type: ignore[misc]
            applied, deletes = con.execute(
                "SELECT count(*), count(*) FILTER (WHERE is_deleted) FROM applied"
            ).fetchone()  # type: ignore[misc]
            result.rows_superseded_in_batch = int(superseded)
            result.rows_stale_ignored = valid - int(superseded) - applied
            result.deletes_applied = deletes
        else:
            # The append inserts straight from `validated` (no copy of the batch); the INSERT
            # reports how many rows it wrote.
            (applied,) = run_sql(con, template, identifiers=identifiers).fetchone()  # type: ignore[misc]
            result.rows_superseded_in_batch = valid - applied  # duplicate marketoGUIDs
        result.rows_applied = applied
        run_sql(con, "ingest_refresh_orphans")
        run_sql(con, "ingest_mark_ingested", {"entity": spec.entity})
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
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
            "incoming",
            "applied",
        ):
            con.execute(f"DROP TABLE IF EXISTS temp.{table}")
        con.execute("DROP VIEW IF EXISTS temp.validated")
    return result


def _count_batch(con: duckdb.DuckDBPyConnection, result: EntityLoadResult) -> None:
    run_sql(con, "ingest_batch_file_counts")
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
