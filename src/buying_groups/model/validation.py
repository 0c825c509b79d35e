"""Validate a DuckDB table against its Pandera model.

Two complementary passes, both derived from the model:

- **in SQL, every row**: nullability, key uniqueness and each value check (``ge``,
  ``in_range``, ``str_matches``...) are translated to one aggregate query, so a 10M-row table
  is checked in a second without leaving DuckDB;
- **in Pandera, a bounded sample**: up to ``PANDERA_SAMPLE_ROWS`` rows are streamed as Arrow
  and validated eagerly by the Pandera model itself (types included), which keeps the model
  honest as the single source of truth. Pandera on a polars *LazyFrame* checks only the
  schema, so the sample is collected; the whole table through Pandera would cost more than
  ingesting it.

An append-only table (events) can be checked for the rows of some drops only (``drops``):
their values, and their keys against the whole table. Its stored rows never change, so the
run that appended them checked them; the daily check then costs what the day added, not 10M
events. The whole table stays one call away (``drops=None``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb
import pandera.errors
import polars as pl

from buying_groups.model.entities import EntitySpec
from buying_groups.model.sql_checks import SQL_CHECKS
from buying_groups.sql_files import quote_identifier

PANDERA_SAMPLE_ROWS = 200_000


@dataclass
class TableValidation:
    table: str
    rows_checked: int = 0
    pandera_rows: int = 0
    violations: dict[str, int] = field(default_factory=dict)  # "column: rule" -> rows (SQL pass)
    duplicate_keys: int = 0
    failure_count: int = 0  # Pandera failure cases on the sample
    failure_cases: list[dict[str, object]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.violations and self.failure_count == 0


def _sql_violations(spec: EntitySpec, rows: str, count_unique: bool) -> tuple[str, dict[str, object], list[str]]:
    """One aggregate query counting, per column and rule, the rows of ``rows`` (a table or a
    subquery) that break the model; with ``count_unique``, also suspected duplicate keys
    among them."""
    params: dict[str, object] = {}
    counters, labels = [], []
    for column in spec.columns:
        name = quote_identifier(column.name)
        if not column.nullable:
            counters.append(f"count(*) FILTER (WHERE {name} IS NULL)")
            labels.append(f"{column.name}: not_nullable")
        for check_name, statistics in column.checks:
            template, keys = SQL_CHECKS[check_name]
            bound = []
            for key in keys:
                params[f"p{len(params)}"] = statistics[key]
                bound.append(f"$p{len(params) - 1}")
            predicate = template.format(v=name, p=bound[0], q=bound[-1])
            counters.append(f"count(*) FILTER (WHERE {name} IS NOT NULL AND NOT ({predicate}))")
            labels.append(f"{column.name}: {check_name}")
    if count_unique:
        counters.append(_duplicate_hashes_sql(quote_identifier(spec.key_column)))
        labels.append(f"{spec.key_column}: unique")
    return f"SELECT count(*), {', '.join(counters)} FROM {rows}", params, labels


def _duplicate_hashes_sql(key: str) -> str:
    # Distinct 64-bit hashes of the non-null keys: DuckDB aggregates them much faster than
    # the strings themselves. Equal hashes do not
    # prove equal keys, so a non-zero count is only a suspicion that count_duplicate_keys
    # settles exactly; zero is exact (distinct hashes imply distinct keys).
    return f"count({key}) - count(DISTINCT hash({key})) FILTER (WHERE {key} IS NOT NULL)"


def count_duplicate_keys(con: duckdb.DuckDBPyConnection, table: str, key_columns: list[str]) -> int:
    """Rows of ``table`` whose non-null key repeats an earlier row's (0 = the key is unique).

    ``table`` and ``key_columns`` are identifiers from our own models, never user input.
    """
    key = (
        quote_identifier(key_columns[0])
        if len(key_columns) == 1
        else f"({', '.join(map(quote_identifier, key_columns))})"
    )
    (suspected,) = con.execute(f"SELECT {_duplicate_hashes_sql(key)} FROM {table}").fetchone()  # type: ignore[misc]
    return _count_exact_duplicates(con, table, key) if suspected else 0


def _count_exact_duplicates(
    con: duckdb.DuckDBPyConnection, table: str, key: str, params: dict[str, object] | None = None
) -> int:
    (exact,) = con.execute(f"SELECT count({key}) - count(DISTINCT {key}) FROM {table}", params or {}).fetchone()  # type: ignore[misc]
    return int(exact)


def validate_table(
    con: duckdb.DuckDBPyConnection, spec: EntitySpec, max_cases: int = 20, drops: Sequence[str] | None = None
) -> TableValidation:
    """Check ``spec``'s table against its model: every row, or with ``drops`` (an append-only
    table only) the rows of those drops, their keys compared with every row's."""
    result = TableValidation(spec.qualified_table)
    table, key = spec.qualified_table, quote_identifier(spec.key_column)
    if drops is None:
        rows, scope = table, {}
    else:
        if spec.mode != "append":
            raise ValueError(f"{table} is not append-only: its stored rows change, check all of them")
        rows, scope = f"(SELECT * FROM {table} WHERE list_contains($drops, source_drop))", {"drops": list(drops)}
    # The whole table's keys are counted in the same pass; a scope's keys against the whole
    # table (the rows sharing a key with one of the scope's) in a query of their own.
    sql, params, labels = _sql_violations(spec, rows, count_unique=drops is None)
    row = con.execute(sql, params | scope).fetchone()
    assert row is not None
    result.rows_checked = int(row[0])
    counts = dict(zip(labels, row[1:], strict=True))
    unique_label = f"{spec.key_column}: unique"
    sharing = table if drops is None else f"(SELECT {key} FROM {table} WHERE {key} IN (SELECT {key} FROM {rows}))"
    if drops is not None:
        (counts[unique_label],) = con.execute(f"SELECT {_duplicate_hashes_sql(key)} FROM {sharing}", scope).fetchone()  # type: ignore[misc]
    if counts[unique_label]:  # two rows share a hash: count the keys themselves
        counts[unique_label] = _count_exact_duplicates(con, sharing, key, scope)
    result.violations = {label: int(count) for label, count in counts.items() if count}
    result.duplicate_keys = result.violations.get(unique_label, 0)

    # Uniqueness is verified over the whole table above; on a sample it would prove nothing.
    schema = spec.schema.update_columns({c.name: {"unique": False} for c in spec.columns if c.unique})
    sample = con.execute(f"SELECT * FROM {rows} LIMIT {PANDERA_SAMPLE_ROWS}", scope).fetch_arrow_table()
    frame = pl.from_arrow(sample)
    assert isinstance(frame, pl.DataFrame)
    result.pandera_rows = frame.height
    try:
        schema.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        result.failure_count = cases.height
        result.failure_cases = cases.head(max_cases).cast(pl.String).to_dicts()
    return result
