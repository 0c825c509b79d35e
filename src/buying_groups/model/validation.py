"""Validate a DuckDB table against its Pandera model in bounded batches.

Pandera on a polars *LazyFrame* checks only the schema; values are checked on collected
frames, so the table is streamed as Arrow record batches and each batch is validated eagerly:
memory stays flat whatever the table size. Uniqueness across batches is checked in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandera.errors
import polars as pl

from buying_groups.model.entities import EntitySpec
from buying_groups.sql_files import quote_identifier

BATCH_ROWS = 1_000_000


@dataclass
class TableValidation:
    table: str
    rows_checked: int = 0
    failure_count: int = 0
    duplicate_keys: int = 0
    failure_cases: list[dict[str, object]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.failure_count == 0 and self.duplicate_keys == 0


def validate_table(con: duckdb.DuckDBPyConnection, spec: EntitySpec, max_cases: int = 20) -> TableValidation:
    result = TableValidation(spec.qualified_table)
    key = quote_identifier(spec.key_column)
    result.duplicate_keys = con.execute(
        f"SELECT count(*) - count(DISTINCT {key}) FROM {spec.qualified_table}"
    ).fetchone()[0]  # type: ignore[index]
    # Uniqueness is verified over the whole table above; per batch it would prove nothing.
    schema = spec.schema.update_columns({c.name: {"unique": False} for c in spec.columns if c.unique})
    reader = con.execute(f"SELECT * FROM {spec.qualified_table}").fetch_record_batch(BATCH_ROWS)
    for batch in reader:
        frame = pl.from_arrow(batch)
        assert isinstance(frame, pl.DataFrame)
        result.rows_checked += frame.height
        try:
            schema.validate(frame, lazy=True)
        except pandera.errors.SchemaErrors as errors:
            cases = errors.failure_cases
            result.failure_count += cases.height
            room = max_cases - len(result.failure_cases)
            if room > 0:
                result.failure_cases += cases.head(room).cast(pl.String).to_dicts()
    return result
