"""The statements of a validated load, built from the entity's Pandera model (``EntitySpec``).

Pure functions of the spec and plain values: they return SQL text (and the values it binds)
and never touch a connection; :mod:`buying_groups.validated.load` runs them. No value is ever
formatted into SQL, only whitelisted identifiers (model and source column names, quoted) and
constant expressions; every value of a file, a drop or a check is a bound parameter.

The batch table holds, per row: the ``b2b`` table's columns with final values, the lineage,
``record_base``, ``csv_shape``, ``__absent_columns``, ``__reject`` (the row is quarantined),
``__has_problem`` (the row has an entry in the quarantine) and, for problem rows only, the raw
text (``__raw_<source column>``). Per column the checking statements compute, in order,
``__text_<column>`` (trimmed text), ``__parsed_<column>`` (typed value), ``__bad_<column>`` and
``__missing_<column>``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from buying_groups.model.entities import ColumnSpec, EntitySpec
from buying_groups.model.keys import key_suffix
from buying_groups.model.schemas import ACTIVITY_TYPE_NAMES, EMAIL_PATTERN
from buying_groups.model.sql_checks import SQL_CHECKS
from buying_groups.sql_files import SqlParams, quote_identifier

# DuckDB's own null detection is switched off (a marker no file contains) so that an empty
# field reads as '' and only null padding reads as NULL: that is how a record with too few
# fields is told apart from one whose last field is empty. `bg_text` then treats '' and the
# literal `null` as empty.
NEVER_NULL = "\u241fbuying-groups:no-null-marker\u241f"
MAX_LINE_BYTES = 32 * 1024 * 1024  # one record may carry a very long field (JSON attributes)
# A bulk load stages its batch in b2b.<table>__loading, which then becomes the table.
LOADING_SUFFIX = "__loading"
# When an incoming version replaces the stored one: an upsert keeps the newer updatedAt, a
# replace (ad reports, which have no updatedAt) the later drop. Constant SQL.
NOT_OLDER = {
    "upsert": "incoming.updated_at >= current.updated_at",
    "replace": 'incoming."source_drop" >= current."source_drop"',
}
# Which row of a key wins within one batch: an append keeps the first occurrence, an upsert
# the newest version (updatedAt, then the later drop, file and line). Filled into the
# `{precedence}` of the merge statements; constant SQL, never user input.
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


def bulk_table(spec: EntitySpec) -> str:
    """The regular table beside the target in which a bulk load stages its batch."""
    return f"b2b.{quote_identifier(spec.table + LOADING_SUFFIX)}"


# --- staging ---------------------------------------------------------------------------


def stage_ddl(spec: EntitySpec) -> str:
    """An empty ``stage`` table: the shape of one scanned file, used only to create the batch table."""
    source_columns = ", ".join(f"{quote_identifier(s)} VARCHAR" for s in spec.source_columns)
    return (
        'CREATE OR REPLACE TEMP TABLE stage ("drop" VARCHAR, source_file VARCHAR, '
        f"record_base BIGINT, line_number BIGINT, {source_columns}, extra_fields VARCHAR, csv_shape VARCHAR, "
        "__absent_columns VARCHAR[])"
    )


def create_batch_sql(spec: EntitySpec, batch: str, munchkin_id: str) -> tuple[str, dict[str, Any]]:
    """Create the (empty) batch table from a query over the empty ``stage`` table, so it has
    exactly the shape every file's checking statement inserts."""
    params = SqlParams()
    create = "CREATE OR REPLACE TEMP TABLE checked" if batch == "temp.checked" else f"CREATE OR REPLACE TABLE {batch}"
    return f"{create} AS {_checked_sql(spec, params, munchkin_id)}", params.values


def compressed_batch_ddl(spec: EntitySpec, batch: str, columns: list[tuple[str, str]]) -> str | None:
    """Re-create the (still empty) bulk batch table, whose columns (name, type) are
    ``columns``, with the compression the model fixes per column: the batch becomes the table,
    and CREATE TABLE AS cannot declare it. None when the model fixes none."""
    compression = {c.name: c.ddl_type for c in spec.columns if c.compression}
    if not compression:
        return None
    definitions = ", ".join(
        f"{quote_identifier(name)} {compression.get(name, data_type)}" for name, data_type in columns
    )
    return f"CREATE OR REPLACE TABLE {batch} ({definitions})"


def scan_and_check_sql(
    spec: EntitySpec,
    drop: str,
    path: Path,
    header: list[str],
    munchkin_id: str,
    shape_checked: bool,
    record_base: int,
) -> tuple[str, dict[str, Any]]:
    """The statement that scans one file and parses and checks every value (see _checked_sql)."""
    params = SqlParams()
    positions = {name: i for i, name in enumerate(header)}
    # Line numbers come from the rowid of the batch table (see load._stage_batch): the scan
    # keeps file order on insert (preserve_insertion_order, set by load._in_file_order, and no
    # join in this statement), and unlike row_number() OVER () it lets the scan and the parsing
    # run on every core.
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


# --- checking --------------------------------------------------------------------------


def _flag(name: str, kind: str) -> str:
    return quote_identifier(f"__{kind}_{name}")


def _counts_missing(column: ColumnSpec) -> bool:
    """Whether an empty value of the column is a problem (a non-nullable flag reads as false)."""
    return not column.nullable and column.duckdb_type != "BOOLEAN"


def _column_sql(column: ColumnSpec, params: SqlParams, munchkin_id: str) -> tuple[str, str, str, str]:
    """(text, parsed value, is-invalid flag, is-missing flag) for one sourced column.

    The text and the parsed value are computed once, in their own projection, and the flags
    refer to them by name: DuckDB does not share an expression repeated inline across them, so
    each flag would repeat the parse.
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


def _reject_conditions(spec: EntitySpec) -> list[str]:
    """The flags of which any quarantines a row. A record with the wrong number of fields is
    quarantined as a whole (its values are shifted, so no single column is to blame)."""
    conditions = ["csv_shape IS NOT NULL"]
    for column in (c for c in spec.columns if c.source):
        if column.on_invalid == "reject":
            conditions.append(_flag(column.name, "bad"))
        if _counts_missing(column):
            conditions.append(_flag(column.name, "missing"))
    return conditions


def _flags_sql(spec: EntitySpec, params: SqlParams, munchkin_id: str, source: str) -> str:
    """SELECT over ``source`` (rows shaped like ``stage``, aliased ``stage``) with every parsed
    column, its is-bad and is-missing flags, the raw text and ``__has_problem``."""
    lineage = [
        'stage."drop" AS source_drop',
        "stage.source_file",
        "stage.record_base",
        "stage.line_number AS source_line",
        "stage.extra_fields",
        "stage.csv_shape",
        "stage.__absent_columns",
    ]
    problems = ["csv_shape IS NOT NULL"]
    texts, parses, flags = [], [], []
    for column in (c for c in spec.columns if c.source):
        text, parse, bad, missing = _column_sql(column, params, munchkin_id)
        texts.append(f"{text} AS {_flag(column.name, 'text')}")
        parses.append(f"{parse} AS {_flag(column.name, 'parsed')}")
        flags += [f"{bad} AS {_flag(column.name, 'bad')}", f"{missing} AS {_flag(column.name, 'missing')}"]
        # Same condition as the row's entries in batch_rejects (see _rejects_sql).
        problems.append(_flag(column.name, "bad"))
        if _counts_missing(column):
            problems.append(_flag(column.name, "missing"))
    raw = ", ".join(f"stage.{quote_identifier(s)}" for s in spec.source_columns)
    texted = f"SELECT {', '.join(lineage)}, {raw}, {', '.join(texts)} FROM {source} AS stage"
    parsed = f"SELECT *, {', '.join(parses)} FROM ({texted}) AS stage"
    flagged = f"SELECT *, {', '.join(flags)} FROM ({parsed})"
    return f"SELECT *, ({' OR '.join(problems)}) AS __has_problem FROM ({flagged})"


def batch_only_columns(spec: EntitySpec) -> list[str]:
    """The columns a batch table has after the table's own (see :func:`_checked_sql`)."""
    return [
        "record_base",
        "csv_shape",
        "__absent_columns",
        "__reject",
        "__has_problem",
        *(f"__raw_{s}" for s in spec.source_columns),
    ]


def _checked_sql(spec: EntitySpec, params: SqlParams, munchkin_id: str, source: str = "stage") -> str:
    """SELECT over ``source`` (one scanned file, aliased ``stage``) with every column of the
    ``b2b`` table in its order (final values, derived columns, lineage), then the batch's own
    columns: ``record_base``, ``csv_shape``, ``__reject`` (the row is quarantined),
    ``__has_problem`` (the row has an entry in the quarantine) and, for problem rows only, the
    raw text.

    Only final values are kept, not the per-column flags: the batch table holds every row of
    the batch, and the quarantine re-derives the flags from the raw text of the few problem
    rows (see :func:`problem_checks_sql`). Derived columns that are plain expressions are
    computed here, so that a bulk load can become the table without another pass; those that
    need a lookup are NULL here (see ``_LOOKUP_SQL``).
    """
    flags = _flags_sql(spec, params, munchkin_id, source)
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
        f"SELECT {', '.join(lineage)}, {', '.join(finals)}, ({' OR '.join(_reject_conditions(spec))}) AS __reject, "
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
    batch_columns = [quote_identifier(name) for name in batch_only_columns(spec)]
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


def _event_type_sql(params: SqlParams) -> str:
    """The standard Marketo name of ``activity_type_id``, else ``Activity <id>``."""
    cases = " ".join(f"WHEN {params.bind(id_)} THEN {params.bind(name)}" for id_, name in ACTIVITY_TYPE_NAMES.items())
    return f"CASE checked.activity_type_id {cases} ELSE 'Activity ' || checked.activity_type_id END"


# --- the quarantine --------------------------------------------------------------------


def problem_rows_sql(spec: EntitySpec, batch: str) -> str:
    """``problem_rows``: the batch's rows with a problem, shaped like ``stage`` again (their
    raw text under the source column names), so the flags can be derived again for them alone."""
    raw = ", ".join(f"{_flag(s, 'raw')} AS {quote_identifier(s)}" for s in spec.source_columns)
    return (
        'CREATE OR REPLACE TEMP TABLE problem_rows AS SELECT source_drop AS "drop", source_file, record_base, '
        f"source_line AS line_number, extra_fields, csv_shape, __absent_columns, {raw} FROM {batch} "
        "WHERE __has_problem"
    )


def problem_checks_sql(spec: EntitySpec, munchkin_id: str) -> tuple[str, dict[str, Any]]:
    """``problem_checks``: every parsed value and flag of the rows of ``problem_rows``."""
    params = SqlParams()
    flags = _flags_sql(spec, params, munchkin_id, "problem_rows")
    return f"CREATE OR REPLACE TEMP TABLE problem_checks AS {flags}", params.values


def rejects_sql(spec: EntitySpec) -> tuple[str, dict[str, Any]]:
    """``batch_rejects`` from ``problem_checks``: one row per bad value, quarantined when it
    rejects the row, flagged when kept; one per record with the wrong number of fields."""
    params = SqlParams()
    raw_pairs = ", ".join(f"{params.bind(s)}, {quote_identifier(s)}" for s in spec.source_columns)
    raw_record = f"json_object({raw_pairs}, '_extra', extra_fields::JSON)::VARCHAR"
    row_rejected = " OR ".join(_reject_conditions(spec)) or "false"
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
        condition = f"({bad} OR {missing})" if _counts_missing(column) else bad
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
    return "CREATE OR REPLACE TEMP TABLE batch_rejects AS " + " UNION ALL ".join(parts), params.values


# --- merging ---------------------------------------------------------------------------


def validated_view_sql(spec: EntitySpec, batch: str) -> str:
    """The ``validated`` view: the batch's accepted rows with the table's columns (lookups
    computed) and ``__absent_columns``."""
    columns = ", ".join(
        f"{_LOOKUP_SQL[c.name]} AS {quote_identifier(c.name)}" if c.name in _LOOKUP_SQL else quote_identifier(c.name)
        for c in spec.columns
    )
    return (
        f"CREATE OR REPLACE TEMP VIEW validated AS SELECT {columns}, __absent_columns "
        f"FROM {batch} AS batch_row WHERE NOT __reject"
    )


def keep_stored_sql(spec: EntitySpec) -> str:
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


def merge_identifiers(spec: EntitySpec) -> dict[str, str]:
    """The ``{placeholders}`` of ``validated/upsert.sql`` and ``validated/append.sql``."""
    return {
        "table": spec.qualified_table,
        "key": quote_identifier(spec.key_column),
        "precedence": PRECEDENCE[spec.mode],
        "keep_stored": keep_stored_sql(spec),
        "not_older": NOT_OLDER.get(spec.mode, "true"),
    }


def bulk_lookup_sql(spec: EntitySpec, batch: str) -> str | None:
    """The UPDATE that fills the lookup columns of a staged bulk batch (None: it has none)."""
    lookups = [c.name for c in spec.columns if c.name in _LOOKUP_SQL]
    if not lookups:
        return None
    assignments = ", ".join(f"{quote_identifier(name)} = {_LOOKUP_SQL[name]}" for name in lookups)
    return f"UPDATE {batch} SET {assignments}"


def bulk_prune_identifiers(spec: EntitySpec, batch: str) -> dict[str, str]:
    """The ``{placeholders}`` of ``validated/bulk_prune.sql``."""
    return {"batch": batch, "key": quote_identifier(spec.key_column), "precedence": PRECEDENCE[spec.mode]}


def bulk_reshape_sql(spec: EntitySpec, batch: str) -> list[str]:
    """The ALTERs that turn a pruned bulk batch into the table's shape: drop the batch's own
    columns, restore NOT NULL."""
    drops = [f"ALTER TABLE {batch} DROP COLUMN {quote_identifier(column)}" for column in batch_only_columns(spec)]
    not_null = [
        f"ALTER TABLE {batch} ALTER COLUMN {quote_identifier(column.name)} SET NOT NULL"
        for column in spec.columns
        if not column.nullable
    ]
    return drops + not_null
