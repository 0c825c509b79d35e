"""Asset checks derived from the Pandera models (validated tables).

Each validated table carries one blocking check: its rows against its Pandera model plus key
uniqueness. Blocking, so a table that breaks its contract stops downstream scoring. The check
is declared on the table's asset (``check_specs``) and evaluated in the same step, on the
same connection, right after the load: a step of its own per table cost more in Dagster's
step start and stop than the smaller tables' checks themselves.
"""

from collections.abc import Sequence

import dagster as dg
import duckdb

from buying_groups.assets.keys import b2b_key
from buying_groups.assets.metadata import markdown_table
from buying_groups.model.entities import EntitySpec
from buying_groups.model.validation import validate_table

PANDERA_CHECK = "pandera_schema"


def pandera_check_spec(spec: EntitySpec) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        PANDERA_CHECK,
        asset=b2b_key(spec.table),
        blocking=True,
        description=f"Every row of {spec.qualified_table} satisfies the {spec.model.__name__} "
        "Pandera model: nullability, ranges, formats and key uniqueness over the whole table "
        "(pushed down to SQL), and the full Pandera validation on a bounded sample."
        + (
            " Append-only: a run checks the rows it appended (their keys against the whole table); "
            "`full_check` in the run config (`buying-groups run --full-checks`) checks every row."
            if spec.mode == "append"
            else ""
        ),
    )


def pandera_check_result(
    con: duckdb.DuckDBPyConnection, spec: EntitySpec, drops: Sequence[str] | None = None
) -> dg.AssetCheckResult:
    """The check over the whole table, or (``drops``, append-only tables) over the rows of
    those drops, their keys against the whole table."""
    outcome = validate_table(con, spec, drops=drops)
    metadata: dict[str, object] = {
        "scope": "whole table" if drops is None else f"rows appended from drops: {', '.join(drops) or 'none'}",
        "rows_checked_in_sql": outcome.rows_checked,
        "rows_checked_by_pandera": outcome.pandera_rows,
        "pandera_failure_cases": outcome.failure_count,
        "duplicate_keys": outcome.duplicate_keys,
        "violations": dg.MetadataValue.json(outcome.violations),
    }
    if outcome.failure_cases:
        columns = list(outcome.failure_cases[0])
        metadata["first_failures"] = dg.MetadataValue.md(
            markdown_table(columns, [[case[c] for c in columns] for case in outcome.failure_cases])
        )
    return dg.AssetCheckResult(
        asset_key=b2b_key(spec.table), check_name=PANDERA_CHECK, passed=outcome.passed, metadata=metadata
    )
