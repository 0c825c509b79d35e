"""Group ``validated``: the ``b2b`` tables, one asset per landing entity, and the matching of
companies reached by ads to accounts."""

import dagster as dg
from pydantic import Field

from buying_groups.assets.keys import ACCOUNTS, AD_COMPANY_MATCHES, AD_COMPANY_REACH, LANDING_DROPS, b2b_key
from buying_groups.assets.metadata import markdown_table, schema_from_entity, schema_from_model, table_metadata
from buying_groups.checks import pandera_check_result, pandera_check_spec
from buying_groups.model.entities import ENTITIES, EntitySpec, entity_by_table
from buying_groups.model.schemas import AdCompanyMatches
from buying_groups.resources import WAREHOUSE_POOL, ProjectConfigResource, WarehouseResource
from buying_groups.validated import AD_COMPANY_MATCHES as MATCHES_TABLE
from buying_groups.validated import load_entity, match_ad_companies

# Cross-entity flags need their referent loaded first: a person's company, an event's person.
_UPSTREAM_TABLES = {
    "persons": ["accounts"],
    "experience_events": ["persons"],
    "opportunity_persons": ["opportunities", "persons"],
}
_MODE_TEXT = {
    "append": "appended, de-duplicated on the key.",
    "upsert": "upserted by key in `updatedAt` order; `marketoIsDeleted` flags a delete.",
    "replace": "replaced by key: a later drop replaces a row with the same key.",
}


class ValidatedTableConfig(dg.Config):
    """Run config of a validated table's step."""

    full_check: bool = Field(
        default=False,
        description="Check every row of an append-only table (events), not only the rows this run appended.",
    )


def _validated_asset(spec: EntitySpec) -> dg.AssetsDefinition:
    deps = [LANDING_DROPS, *(b2b_key(t) for t in _UPSTREAM_TABLES.get(spec.table, []))]
    description = (
        f"{spec.model.__doc__}\n\nBuilt from `{spec.entity}` files of new drops: every value is "
        f"parsed and checked against the `{spec.model.__name__}` Pandera model; bad rows go to "
        f"`b2b.rejected_rows` with the reason; valid rows are " + _MODE_TEXT[spec.mode]
    )

    @dg.asset(
        key=b2b_key(spec.table),
        group_name="validated",
        deps=deps,
        kinds={"duckdb", "pandera"},
        owners=["team:data-engineering"],
        tags={"stage": "validated"},
        description=description,
        pool=WAREHOUSE_POOL,
        metadata={"dagster/column_schema": schema_from_entity(spec), "dagster/table_name": spec.qualified_table},
        check_specs=[pandera_check_spec(spec)],
    )
    def _asset(
        context: dg.AssetExecutionContext,
        config: ValidatedTableConfig,
        warehouse: WarehouseResource,
        project_config: ProjectConfigResource,
    ) -> dg.MaterializeResult:
        project = project_config.load()
        with warehouse.connect() as con:
            result = load_entity(
                con, entity_by_table(spec.table), project.instance.munchkin_id, project.instance.max_rejected_share
            )
            extra: dict[str, object] = result.as_metadata()
            if result.rejects_by_check:
                extra["rejects_by_check"] = dg.MetadataValue.md(
                    markdown_table(["column and check", "values"], result.rejects_by_check.items())
                )
            if result.schema_drift:
                extra["schema_drift"] = dg.MetadataValue.md(
                    "New columns, carried in `extra_fields`:\n\n"
                    + markdown_table(
                        ["file", "new columns"], [(f, ", ".join(c)) for f, c in result.schema_drift.items()]
                    )
                )
                context.log.warning(f"schema drift in {spec.entity}: {result.schema_drift}")
            metadata = table_metadata(con, spec.qualified_table, extra=extra)
            # An append-only table's stored rows never change: the runs that appended them checked
            # them, so a run checks the drops it loaded.
            scoped = spec.mode == "append" and not config.full_check
            appended = sorted({name.split("/", 1)[0] for name in result.files}) if scoped else None
            check = pandera_check_result(con, spec, appended)
        context.log.info(f"{spec.entity}: {result.as_metadata()}")
        return dg.MaterializeResult(metadata=metadata, check_results=[check])

    return _asset


@dg.asset(
    key=AD_COMPANY_MATCHES,
    group_name="validated",
    deps=[AD_COMPANY_REACH, ACCOUNTS],
    kinds={"duckdb"},
    owners=["team:data-engineering"],
    tags={"stage": "validated"},
    description=(AdCompanyMatches.__doc__ or "")
    + "\n\nUnmatched companies (empty `account_key`) are listed in the `unmatched` metadata; they "
    "count for no account in the KPIs until their account arrives or carries their LinkedIn page or website.",
    pool=WAREHOUSE_POOL,
    metadata={"dagster/column_schema": schema_from_model(AdCompanyMatches), "dagster/table_name": MATCHES_TABLE},
)
def ad_company_matches(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        summary = match_ad_companies(con)
        extra: dict[str, object] = dict(summary.as_metadata())
        extra["unmatched"] = dg.MetadataValue.md(
            markdown_table(["platform", "company", "impressions"], summary.unmatched_examples)
            if summary.unmatched_examples
            else "every reached company matched an account"
        )
        metadata = table_metadata(con, MATCHES_TABLE, extra=extra)
    if summary.unmatched:
        context.log.warning(f"{summary.unmatched} of {summary.companies} companies reached by ads match no account")
    return dg.MaterializeResult(metadata=metadata)


VALIDATED_ASSETS = [*(_validated_asset(spec) for spec in ENTITIES), ad_company_matches]
