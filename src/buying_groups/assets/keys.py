"""Every asset key of the project, defined once. A key names the DuckDB table it stands for
(``marts/buying_groups`` is ``marts.buying_groups``); ``activation/*`` keys stand for files."""

import dagster as dg

# The asset groups in flow order; each is backed by the package and the sql/ folder of the same
# name. The daily job re-scores everything after the validated tables.
GROUPS: tuple[str, ...] = (
    "ingest",
    "validated",
    "engagement",
    "audiences",
    "buying_groups",
    "journeys",
    "kpis",
    "activation",
)
SCORING_GROUPS: tuple[str, ...] = GROUPS[GROUPS.index("engagement") :]


def b2b_key(table: str) -> dg.AssetKey:
    """The validated table ``b2b.<table>``."""
    return dg.AssetKey(["b2b", table])


def marts_key(table: str) -> dg.AssetKey:
    """The output table ``marts.<table>``."""
    return dg.AssetKey(["marts", table])


LANDING_DROPS = dg.AssetKey(["landing", "drops"])

ACCOUNTS = b2b_key("accounts")
PERSONS = b2b_key("persons")
OPPORTUNITIES = b2b_key("opportunities")
OPPORTUNITY_PERSONS = b2b_key("opportunity_persons")
EXPERIENCE_EVENTS = b2b_key("experience_events")
AD_SPEND = b2b_key("ad_spend")
AD_COMPANY_REACH = b2b_key("ad_company_reach")
AD_COMPANY_MATCHES = b2b_key("ad_company_matches")

PERSON_ENGAGEMENT = marts_key("person_engagement")
PERSON_ENGAGEMENT_CONTRIBUTIONS = marts_key("person_engagement_contributions")
ACCOUNT_AUDIENCE_MEMBERS = marts_key("account_audience_members")
BUYING_GROUPS = marts_key("buying_groups")
BUYING_GROUP_MEMBERS = marts_key("buying_group_members")
BUYING_GROUP_ROLES = marts_key("buying_group_roles")
BUYING_GROUP_HISTORY = marts_key("buying_group_history")
BUYING_GROUP_MEMBER_REASONS = marts_key("buying_group_member_reasons")
SALES_HANDOFF = marts_key("sales_handoff")
BUYING_GROUP_STAGE_HISTORY = marts_key("buying_group_stage_history")
JOURNEY_STATE = marts_key("journey_state")
JOURNEY_LOG = marts_key("journey_log")
JOURNEY_ACTIONS = marts_key("journey_actions")
JOURNEY_NODE_COUNTS = marts_key("journey_node_counts")
JOURNEY_FILES = dg.AssetKey(["journeys", "journey_files"])
KPIS = marts_key("kpis")
KPI_COST_PER_LEAD = marts_key("kpi_cost_per_lead")
KPI_REPORT = dg.AssetKey(["kpis", "report"])
# BI dimensions (group activation): the current accounts and persons, for joins.
BI_ACCOUNTS = marts_key("accounts")
BI_PERSONS = marts_key("persons")

LINKEDIN_AUDIENCES = dg.AssetKey(["activation", "linkedin_audiences"])
MARTS_PARQUET = dg.AssetKey(["activation", "marts_parquet"])


def table_of(key: dg.AssetKey) -> str | None:
    """The DuckDB table an asset key stands for, or None for file assets."""
    schema, *rest = key.path
    return f"{schema}.{rest[0]}" if schema in ("b2b", "marts") and len(rest) == 1 else None
