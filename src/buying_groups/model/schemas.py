"""One Pandera (polars) model per validated table: the single source of truth.

Each field's ``metadata`` says where the value comes from and what happens when it is bad,
so ingestion SQL, quarantine, asset checks, Dagster column schemas and the README all derive
from these classes:

- ``source``: the Marketo REST column in the landing CSV (absent for derived columns);
- ``required``: the column must be in the file header (SPEC §2, bold columns);
- ``key``: the value is a Marketo id turned into a source key of that kind (SPEC §3);
- ``on_invalid``: what a value that does not parse or fails a check does to the row:
  ``reject`` quarantines the row, ``nullify`` keeps the row with the value emptied (and the
  bad value logged in ``b2b.rejected_rows`` as *flagged*). An empty consent flag is
  *unknown*, which every activation reads as suppressed;
- ``sets_flag``: a boolean column set to true when this value is invalid (a person whose
  email is malformed is kept for buying groups but ``is_email_invalid``);
- ``compression``: the DuckDB compression of the column, fixed in the table's DDL. Left to
  DuckDB otherwise; set on the events table (the largest), where DuckDB's trial of every
  method on every string segment is a large part of the write (``fsst`` for unique or free
  text, ``dictionary`` for repeating values).
"""

from __future__ import annotations

from typing import Any

import pandera.polars as pa
import polars as pl

# RFC 5322 "dot-atom" local part and LDH domain labels; RE2- and Rust-regex compatible so the
# same pattern runs in DuckDB (ingest) and Polars (Pandera checks).
EMAIL_PATTERN = (
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


def source(
    column: str,
    *,
    required: bool = False,
    key: str | None = None,
    on_invalid: str = "nullify",
    sets_flag: str | None = None,
    compression: str | None = None,
) -> dict[str, Any]:
    meta: dict[str, Any] = {"source": column, "required": required, "on_invalid": on_invalid}
    if key:
        meta["key"] = key
    if sets_flag:
        meta["sets_flag"] = sets_flag
    if compression:
        meta["compression"] = compression
    return meta


def derived(compression: str | None = None) -> dict[str, Any]:
    """Metadata of a column computed by the pipeline rather than read from the file."""
    return {"derived": True} | ({"compression": compression} if compression else {})


DERIVED: dict[str, Any] = derived()


class _Lineage(pa.DataFrameModel):
    """Where the current version of a row came from."""

    source_drop: str = pa.Field(
        description="Drop folder the current version came from", metadata=derived(compression="dictionary")
    )
    source_file: str = pa.Field(description="File inside the drop", metadata=derived(compression="dictionary"))
    source_line: pl.Int64 = pa.Field(ge=1, description="Line of the record in that file", metadata=DERIVED)
    extra_fields: str = pa.Field(
        nullable=True,
        description="Columns of the file not in this model (schema drift), as a JSON object",
        metadata=DERIVED,
    )


class _Upserted(_Lineage):
    """What every upserted entity carries: its delete flag and the timestamp that orders it."""

    is_deleted: bool = pa.Field(
        description="Deleted in Marketo (marketoIsDeleted); kept, but not current",
        metadata=source("marketoIsDeleted", on_invalid="reject"),
    )
    updated_at: pl.Datetime = pa.Field(
        description="Last updated (UTC); orders upserts",
        metadata=source("updatedAt", required=True, on_invalid="reject"),
    )


class _Created(_Upserted):
    created_at: pl.Datetime = pa.Field(
        description="Created (UTC)", metadata=source("createdAt", required=True, on_invalid="reject")
    )


class Persons(_Created):
    """Current state of every Marketo lead as an XDM person; deleted leads stay, flagged."""

    person_key: str = pa.Field(
        unique=True,
        description="Person source key `<lead id>@<munchkin>.Marketo`",
        metadata=source("id", required=True, key="person", on_invalid="reject"),
    )
    account_key: str = pa.Field(
        nullable=True,
        description="Account source key of the lead's company (contactCompany)",
        metadata=source("contactCompany", required=True, key="account"),
    )
    work_email: str = pa.Field(
        nullable=True,
        str_matches=EMAIL_PATTERN,
        description="Work email; emptied when malformed (then is_email_invalid)",
        metadata=source("email", required=True, sets_flag="is_email_invalid"),
    )
    email_as_given: str = pa.Field(
        nullable=True,
        description="The email exactly as delivered, also when malformed: a suppressed lead's address suppresses "
        "every lead a person would read as the same address",
        metadata=source("email"),
    )
    first_name: str = pa.Field(nullable=True, description="First name", metadata=source("firstName"))
    last_name: str = pa.Field(nullable=True, description="Last name", metadata=source("lastName"))
    job_title: str = pa.Field(nullable=True, description="Job title", metadata=source("title", required=True))
    company_name: str = pa.Field(
        nullable=True, description="Company name as typed on the lead", metadata=source("company")
    )
    department: str = pa.Field(nullable=True, description="Department", metadata=source("department"))
    phone: str = pa.Field(nullable=True, description="Phone", metadata=source("phone"))
    city: str = pa.Field(nullable=True, description="City", metadata=source("city"))
    state: str = pa.Field(nullable=True, description="State or region", metadata=source("state"))
    postal_code: str = pa.Field(nullable=True, description="Postal code", metadata=source("postalCode"))
    country: str = pa.Field(nullable=True, description="Country as written in Marketo", metadata=source("country"))
    lead_source: str = pa.Field(nullable=True, description="Lead source", metadata=source("leadSource"))
    lead_status: str = pa.Field(nullable=True, description="Lead status", metadata=source("leadStatus"))
    lead_score: pl.Int64 = pa.Field(nullable=True, description="Marketo lead score", metadata=source("leadScore"))
    is_unsubscribed: bool = pa.Field(
        nullable=True,
        description="Unsubscribed; empty = unknown (never delivered, empty, null or unreadable), which counts as "
        "suppressed",
        metadata=source("unsubscribed"),
    )
    is_marketing_suspended: bool = pa.Field(
        nullable=True,
        description="Marketing suspended; empty = unknown, which counts as suppressed",
        metadata=source("marketingSuspended"),
    )
    is_email_invalid: bool = pa.Field(
        nullable=True,
        description="Email invalid per Marketo, or malformed; empty = unknown, which counts as suppressed",
        metadata=source("emailInvalid"),
    )
    has_known_account: bool = pa.Field(
        description="account_key names a current account (false = orphan, kept)", metadata=DERIVED
    )


class Accounts(_Created):
    """Current state of every Marketo company as an XDM account; deleted ones stay, flagged."""

    account_key: str = pa.Field(
        unique=True,
        description="Account source key `<company id>.mkto_org@<munchkin>.Marketo`",
        metadata=source("id", required=True, key="account", on_invalid="reject"),
    )
    external_company_id: str = pa.Field(
        nullable=True, description="CRM company id", metadata=source("externalCompanyId")
    )
    account_name: str = pa.Field(nullable=True, description="Company name", metadata=source("company", required=True))
    website: str = pa.Field(nullable=True, description="Website", metadata=source("website"))
    domain: str = pa.Field(
        nullable=True, description="Host of the website, lower-cased, without www.", metadata=DERIVED
    )
    industry: str = pa.Field(nullable=True, description="Industry", metadata=source("industry"))
    employee_count: pl.Int64 = pa.Field(
        nullable=True, ge=0, description="Number of employees", metadata=source("numberOfEmployees")
    )
    annual_revenue: pl.Float64 = pa.Field(
        nullable=True, ge=0, description="Annual revenue", metadata=source("annualRevenue")
    )
    sic_code: str = pa.Field(nullable=True, description="SIC code", metadata=source("sicCode"))
    billing_city: str = pa.Field(nullable=True, description="Billing city", metadata=source("billingCity"))
    billing_state: str = pa.Field(nullable=True, description="Billing state", metadata=source("billingState"))
    billing_postal_code: str = pa.Field(
        nullable=True, description="Billing postal code", metadata=source("billingPostalCode")
    )
    billing_country: str = pa.Field(
        nullable=True, description="Billing country as written in Marketo", metadata=source("billingCountry")
    )
    main_phone: str = pa.Field(nullable=True, description="Main phone", metadata=source("mainPhone"))
    linkedin_company_page_url: str = pa.Field(
        nullable=True, description="LinkedIn company page URL", metadata=source("linkedinCompanyPageUrl")
    )
    stock_symbol: str = pa.Field(nullable=True, description="Stock symbol", metadata=source("stockSymbol"))


class Opportunities(_Created):
    """Current state of every opportunity."""

    opportunity_key: str = pa.Field(
        unique=True,
        description="Opportunity source key `<id>@<munchkin>.Marketo`",
        metadata=source("id", required=True, key="opportunity", on_invalid="reject"),
    )
    external_opportunity_id: str = pa.Field(
        nullable=True, description="CRM opportunity id", metadata=source("externalOpportunityId")
    )
    opportunity_name: str = pa.Field(
        nullable=True, description="Opportunity name", metadata=source("name", required=True)
    )
    account_key: str = pa.Field(
        nullable=True,
        description="Account source key (mktoCdpAccountOrgId)",
        metadata=source("mktoCdpAccountOrgId", required=True, key="account"),
    )
    opportunity_type: str = pa.Field(nullable=True, description="Type", metadata=source("type"))
    stage: str = pa.Field(nullable=True, description="Sales stage", metadata=source("stage"))
    amount: pl.Float64 = pa.Field(nullable=True, ge=0, description="Amount", metadata=source("amount"))
    close_date: pl.Date = pa.Field(nullable=True, description="Close date", metadata=source("closeDate"))
    is_closed: bool = pa.Field(nullable=True, description="Closed", metadata=source("isClosed"))
    is_won: bool = pa.Field(nullable=True, description="Won", metadata=source("isWon"))
    probability: pl.Float64 = pa.Field(
        nullable=True,
        in_range={"min_value": 0, "max_value": 100},
        description="Win probability, 0-100",
        metadata=source("probability"),
    )


class OpportunityPersons(_Upserted):
    """Current opportunity contact roles: which person plays which CRM role on an opportunity."""

    opportunity_person_key: str = pa.Field(
        unique=True,
        description="Opportunity-person source key `<role id>@<munchkin>.Marketo`",
        metadata=source("id", required=True, key="opportunity_person", on_invalid="reject"),
    )
    opportunity_key: str = pa.Field(
        description="Opportunity source key (mktoCdpOpptyId)",
        metadata=source("mktoCdpOpptyId", required=True, key="opportunity", on_invalid="reject"),
    )
    person_key: str = pa.Field(
        description="Person source key (leadId)",
        metadata=source("leadId", required=True, key="person", on_invalid="reject"),
    )
    role: str = pa.Field(
        nullable=True, description="CRM contact role (e.g. Economic Buyer)", metadata=source("role", required=True)
    )
    is_primary: bool = pa.Field(nullable=True, description="Primary contact", metadata=source("isPrimary"))
    created_at: pl.Datetime = pa.Field(
        nullable=True,
        description="When the contact role was added to the opportunity (UTC; optional in the file)",
        metadata=source("createdAt"),
    )
    first_seen_at: pl.Datetime = pa.Field(
        description="The earliest updatedAt ingested for this contact role: when it was added, "
        "for extracts without createdAt",
        metadata=DERIVED,
    )


class ExperienceEvents(_Lineage):
    """Marketo activities as XDM experience events, appended and de-duplicated on marketoGUID."""

    event_id: str = pa.Field(
        unique=True,
        description="marketoGUID",
        metadata=source("marketoGUID", required=True, on_invalid="reject", compression="fsst"),
    )
    person_key: str = pa.Field(
        description="Person source key (leadId)",
        metadata=source("leadId", required=True, key="person", on_invalid="reject", compression="dictionary"),
    )
    timestamp: pl.Datetime = pa.Field(
        description="When the activity happened (UTC)",
        metadata=source("activityDate", required=True, on_invalid="reject"),
    )
    activity_type_id: pl.Int64 = pa.Field(
        ge=0,
        description="Marketo activity type id",
        metadata=source("activityTypeId", required=True, on_invalid="reject"),
    )
    event_type: str = pa.Field(
        description="Activity type name (standard Marketo names, else `Activity <id>`)",
        metadata=derived(compression="dictionary"),
    )
    campaign_id: str = pa.Field(
        nullable=True, description="Campaign id", metadata=source("campaignId", compression="dictionary")
    )
    primary_attribute_value_id: str = pa.Field(
        nullable=True,
        description="Primary attribute value id",
        metadata=source("primaryAttributeValueId", compression="dictionary"),
    )
    primary_attribute_value: str = pa.Field(
        nullable=True,
        description="Primary attribute value (form, page, email...)",
        metadata=source("primaryAttributeValue", compression="dictionary"),
    )
    attributes: str = pa.Field(
        nullable=True,
        description="Activity attributes, a JSON object as text (emptied when not JSON)",
        metadata=source("attributes", compression="fsst"),
    )
    has_known_person: bool = pa.Field(
        description="person_key names a known person (false = orphan, kept)", metadata=DERIVED
    )


class AdSpend(_Lineage):
    """Ad spend per day, platform and campaign; a later drop replaces a row with the same key."""

    ad_spend_key: str = pa.Field(
        unique=True, description="Row key: date|platform (lower-cased)|campaignId", metadata=DERIVED
    )
    date: pl.Date = pa.Field(
        description="Day of the spend (UTC)", metadata=source("date", required=True, on_invalid="reject")
    )
    platform: str = pa.Field(
        description="Ad platform id as in kpis.yaml (e.g. linkedin; compared case-insensitively)",
        metadata=source("platform", required=True, on_invalid="reject"),
    )
    campaign_id: str = pa.Field(
        description="Campaign id on the platform", metadata=source("campaignId", required=True, on_invalid="reject")
    )
    campaign_name: str = pa.Field(nullable=True, description="Campaign name", metadata=source("campaignName"))
    spend: pl.Float64 = pa.Field(
        ge=0,
        description="Amount spent that day, in `currency`",
        metadata=source("spend", required=True, on_invalid="reject"),
    )
    currency: str = pa.Field(
        nullable=True,
        str_matches=r"^[A-Za-z]{3}$",
        description="ISO 4217 currency code of the spend; amounts in different currencies are never added up",
        metadata=source("currency"),
    )
    impressions: pl.Int64 = pa.Field(nullable=True, ge=0, description="Impressions", metadata=source("impressions"))
    clicks: pl.Int64 = pa.Field(nullable=True, ge=0, description="Clicks", metadata=source("clicks"))


class AdCompanyReach(_Lineage):
    """Impressions and clicks of a campaign per reached company and day; a later drop replaces a
    row with the same key. Reached companies are matched to accounts in
    `b2b.ad_company_matches`."""

    ad_company_reach_key: str = pa.Field(
        unique=True, description="Row key: date|platform (lower-cased)|campaignId|companyName", metadata=DERIVED
    )
    date: pl.Date = pa.Field(
        description="Day of the impressions (UTC)", metadata=source("date", required=True, on_invalid="reject")
    )
    platform: str = pa.Field(
        description="Ad platform id as in kpis.yaml (compared case-insensitively)",
        metadata=source("platform", required=True, on_invalid="reject"),
    )
    campaign_id: str = pa.Field(
        description="Campaign id on the platform", metadata=source("campaignId", required=True, on_invalid="reject")
    )
    company_name: str = pa.Field(
        description="Reached company as the platform names it",
        metadata=source("companyName", required=True, on_invalid="reject"),
    )
    company_website: str = pa.Field(nullable=True, description="Company website", metadata=source("companyWebsite"))
    company_domain: str = pa.Field(
        nullable=True,
        description="Host of company_website, lower-cased, without www. (the accounts' domain rule)",
        metadata=DERIVED,
    )
    linkedin_company_page_url: str = pa.Field(
        nullable=True, description="LinkedIn company page URL", metadata=source("linkedinCompanyPageUrl")
    )
    impressions: pl.Int64 = pa.Field(
        ge=0,
        description="Impressions served to the company's members",
        metadata=source("impressions", required=True, on_invalid="reject"),
    )
    clicks: pl.Int64 = pa.Field(nullable=True, ge=0, description="Clicks", metadata=source("clicks"))


class AdCompanyMatches(pa.DataFrameModel):
    """Each company reached by ads, matched to a current account: by LinkedIn company page URL,
    else by web domain, else by normalised name; unmatched companies are kept with an empty
    `account_key` (the report of what did not match). Rebuilt from the current accounts on
    every run, so a company matches as soon as its account arrives."""

    platform: str = pa.Field(description="Ad platform id, lower-cased")
    company_name: str = pa.Field(description="Reached company as the platform names it")
    company_website: str = pa.Field(nullable=True, description="Company website as reported (latest row)")
    linkedin_company_page_url: str = pa.Field(nullable=True, description="LinkedIn page URL as reported (latest row)")
    account_key: str = pa.Field(nullable=True, description="Matched account (empty = unmatched)")
    matched_by: str = pa.Field(
        nullable=True,
        isin=["linkedin_page_url", "domain", "name"],
        description="Which rule matched: linkedin_page_url, domain or name (empty = unmatched)",
    )
    candidate_accounts: pl.Int64 = pa.Field(
        ge=0, description="Accounts the winning rule found (more than 1: the smallest account_key is taken)"
    )
    impressions: pl.Int64 = pa.Field(ge=0, description="Impressions over all rows of the company")
    first_date: pl.Date = pa.Field(description="First day with a row")
    last_date: pl.Date = pa.Field(description="Last day with a row")


ACTIVITY_TYPE_NAMES: dict[int, str] = {
    1: "Visit Webpage",
    2: "Fill Out Form",
    3: "Click Link",
    6: "Send Email",
    7: "Email Delivered",
    9: "Unsubscribe Email",
    10: "Open Email",
    11: "Click Email",
    12: "New Lead",
    46: "Interesting Moment",
    # Not Marketo-standard ids: an instance's own come from its activity types API. These are
    # the ids the sample data gives the two interest signals the journeys listen for.
    37: "Fill Out LinkedIn Lead Gen Form",
    118: "Chat Interaction",
    104: "Change Status in Progression",
}
