"""One Pandera (polars) model per output table of schema ``marts``: the single source of truth.

The DDL (:meth:`MartSpec.create_sql`), the Dagster column schema with descriptions, the docs
tables (``docs/tables.md``) and the test fixtures all derive from these classes. A column's
``isin`` becomes a ``CHECK`` constraint; a table's key becomes its ``PRIMARY KEY`` only where
the table is evolved row by row (members, roles, groups, history): snapshot tables rewritten
whole every run carry no index, and their uniqueness is asserted by the step or its checks.

Snapshots (``person_engagement``, ``person_engagement_contributions``,
``account_audience_members``, ``buying_group_roles``, ``buying_groups``,
``buying_group_member_reasons``, ``sales_handoff`` and the BI dimensions ``accounts`` and
``persons``) describe the latest run; ``buying_group_members`` and
``buying_group_history`` are persistent and only ever evolved, so membership and score history
are never lost.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any

import duckdb
import pandera.polars as pa
import polars as pl

from buying_groups.sql_files import quote_identifier

# The vocabularies of the marts, defined once: the DDL's CHECK constraints, the asset checks
# and the scoring summaries read them from here.
STAGES: tuple[str, ...] = ("sales_ready", "complete", "incomplete")
ASSIGNMENT_SOURCES: tuple[str, ...] = ("manual", "crm", "rule")


class AccountAudienceMembers(pa.DataFrameModel):
    """The current accounts in each account audience of `account_audiences.yaml`, as of `as_of`."""

    audience: str = pa.Field(nullable=True, description="Audience id from `account_audiences.yaml`")
    account_key: str = pa.Field(nullable=True, description="Source key of a current account in the audience")
    as_of: dt.date = pa.Field(nullable=True, description="Scoring date")


class PersonEngagement(pa.DataFrameModel):
    """Engagement of every current person as of `as_of`."""

    person_key: str = pa.Field(description="Source key of a current person")
    raw_score: float = pa.Field(
        description="Sum over activity types and days in the window of min(count that day, daily cap) x type weight"
    )
    person_engagement_score: float = pa.Field(
        description="100 x sqrt(raw_score) / the highest sqrt(raw_score) of any person, 0-100"
    )
    as_of: dt.date = pa.Field(description="Scoring date")


class PersonEngagementContributions(pa.DataFrameModel):
    """What makes up each person's `raw_score` as of `as_of`: one row per current person and
    weighted activity type with activity in the window. A person's points add up to its
    `raw_score` exactly (a blocking check asserts it)."""

    person_key: str = pa.Field(description="Source key of a current person")
    activity_type_id: int = pa.Field(description="Marketo activity type id with a weight in `engagement.yaml`")
    days_active: pl.Int32 = pa.Field(description="UTC days in the window with at least one such activity")
    capped_count: int = pa.Field(description="Sum over those days of min(count that day, daily cap)")
    points: float = pa.Field(description="capped_count x the type's weight")
    as_of: dt.date = pa.Field(description="Scoring date")


class BuyingGroupMembers(pa.DataFrameModel):
    """Members of every buying group with their role and how it was assigned. Rows are never
    deleted: a member who stops qualifying stays with `is_removed` and `removed_at`."""

    buying_group_id: str = pa.Field(description="Buying group (`<solution interest id>:<account key>`)")
    person_key: str = pa.Field(description="Source key of the person")
    role: str = pa.Field(description="Role of the roles template the person holds in this group")
    assignment_source: str = pa.Field(
        isin=list(ASSIGNMENT_SOURCES),
        description="How the role was assigned: manual (override file) > crm (opportunity contact role) > rule",
    )
    person_engagement_score: float = pa.Field(
        description="The person's engagement score, as of the last run they were an active member"
    )
    has_interest: bool = pa.Field(description="The person shows interest (an interest signal inside the window)")
    is_removed: bool = pa.Field(description="The person no longer qualifies; the row is kept for history")
    added_at: dt.date = pa.Field(description="The `as_of` the person joined the group")
    removed_at: dt.date = pa.Field(nullable=True, description="The `as_of` the person was removed; empty while active")


class BuyingGroupMemberReasons(pa.DataFrameModel):
    """Why each member (active or removed) holds its role, in words: the role's conditions with the
    person's values they matched, the CRM contact role and its opportunity, or the overrides file
    line; for a removed member why it left (kept from the run that removed it)."""

    buying_group_id: str = pa.Field(description="Buying group")
    person_key: str = pa.Field(description="Source key of the person")
    role: str = pa.Field(description="The member's role")
    assignment_source: str = pa.Field(isin=list(ASSIGNMENT_SOURCES), description="manual, crm or rule")
    is_removed: bool = pa.Field(description="The member was removed (the reason says why)")
    reason: str = pa.Field(
        description="e.g. `job_title 'VP Sales' matches \\b(CEO|VP)\\b`, `CRM contact role 'Economic Buyer' on "
        "opportunity 'Big Deal' (key)`, `added manually (membership_overrides.csv line 3)`, `removed on "
        "2026-11-20: moved to account 'Globex' (key)`"
    )
    as_of: dt.date = pa.Field(description="Scoring date")


class BuyingGroupRoles(pa.DataFrameModel):
    """Role coverage of every buying group: members assigned per template role."""

    buying_group_id: str = pa.Field(description="Buying group")
    role: str = pa.Field(description="Role of the group's roles template")
    weight: float = pa.Field(description="Role weight: Trivial 20, Minor 40, Normal 60, Important 80, Vital 100")
    required: bool = pa.Field(description="The role counts for completeness")
    members_required: pl.Int32 = pa.Field(description="Members the role needs to be 100 % complete")
    members_assigned: pl.Int32 = pa.Field(description="Active members holding the role")
    role_completeness: float = pa.Field(description="100 x min(members_assigned, members_required) / members_required")
    role_order: pl.Int32 = pa.Field(description="Position in the template, 0 = highest priority")


class BuyingGroups(pa.DataFrameModel):
    """One row per buying group (solution interest x account in its audience) as of `as_of`."""

    buying_group_id: str = pa.Field(description="`<solution interest id>:<account key>`")
    name: str = pa.Field(description="`<solution interest name> for <account name>`")
    solution_interest_id: str = pa.Field(description="Solution interest of `solution_interests.yaml`")
    account_key: str = pa.Field(description="Source key of the account")
    account_name: str = pa.Field(nullable=True, description="Account name")
    member_count: pl.Int32 = pa.Field(description="Active members")
    interested_members: pl.Int32 = pa.Field(description="Active members showing interest")
    completeness_score: float = pa.Field(description="Mean role completeness over the required roles, 0-100")
    weighted_completeness_score: float = pa.Field(
        description="Role completeness weighted by role weight over the required roles, 0-100"
    )
    engagement_score: float = pa.Field(
        description="100 x sqrt(group raw) / the highest sqrt(group raw) of any group, 0-100"
    )
    missing_roles: Annotated[pl.List, pl.String()] = pa.Field(
        description="Required roles not fully staffed, in template order"
    )
    stage: str = pa.Field(
        isin=list(STAGES),
        description="sales_ready (completeness and engagement thresholds met), complete (100 %) or incomplete",
    )
    qualified_at: dt.date = pa.Field(
        nullable=True, description="First `as_of` the group was sales_ready (kept afterwards)"
    )
    created_at: dt.date = pa.Field(description="First `as_of` the group existed")
    as_of: dt.date = pa.Field(description="Scoring date")
    newly_qualified: bool = pa.Field(description="The group reached sales_ready for the first time in this run")
    lifecycle_stage: str = pa.Field(
        nullable=True,
        description="Stage of the `journeys.yaml` stage model (set by the journeys; empty without a stage model)",
    )


class BuyingGroupHistory(pa.DataFrameModel):
    """Scores and stage of every buying group per `as_of`, for time-to-complete reporting."""

    buying_group_id: str = pa.Field(description="Buying group")
    as_of: dt.date = pa.Field(description="Scoring date")
    completeness_score: float = pa.Field(description="Completeness that day")
    engagement_score: float = pa.Field(description="Engagement that day")
    stage: str = pa.Field(description="Stage that day")


class SalesHandoff(pa.DataFrameModel):
    """One row per active member of each sales_ready buying group, for sales: the group, its
    account, the member and how to reach them. Scores are stored unrounded; `sales_handoff.csv`
    shows them as whole numbers."""

    buying_group_id: str = pa.Field(nullable=True, description="Buying group")
    group_name: str = pa.Field(nullable=True, description="Buying group name")
    solution_interest_id: str = pa.Field(nullable=True, description="Solution interest")
    stage: str = pa.Field(nullable=True, description="Always sales_ready")
    qualified_at: dt.date = pa.Field(nullable=True, description="First date the group was sales_ready")
    newly_qualified: bool = pa.Field(nullable=True, description="The group qualified in this run (new for sales)")
    completeness_score: float = pa.Field(nullable=True, description="Group completeness, 0-100")
    weighted_completeness_score: float = pa.Field(nullable=True, description="Group weighted completeness, 0-100")
    engagement_score: float = pa.Field(nullable=True, description="Group engagement, 0-100")
    missing_roles: Annotated[pl.List, pl.String()] = pa.Field(
        nullable=True,
        description="Required roles the group still lacks, in template order (`; `-separated in the CSV)",
    )
    account_key: str = pa.Field(nullable=True, description="Source key of the account")
    account_name: str = pa.Field(nullable=True, description="Account name")
    industry: str = pa.Field(nullable=True, description="The account's industry")
    website: str = pa.Field(nullable=True, description="The account's website")
    company_phone: str = pa.Field(nullable=True, description="The account's main phone")
    person_key: str = pa.Field(nullable=True, description="Source key of the member")
    first_name: str = pa.Field(nullable=True, description="First name")
    last_name: str = pa.Field(nullable=True, description="Last name")
    job_title: str = pa.Field(nullable=True, description="Job title")
    role: str = pa.Field(nullable=True, description="The member's role")
    role_weight: pl.Int32 = pa.Field(
        nullable=True, description="Weight of the member's role, 20-100 (rows are ordered by it)"
    )
    assignment_source: str = pa.Field(nullable=True, description="manual, crm or rule")
    person_engagement_score: float = pa.Field(nullable=True, description="The member's engagement, 0-100")
    phone: str = pa.Field(nullable=True, description="The member's phone")
    email: str = pa.Field(
        nullable=True, description="Work email, trimmed and lower-cased; empty when the member may not be emailed"
    )
    may_email: bool = pa.Field(
        nullable=True, description="The member has an email and marketing consent for it (see `email_status`)"
    )
    email_status: str = pa.Field(
        nullable=True,
        description="`may be emailed`, `no email on file`, or `may not be emailed: <reason>` (unsubscribed, "
        "marketing suspended, email invalid, deleted in Marketo, consent unknown, or another lead with this "
        "email opted out)",
    )
    as_of: dt.date = pa.Field(nullable=True, description="Scoring date")


STAGE_SOURCES: tuple[str, ...] = ("entry", "journey")
JOURNEY_STATUSES: tuple[str, ...] = ("active", "completed", "exited")
JOURNEY_EVENTS: tuple[str, ...] = ("entered", "path", "action", "ignored", "waiting", "timeout", "completed", "exited")


class BuyingGroupStageHistory(pa.DataFrameModel):
    """Every lifecycle-stage move of every buying group: one `entry` row when a group is created
    (the stage model's entry stage), then each `update_stage` of a journey, accepted or not."""

    buying_group_id: str = pa.Field(description="Buying group")
    as_of: dt.date = pa.Field(description="Journey run date")
    seq: pl.Int32 = pa.Field(description="Order of the moves of one day (0 = the entry row)")
    from_stage: str = pa.Field(nullable=True, description="Stage before the move; empty for the entry row")
    to_stage: str = pa.Field(description="Stage requested")
    source: str = pa.Field(isin=list(STAGE_SOURCES), description="entry (new group) or journey (`update_stage`)")
    journey_id: str = pa.Field(nullable=True, description="Journey that requested the move")
    node_id: str = pa.Field(nullable=True, description="Node of that journey")
    accepted: bool = pa.Field(description="The stage model allows the move, so the stage changed")
    reason: str = pa.Field(nullable=True, description="Why a move was not accepted")


class JourneyState(pa.DataFrameModel):
    """Position of each account in each journey: one row per (journey, account, entry)."""

    journey_id: str = pa.Field(description="Journey of `journeys.yaml`")
    account_key: str = pa.Field(description="Source key of the account")
    buying_group_id: str = pa.Field(description="The account's buying group for the journey's solution interest")
    entry_number: pl.Int32 = pa.Field(description="1 for the first entry, 2 for the first re-entry, ...")
    node_id: str = pa.Field(description="Current node; the last node when the account left")
    node_entered_on: dt.date = pa.Field(description="Day the account reached that node")
    status: str = pa.Field(isin=list(JOURNEY_STATUSES), description="active, completed (no next) or exited")
    entered_on: dt.date = pa.Field(description="Day the account entered the journey")
    left_on: dt.date = pa.Field(nullable=True, description="Day it completed or exited; empty while active")
    as_of: dt.date = pa.Field(description="Journey run that last wrote the row")


class JourneyLog(pa.DataFrameModel):
    """Every step of every account through the journeys, per `as_of` in order."""

    journey_id: str = pa.Field(description="Journey")
    account_key: str = pa.Field(description="Source key of the account")
    entry_number: pl.Int32 = pa.Field(description="Entry of the account")
    as_of: dt.date = pa.Field(description="Journey run date")
    seq: pl.Int32 = pa.Field(description="Order of the step within the run, from 1")
    node_id: str = pa.Field(description="Node of the step")
    event: str = pa.Field(isin=list(JOURNEY_EVENTS), description="What happened")
    detail: str = pa.Field(nullable=True, description="Details as JSON (path taken, action, reason, ...)")


class JourneyActions(pa.DataFrameModel):
    """Actions the journeys took, per `as_of`; person actions have one row per person."""

    action_id: str = pa.Field(
        description="SHA-256 of journey, account, entry, node, `as_of`, action index and person: stable on re-runs"
    )
    as_of: dt.date = pa.Field(description="Journey run date")
    journey_id: str = pa.Field(description="Journey")
    account_key: str = pa.Field(description="Source key of the account")
    buying_group_id: str = pa.Field(description="Buying group acted on")
    entry_number: pl.Int32 = pa.Field(description="Entry of the account")
    node_id: str = pa.Field(description="Action node")
    action_index: pl.Int32 = pa.Field(description="Position of the action in the node, from 0")
    seq: pl.Int32 = pa.Field(description="Order of the actions of one run")
    action_type: str = pa.Field(
        description="update_stage, sales_alert, marketo_list, linkedin_contacts, linkedin_audience, "
        "linkedin_audience_remove"
    )
    target: str = pa.Field(nullable=True, description="Stage, list or audience; the recipients of a sales alert")
    person_key: str = pa.Field(nullable=True, description="Person of a person action; empty otherwise")
    payload: str = pa.Field(description="The action's data as JSON")


class JourneyNodeCounts(pa.DataFrameModel):
    """The journey dashboard: accounts per node and `as_of`."""

    as_of: dt.date = pa.Field(description="Journey run date")
    journey_id: str = pa.Field(description="Journey")
    node_id: str = pa.Field(description="Node")
    accounts_waiting: pl.Int32 = pa.Field(description="Active accounts on the node after the run")
    accounts_passed: pl.Int32 = pa.Field(description="Accounts that reached the node that day")


class Accounts(pa.DataFrameModel):
    """BI dimension: the current state of every account that is not deleted, with the
    attributes reports group by. Every mart's `account_key` joins here."""

    account_key: str = pa.Field(description="Source key of the account")
    account_name: str = pa.Field(nullable=True, description="Company name")
    domain: str = pa.Field(nullable=True, description="Host of the website, lower-cased, without www.")
    website: str = pa.Field(nullable=True, description="Website")
    industry: str = pa.Field(nullable=True, description="Industry")
    employee_count: pl.Int64 = pa.Field(nullable=True, description="Number of employees")
    annual_revenue: float = pa.Field(nullable=True, description="Annual revenue")
    sic_code: str = pa.Field(nullable=True, description="SIC code")
    billing_city: str = pa.Field(nullable=True, description="Billing city")
    billing_state: str = pa.Field(nullable=True, description="Billing state or region")
    billing_country: str = pa.Field(nullable=True, description="Billing country as written in Marketo")
    country_code: str = pa.Field(
        nullable=True, description="Billing country as ISO 3166-1 alpha-2; empty when not recognised"
    )
    main_phone: str = pa.Field(nullable=True, description="Main phone")
    linkedin_company_page_url: str = pa.Field(nullable=True, description="LinkedIn company page URL")
    stock_symbol: str = pa.Field(nullable=True, description="Stock symbol")
    external_company_id: str = pa.Field(nullable=True, description="CRM company id")
    person_count: pl.Int64 = pa.Field(description="Current (not deleted) persons of the account")
    created_at: dt.datetime = pa.Field(description="Created in Marketo (UTC)")
    updated_at: dt.datetime = pa.Field(description="Last updated in Marketo (UTC)")


class Persons(pa.DataFrameModel):
    """BI dimension: the current state of every person (lead) that is not deleted, with the
    attributes reports group by and one consent flag. Every mart's `person_key` joins here;
    emails and phones are left out (the sales hand-off carries them where sales may use them)."""

    person_key: str = pa.Field(description="Source key of the person")
    account_key: str = pa.Field(nullable=True, description="Source key of the person's account")
    first_name: str = pa.Field(nullable=True, description="First name")
    last_name: str = pa.Field(nullable=True, description="Last name")
    job_title: str = pa.Field(nullable=True, description="Job title")
    department: str = pa.Field(nullable=True, description="Department")
    city: str = pa.Field(nullable=True, description="City")
    state: str = pa.Field(nullable=True, description="State or region")
    country: str = pa.Field(nullable=True, description="Country as written in Marketo")
    country_code: str = pa.Field(nullable=True, description="Country as ISO 3166-1 alpha-2; empty when not recognised")
    lead_source: str = pa.Field(nullable=True, description="Lead source")
    lead_status: str = pa.Field(nullable=True, description="Lead status")
    lead_score: pl.Int64 = pa.Field(nullable=True, description="Marketo lead score")
    may_email: bool = pa.Field(
        description="Has a valid work email and marketing consent: not unsubscribed, not marketing-suspended, "
        "email not invalid, and no other lead with the same email opted out"
    )
    has_known_account: bool = pa.Field(description="`account_key` names a known account (false = orphan)")
    created_at: dt.datetime = pa.Field(description="Created in Marketo (UTC)")
    updated_at: dt.datetime = pa.Field(description="Last updated in Marketo (UTC)")


KPI_NAMES: tuple[str, ...] = (
    "reached_accounts",
    "visit_rate",
    "baseline_visit_rate",
    "awareness_lift",
    "engaged_accounts",
    "engaged_targeted_share",
    "days_to_add_contact",
    "days_to_complete",
)


class Kpis(pa.DataFrameModel):
    """The success KPIs per `as_of` and solution interest over the period `(as_of - period_days,
    as_of]` (kpis.yaml); one set of rows per `as_of`, re-running a day replaces that day. The
    target accounts are the interest's account audience."""

    as_of: dt.date = pa.Field(description="Scoring date the KPIs are measured at")
    solution_interest_id: str = pa.Field(description="Solution interest of `solution_interests.yaml`")
    kpi: str = pa.Field(
        isin=list(KPI_NAMES),
        description="reached_accounts, visit_rate, baseline_visit_rate, awareness_lift (awareness); "
        "engaged_accounts, engaged_targeted_share (engagement); days_to_add_contact, days_to_complete (time)",
    )
    value: float = pa.Field(
        nullable=True,
        description="The KPI: a count, a percentage (0-100), percentage points (awareness_lift) or days "
        "(a median); empty when there is nothing to measure (no target account, no event)",
    )
    numerator: pl.Int64 = pa.Field(nullable=True, description="Accounts counted (rates and counts); empty otherwise")
    denominator: pl.Int64 = pa.Field(
        nullable=True,
        description="What the rate is out of (target accounts, engaged accounts) or how many values the median is of",
    )
    period_start: dt.date = pa.Field(description="First day of the period measured (inclusive)")
    period_end: dt.date = pa.Field(description="Last day of the period measured (inclusive)")


class KpiCostPerLead(pa.DataFrameModel):
    """Cost per lead per `as_of`, ad platform and currency over the KPI period: spend of
    `ad_spend` and the new leads whose `leadSource` is one of the platform's (kpis.yaml).
    Spend in different currencies is never added up: one row per currency."""

    as_of: dt.date = pa.Field(description="Scoring date")
    platform: str = pa.Field(description="Ad platform id (kpis.yaml, or as written in ad_spend, lower-cased)")
    currency: str = pa.Field(
        nullable=True, description="ISO 4217 currency of the spend; empty when unknown or no spend"
    )
    spend: float = pa.Field(description="Spend in the period in `currency`")
    new_leads: pl.Int64 = pa.Field(
        description="Current persons created in the period with one of the platform's lead sources"
    )
    cost_per_lead: float = pa.Field(nullable=True, description="spend / new_leads; empty when no lead")
    period_start: dt.date = pa.Field(description="First day of the period (inclusive)")
    period_end: dt.date = pa.Field(description="Last day of the period (inclusive)")


def duckdb_type(dtype: Any) -> str:
    """The DuckDB type of a Pandera/polars column type."""
    if isinstance(dtype, pl.List):
        return duckdb_type(dtype.inner) + "[]"
    simple = {
        pl.String: "VARCHAR",
        pl.Int32: "INTEGER",
        pl.Int64: "BIGINT",
        pl.Float64: "DOUBLE",
        pl.Boolean: "BOOLEAN",
        pl.Date: "DATE",
        pl.Datetime: "TIMESTAMP",
    }
    for polars_type, name in simple.items():
        if dtype == polars_type:
            return name
    raise TypeError(f"no DuckDB type for {dtype!r}")


def _sql_literal(value: object) -> str:
    # Only for CHECK constraints built from this module's own vocabularies, never user input.
    return "'" + str(value).replace("'", "''") + "'"


@dataclass(frozen=True)
class MartColumn:
    name: str
    duckdb_type: str
    nullable: bool
    description: str
    allowed: tuple[str, ...] | None = None

    @property
    def definition(self) -> str:
        text = f"{quote_identifier(self.name)} {self.duckdb_type}" + ("" if self.nullable else " NOT NULL")
        if self.allowed:
            text += f" CHECK ({quote_identifier(self.name)} IN ({', '.join(map(_sql_literal, self.allowed))}))"
        return text


@dataclass(frozen=True)
class MartSpec:
    """An output table of schema ``marts`` and the model that declares it."""

    table: str
    model: type[pa.DataFrameModel]
    primary_key: tuple[str, ...] = ()

    @property
    def qualified_table(self) -> str:
        return f"marts.{self.table}"

    @property
    def description(self) -> str:
        return " ".join((self.model.__doc__ or "").split())

    @cached_property
    def columns(self) -> tuple[MartColumn, ...]:
        columns = []
        for name, column in self.model.to_schema().columns.items():
            allowed = next((tuple(c.statistics["allowed_values"]) for c in column.checks if c.name == "isin"), None)
            columns.append(
                MartColumn(name, duckdb_type(column.dtype.type), column.nullable, column.description or "", allowed)
            )
        return tuple(columns)

    def create_sql(self, *, replace: bool = False) -> str:
        """``CREATE TABLE IF NOT EXISTS`` (or ``CREATE OR REPLACE TABLE``) from the model."""
        lines = [column.definition for column in self.columns]
        if self.primary_key:
            lines.append(f"PRIMARY KEY ({', '.join(map(quote_identifier, self.primary_key))})")
        verb = "CREATE OR REPLACE TABLE" if replace else "CREATE TABLE IF NOT EXISTS"
        return f"{verb} {self.qualified_table} (\n    " + ",\n    ".join(lines) + "\n)"


MARTS: tuple[MartSpec, ...] = (
    MartSpec("account_audience_members", AccountAudienceMembers),
    MartSpec("person_engagement", PersonEngagement),
    MartSpec("person_engagement_contributions", PersonEngagementContributions),
    MartSpec("buying_group_members", BuyingGroupMembers, ("buying_group_id", "person_key")),
    MartSpec("buying_group_roles", BuyingGroupRoles, ("buying_group_id", "role")),
    MartSpec("buying_groups", BuyingGroups, ("buying_group_id",)),
    MartSpec("buying_group_history", BuyingGroupHistory, ("buying_group_id", "as_of")),
    MartSpec("buying_group_member_reasons", BuyingGroupMemberReasons),
    MartSpec("sales_handoff", SalesHandoff),
    MartSpec("buying_group_stage_history", BuyingGroupStageHistory),
    MartSpec("journey_state", JourneyState, ("journey_id", "account_key", "entry_number")),
    MartSpec("journey_log", JourneyLog),
    MartSpec("journey_actions", JourneyActions),
    MartSpec("journey_node_counts", JourneyNodeCounts, ("as_of", "journey_id", "node_id")),
    MartSpec("accounts", Accounts),
    MartSpec("persons", Persons),
    MartSpec("kpis", Kpis, ("as_of", "solution_interest_id", "kpi")),
    MartSpec("kpi_cost_per_lead", KpiCostPerLead),
)

ACCOUNT_AUDIENCE_MEMBERS = "marts.account_audience_members"
PERSON_ENGAGEMENT = "marts.person_engagement"
PERSON_ENGAGEMENT_CONTRIBUTIONS = "marts.person_engagement_contributions"
BUYING_GROUP_MEMBERS = "marts.buying_group_members"
BUYING_GROUP_ROLES = "marts.buying_group_roles"
BUYING_GROUPS = "marts.buying_groups"
BUYING_GROUP_HISTORY = "marts.buying_group_history"
BUYING_GROUP_MEMBER_REASONS = "marts.buying_group_member_reasons"
SALES_HANDOFF = "marts.sales_handoff"
BUYING_GROUP_STAGE_HISTORY = "marts.buying_group_stage_history"
JOURNEY_STATE = "marts.journey_state"
JOURNEY_LOG = "marts.journey_log"
JOURNEY_ACTIONS = "marts.journey_actions"
JOURNEY_NODE_COUNTS = "marts.journey_node_counts"
ACCOUNTS = "marts.accounts"
PERSONS = "marts.persons"
KPIS = "marts.kpis"
KPI_COST_PER_LEAD = "marts.kpi_cost_per_lead"


def mart(table: str) -> MartSpec:
    """The spec of ``marts.<table>`` (qualified or not)."""
    name = table.removeprefix("marts.")
    for spec in MARTS:
        if spec.table == name:
            return spec
    raise KeyError(table)


def ensure_marts_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create schema ``marts`` and every mart table if absent (idempotent)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    for spec in MARTS:
        con.execute(spec.create_sql())


def replace_snapshot_table(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Empty a snapshot mart by re-creating it from its model (call inside the transaction that
    refills it, so readers never see it empty).

    Not ``DELETE FROM``: deleting every row and inserting the same primary keys in one
    transaction is DuckDB's slow path (each insert is checked against the deleted, not yet
    committed index entries).
    """
    con.execute(mart(table).create_sql(replace=True))
