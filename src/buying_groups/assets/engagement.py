"""Group ``engagement``: how engaged every current person is, as of `as_of`, and what makes up
each score. One multi-asset: the score and its contributions are written in one transaction."""

from collections.abc import Iterator

import dagster as dg

from buying_groups.assets.keys import EXPERIENCE_EVENTS, PERSON_ENGAGEMENT, PERSON_ENGAGEMENT_CONTRIBUTIONS, PERSONS
from buying_groups.assets.metadata import markdown_table, table_metadata
from buying_groups.engagement import compute_person_engagement, contribution_mismatches, load_engagement_weights
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
    name="person_engagement",
    pool=WAREHOUSE_POOL,
)
def person_engagement(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, project_config: ProjectConfigResource
) -> Iterator[dg.MaterializeResult]:
    config, as_of = project_config.load(), project_config.as_of_date()
    with warehouse.connect() as con:
        load_engagement_weights(con, config)
        result = compute_person_engagement(con, as_of, config.engagement.window_days, config.engagement.daily_cap)
        distribution = con.execute(
            """
            SELECT CASE WHEN person_engagement_score = 0 THEN '0'
                        WHEN person_engagement_score < 25 THEN '1-24'
                        WHEN person_engagement_score < 50 THEN '25-49'
                        WHEN person_engagement_score < 75 THEN '50-74' ELSE '75-100' END AS band,
                   count(*) FROM marts.person_engagement GROUP BY band ORDER BY min(person_engagement_score)
            """
        ).fetchall()
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
    context.log.info(f"person engagement as of {as_of}: {result.as_metadata()}")


@dg.asset_check(
    pool=WAREHOUSE_POOL,
    asset=PERSON_ENGAGEMENT_CONTRIBUTIONS,
    blocking=True,
    description="Each person's contributions add up to its raw_score exactly, and every contribution "
    "belongs to a scored person.",
)
def contributions_add_up(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        mismatched, orphaned, persons = contribution_mismatches(con)
    return dg.AssetCheckResult(
        passed=mismatched == 0 and orphaned == 0,
        metadata={
            "persons_with_contributions": persons,
            "persons_not_adding_up": mismatched,
            "contributions_without_person": orphaned,
        },
    )


ENGAGEMENT_ASSETS = [person_engagement]
ENGAGEMENT_CHECKS = [contributions_add_up]
