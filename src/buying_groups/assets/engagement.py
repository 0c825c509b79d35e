"""Group ``engagement``: how engaged every current person is, as of `as_of`."""

import dagster as dg

from buying_groups.assets.keys import EXPERIENCE_EVENTS, PERSON_ENGAGEMENT, PERSONS
from buying_groups.assets.metadata import markdown_table, table_metadata
from buying_groups.engagement import compute_person_engagement, load_engagement_weights
from buying_groups.resources import WAREHOUSE_POOL, ProjectConfigResource, WarehouseResource


@dg.asset(
    key=PERSON_ENGAGEMENT,
    group_name="engagement",
    deps=[PERSONS, EXPERIENCE_EVENTS],
    kinds={"duckdb"},
    owners=["team:marketing-ops"],
    tags={"stage": "engagement"},
    pool=WAREHOUSE_POOL,
)
def person_engagement(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, project_config: ProjectConfigResource
) -> dg.MaterializeResult:
    """Engagement of every current person as of `as_of`: per activity type and UTC day in
    `(as_of - window_days, as_of]`, `min(count, daily_cap) * weight(type)` summed into
    `raw_score`; `person_engagement_score = 100 * sqrt(raw) / max sqrt(raw)` over all persons."""
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
        metadata = table_metadata(
            con,
            "marts.person_engagement",
            extra={
                **result.as_metadata(),
                "score_distribution": dg.MetadataValue.md(markdown_table(["score band", "persons"], distribution)),
                "dagster/column_lineage": dg.TableColumnLineage(
                    deps_by_column={
                        "person_key": [dg.TableColumnDep(PERSONS, "person_key")],
                        "raw_score": [
                            dg.TableColumnDep(EXPERIENCE_EVENTS, "timestamp"),
                            dg.TableColumnDep(EXPERIENCE_EVENTS, "activity_type_id"),
                        ],
                    }
                ),
            },
        )
    context.log.info(f"person engagement as of {as_of}: {result.as_metadata()}")
    return dg.MaterializeResult(metadata=metadata)


ENGAGEMENT_ASSETS = [person_engagement]
