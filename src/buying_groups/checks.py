"""Asset checks derived from the Pandera models (validated tables).

Each validated table gets one blocking check: its rows against its Pandera model plus key
uniqueness. Blocking, so a table that breaks its contract stops downstream scoring.
"""

import dagster as dg

from buying_groups.assets.keys import b2b_key
from buying_groups.assets.metadata import markdown_table
from buying_groups.model.entities import ENTITIES, EntitySpec
from buying_groups.model.validation import validate_table
from buying_groups.resources import WAREHOUSE_POOL, WarehouseResource


def _pandera_check(spec: EntitySpec) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        pool=WAREHOUSE_POOL,
        asset=b2b_key(spec.table),
        name="pandera_schema",
        blocking=True,
        description=f"Every row of {spec.qualified_table} satisfies the {spec.model.__name__} "
        "Pandera model: nullability, ranges, formats and key uniqueness over the whole table "
        "(pushed down to SQL), and the full Pandera validation on a bounded sample.",
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            outcome = validate_table(con, spec)
        metadata: dict[str, object] = {
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
        return dg.AssetCheckResult(passed=outcome.passed, metadata=metadata)

    return _check


VALIDATED_CHECKS = [_pandera_check(spec) for spec in ENTITIES]
