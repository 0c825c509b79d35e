"""Group ``engagement``: how engaged every current person is, as of `as_of`, and what makes up
each score. One multi-asset: the score and its contributions are written in one transaction,
then checked in the same step."""

from collections.abc import Iterator

import dagster as dg
import duckdb

from buying_groups.assets.keys import EXPERIENCE_EVENTS, PERSON_ENGAGEMENT, PERSON_ENGAGEMENT_CONTRIBUTIONS, PERSONS
from buying_groups.assets.metadata import markdown_table, table_metadata
from buying_groups.buying_groups import refuse_earlier_as_of
from buying_groups.engagement import (
    compute_person_engagement,
    contribution_mismatches,
    load_engagement_weights,
    score_bands,
)
from buying_groups.resources import WAREHOUSE_POOL, ProjectConfigResource, WarehouseResource

_DESCRIPTIONS = {
    PERSON_ENGAGEMENT: "Engagement of every current person as of `as_of`: per activity type and UTC day in "
    "`(as_of - window_days, as_of]`, `min(count, daily_cap) * weight(type)` summed into `raw_score`; "
    "`person_engagement_score = 100 * sqrt(raw) / max sqrt(raw)` over all persons.",
    PERSON_ENGAGEMENT_CONTRIBUTIONS: "What makes up each person's `raw_score`: per person and weighted activity "
    "type, the days with activity in the window, the capped count (sum of `min(count that day, daily_cap)`) "
    "and the points (capped count times the type's weight). The points of a person add up to its `raw_score`.",
}

_EVENT_COLUMNS = [
    dg.TableColumnDep(EXPERIENCE_EVENTS, "timestamp"),
    dg.TableColumnDep(EXPERIENCE_EVENTS, "activity_type_id"),
]
_COLUMN_LINEAGE = {
    PERSON_ENGAGEMENT: {"person_key": [dg.TableColumnDep(PERSONS, "person_key")], "raw_score": _EVENT_COLUMNS},
    PERSON_ENGAGEMENT_CONTRIBUTIONS: {
        "person_key": [dg.TableColumnDep(PERSONS, "person_key")],
        "activity_type_id": [dg.TableColumnDep(EXPERIENCE_EVENTS, "activity_type_id")],
        "days_active": _EVENT_COLUMNS,
        "capped_count": _EVENT_COLUMNS,
        "points": _EVENT_COLUMNS,
    },
}


# Evaluated in the `person_engagement` step, on its connection, right after the scores are
# written (a step of its own spent more time starting than checking). Blocking: a failure fails
# the step, so the buying groups are not scored on wrong engagement.
CONTRIBUTIONS_ADD_UP = dg.AssetCheckSpec(
    "contributions_add_up",
    asset=PERSON_ENGAGEMENT_CONTRIBUTIONS,
    blocking=True,
    description="Each person's contributions add up to its raw_score exactly, and every contribution "
    "belongs to a scored person.",
)


def _contributions_add_up(con: duckdb.DuckDBPyConnection) -> dg.AssetCheckResult:
    mismatched, orphaned, persons = contribution_mismatches(con)
    return dg.AssetCheckResult(
        check_name=CONTRIBUTIONS_ADD_UP.name,
        asset_key=PERSON_ENGAGEMENT_CONTRIBUTIONS,
        passed=mismatched == 0 and orphaned == 0,
        metadata={
            "persons_with_contributions": persons,
            "persons_not_adding_up": mismatched,
            "contributions_without_person": orphaned,
        },
    )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key,
            group_name="engagement",
            description=description,
            deps=[PERSONS, EXPERIENCE_EVENTS],
            kinds={"duckdb"},
            owners=["team:marketing-ops"],
            tags={"stage": "engagement"},
        )
        for key, description in _DESCRIPTIONS.items()
    ],
    check_specs=[CONTRIBUTIONS_ADD_UP],
    name="person_engagement",
    pool=WAREHOUSE_POOL,
)
def person_engagement(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, project_config: ProjectConfigResource
) -> Iterator[dg.MaterializeResult]:
    config, as_of = project_config.load(), project_config.as_of_date()
    with warehouse.connect() as con:
        refuse_earlier_as_of(con, as_of)  # before this date's marts replace a later date's
        load_engagement_weights(con, config)
        result = compute_person_engagement(con, as_of, config.engagement.window_days, config.engagement.daily_cap)
        distribution = score_bands(con)
        by_type = con.execute(
            """
            SELECT activity_type_id, count(*) AS persons, sum(capped_count) AS capped_count, sum(points) AS points
            FROM marts.person_engagement_contributions GROUP BY ALL ORDER BY activity_type_id
            """
        ).fetchall()
        extras = {
            PERSON_ENGAGEMENT: {
                **result.as_metadata(),
                "score_distribution": dg.MetadataValue.md(markdown_table(["score band", "persons"], distribution)),
            },
            PERSON_ENGAGEMENT_CONTRIBUTIONS: {
                "as_of": as_of.isoformat(),
                "points_by_activity_type": dg.MetadataValue.md(
                    markdown_table(["activity type", "persons", "capped count", "points"], by_type)
                ),
            },
        }
        for key, extra in extras.items():
            table = f"marts.{key.path[-1]}"
            lineage = dg.TableColumnLineage(deps_by_column=_COLUMN_LINEAGE[key])
            yield dg.MaterializeResult(
                asset_key=key,
                metadata=table_metadata(con, table, extra={**extra, "dagster/column_lineage": lineage}),
            )
        yield _contributions_add_up(con)
    context.log.info(f"person engagement as of {as_of}: {result.as_metadata()}")


ENGAGEMENT_ASSETS = [person_engagement]
