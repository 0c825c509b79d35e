"""Group ``buying_groups``: membership, role coverage, completeness, engagement, stage, history.

One multi-asset: the four marts are written by one scoring pass in one transaction, so they
always describe the same `as_of`.
"""

import dagster as dg
import duckdb

from buying_groups.assets.keys import (
    ACCOUNT_AUDIENCE_MEMBERS,
    ACCOUNTS,
    BUYING_GROUP_HISTORY,
    BUYING_GROUP_MEMBER_REASONS,
    BUYING_GROUP_MEMBERS,
    BUYING_GROUP_ROLES,
    BUYING_GROUPS,
    EXPERIENCE_EVENTS,
    OPPORTUNITIES,
    OPPORTUNITY_PERSONS,
    PERSON_ENGAGEMENT,
    PERSONS,
)
from buying_groups.assets.metadata import markdown_table, table_metadata
from buying_groups.buying_groups import (
    build_interest,
    build_rule_matches,
    completeness_bands,
    load_scoring_config,
    member_problems,
    refuse_earlier_as_of,
    score_buying_groups,
)
from buying_groups.model.marts import STAGES
from buying_groups.resources import WAREHOUSE_POOL, ProjectConfigResource, WarehouseResource

_DESCRIPTIONS = {
    BUYING_GROUPS: "One row per buying group (solution interest x account in its audience) as of `as_of`: "
    "member count, completeness (`completeness_score`, `weighted_completeness_score`), "
    "`engagement_score`, `missing_roles`, `stage` (sales_ready / complete / incomplete) and `qualified_at`.",
    BUYING_GROUP_MEMBERS: "Members of every buying group with their role and how it was assigned "
    "(manual > crm > rule). History is kept: members who stop qualifying stay with `is_removed` and `removed_at`.",
    BUYING_GROUP_ROLES: "Role coverage per group: members assigned per template role and "
    "`role_completeness = 100 * min(n, members_required) / members_required`.",
    BUYING_GROUP_HISTORY: "Scores and stage of every group per `as_of` (one row per group per run date), "
    "for time-to-complete reporting.",
    BUYING_GROUP_MEMBER_REASONS: "Why each member holds its role, in words: the role's conditions with the "
    "person's value they matched, the CRM contact role and its opportunity, or the overrides file line; for a "
    "removed member why it left (no longer matches, moved account, deleted, removed manually, group gone).",
}


def _lineage_deps(*columns: tuple[dg.AssetKey, str]) -> list[dg.TableColumnDep]:
    return [dg.TableColumnDep(asset_key=key, column_name=column) for key, column in columns]


# Where the marts' columns come from, for the UI's column lineage. Roles are assigned from job
# titles (role templates) and CRM opportunity roles; interest from matching experience events.
_ROLE_SOURCES = ((PERSONS, "job_title"), (OPPORTUNITY_PERSONS, "role"))
_ENGAGEMENT = (PERSON_ENGAGEMENT, "person_engagement_score")
_COLUMN_LINEAGE = {
    BUYING_GROUPS: {
        "account_key": _lineage_deps((ACCOUNT_AUDIENCE_MEMBERS, "account_key")),
        "member_count": _lineage_deps((PERSONS, "person_key"), (PERSONS, "account_key")),
        "interested_members": _lineage_deps((EXPERIENCE_EVENTS, "person_key"), (EXPERIENCE_EVENTS, "activity_type_id")),
        "completeness_score": _lineage_deps(*_ROLE_SOURCES),
        "weighted_completeness_score": _lineage_deps(*_ROLE_SOURCES),
        "engagement_score": _lineage_deps(_ENGAGEMENT),
        "missing_roles": _lineage_deps(*_ROLE_SOURCES),
        "stage": _lineage_deps(*_ROLE_SOURCES, _ENGAGEMENT),
    },
    BUYING_GROUP_MEMBERS: {
        "person_key": _lineage_deps((PERSONS, "person_key")),
        "role": _lineage_deps(*_ROLE_SOURCES),
        "assignment_source": _lineage_deps(*_ROLE_SOURCES),
        "person_engagement_score": _lineage_deps(_ENGAGEMENT),
        "has_interest": _lineage_deps((EXPERIENCE_EVENTS, "person_key"), (EXPERIENCE_EVENTS, "activity_type_id")),
    },
    BUYING_GROUP_ROLES: {
        "members_assigned": _lineage_deps(*_ROLE_SOURCES),
        "role_completeness": _lineage_deps(*_ROLE_SOURCES),
    },
    BUYING_GROUP_MEMBER_REASONS: {
        "person_key": _lineage_deps((PERSONS, "person_key")),
        "role": _lineage_deps(*_ROLE_SOURCES),
        "reason": _lineage_deps(*_ROLE_SOURCES, (OPPORTUNITIES, "opportunity_name"), (PERSONS, "account_key")),
    },
    BUYING_GROUP_HISTORY: {
        "completeness_score": _lineage_deps(*_ROLE_SOURCES),
        "engagement_score": _lineage_deps(_ENGAGEMENT),
        "stage": _lineage_deps(*_ROLE_SOURCES, _ENGAGEMENT),
    },
}


# Evaluated in the `score_buying_groups` step, on its connection, right after the scores are
# written (steps of their own spent more time starting than checking). Blocking: a failure
# fails the step, so nothing downstream reads wrong scores.
SCORES_IN_RANGE = dg.AssetCheckSpec(
    "scores_in_range",
    asset=BUYING_GROUPS,
    blocking=True,
    description="Every score is a number in [0, 100] and every stage is one of the three.",
)
MEMBERS_ARE_CURRENT_PERSONS = dg.AssetCheckSpec(
    "members_are_current_persons",
    asset=BUYING_GROUP_MEMBERS,
    blocking=True,
    description="No active member is a deleted or unknown person; at most one row per group and person.",
)


def _scores_in_range(con: duckdb.DuckDBPyConnection) -> dg.AssetCheckResult:
    (bad_scores, bad_stages, groups) = con.execute(  # type: ignore[misc]
        """
        SELECT count(*) FILTER (WHERE NOT (completeness_score BETWEEN 0 AND 100
                                   AND weighted_completeness_score BETWEEN 0 AND 100
                                   AND engagement_score BETWEEN 0 AND 100)
                                 OR completeness_score IS NULL OR engagement_score IS NULL),
               count(*) FILTER (WHERE stage NOT IN (SELECT unnest($stages::VARCHAR[]))),
               count(*)
        FROM marts.buying_groups
        """,
        {"stages": list(STAGES)},
    ).fetchone()
    return dg.AssetCheckResult(
        check_name=SCORES_IN_RANGE.name,
        asset_key=BUYING_GROUPS,
        passed=bad_scores == 0 and bad_stages == 0,
        metadata={"groups": groups, "scores_out_of_range": bad_scores, "unknown_stages": bad_stages},
    )


def _members_are_current_persons(con: duckdb.DuckDBPyConnection) -> dg.AssetCheckResult:
    not_current, duplicates = member_problems(con)
    return dg.AssetCheckResult(
        check_name=MEMBERS_ARE_CURRENT_PERSONS.name,
        asset_key=BUYING_GROUP_MEMBERS,
        passed=not_current == 0 and duplicates == 0,
        metadata={"active_members_not_current": not_current, "duplicate_member_rows": duplicates},
    )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key,
            group_name="buying_groups",
            description=description,
            kinds={"duckdb"},
            owners=["team:marketing-ops"],
            tags={"stage": "buying_groups"},
            deps=[
                ACCOUNT_AUDIENCE_MEMBERS,
                PERSON_ENGAGEMENT,
                ACCOUNTS,
                PERSONS,
                OPPORTUNITIES,
                OPPORTUNITY_PERSONS,
                EXPERIENCE_EVENTS,
            ],
        )
        for key, description in _DESCRIPTIONS.items()
    ],
    check_specs=[SCORES_IN_RANGE, MEMBERS_ARE_CURRENT_PERSONS],
    name="score_buying_groups",
    pool=WAREHOUSE_POOL,
)
def score_buying_groups_asset(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, project_config: ProjectConfigResource
):
    config, as_of = project_config.load(), project_config.as_of_date()
    with warehouse.connect() as con:
        refuse_earlier_as_of(con, as_of)
        load_scoring_config(con, config)
        build_rule_matches(con, config, as_of)
        build_interest(con, config, as_of)
        result = score_buying_groups(con, as_of)
        funnel = con.execute(
            """
            SELECT solution_interest_id,
                   list_transform($stages::VARCHAR[], s -> list_count(list_filter(list(stage), x -> x = s))),
                   round(avg(completeness_score)) AS avg_completeness,
                   round(avg(engagement_score)) AS avg_engagement
            FROM marts.buying_groups GROUP BY ALL ORDER BY ALL
            """,
            {"stages": list(reversed(STAGES))},
        ).fetchall()
        funnel = [(interest, *by_stage, *averages) for interest, by_stage, *averages in funnel]
        completeness = completeness_bands(con)
        summary = (
            f"**Funnel as of {as_of}**\n\n"
            + markdown_table(
                ["solution interest", *reversed(STAGES), "avg completeness", "avg engagement"],
                funnel,
            )
            + "\n\n**Completeness distribution**\n\n"
            + markdown_table(["completeness", "groups"], completeness)
        )
        tables = {
            BUYING_GROUPS: "marts.buying_groups",
            BUYING_GROUP_MEMBERS: "marts.buying_group_members",
            BUYING_GROUP_ROLES: "marts.buying_group_roles",
            BUYING_GROUP_HISTORY: "marts.buying_group_history",
            BUYING_GROUP_MEMBER_REASONS: "marts.buying_group_member_reasons",
        }
        for key, table in tables.items():
            extra: dict[str, object] = {
                "as_of": as_of.isoformat(),
                "dagster/column_lineage": dg.TableColumnLineage(deps_by_column=_COLUMN_LINEAGE[key]),
            }
            if key == BUYING_GROUPS:
                extra |= result.as_metadata() | {"funnel": dg.MetadataValue.md(summary)}
            yield dg.MaterializeResult(asset_key=key, metadata=table_metadata(con, table, extra=extra))
        yield _scores_in_range(con)
        yield _members_are_current_persons(con)
    context.log.info(f"buying groups as of {as_of}: {result.as_metadata()}")


BUYING_GROUP_ASSETS = [score_buying_groups_asset]
