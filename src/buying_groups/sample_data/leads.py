"""Leads: people placed in their company's block, titled so buying committees form.

A company's first positions hold its committee (decision maker, influencers, champion,
technical buyer, evaluators) when the company is "fully staffed", only the top two when it
is "partially staffed", and nobody senior when it is "junior" — so the example roles
templates produce complete, incomplete and (with engagement) sales-ready groups.
"""

from __future__ import annotations

import polars as pl

from buying_groups.sample_data.companies import (
    STAFF_FULL,
    STAFF_JUNIOR,
    STAFF_PARTIAL,
    TIER_HOT,
    with_company_traits,
)
from buying_groups.sample_data.dirt import DirtPlanter, DirtTally
from buying_groups.sample_data.formatting import iso_timestamp, marketo_boolean, to_marketo_text
from buying_groups.sample_data.hashing import Rng, pick_in_group
from buying_groups.sample_data.plan import DAY, ORPHAN_COMPANY_BASE, Plan, id_frame
from buying_groups.sample_data.vocabulary import (
    COMMITTEE_TITLES,
    COUNTRIES,
    DEPARTMENTS,
    DEPARTMENTS_BY_COMMITTEE_SLOT,
    FIRST_NAMES,
    LAST_NAMES,
    LEAD_SOURCES,
    LEAD_STATUSES,
)

# A lead created in an incremental drop sits outside any committee block.
OUTSIDE_BLOCK = 1_000_000
STALE_BY = 30 * DAY
MALFORMED_KINDS = 3  # "john.doe@", "john.doe-at-acme1.com", "j@a"
_BOOLEAN_SHARES = {"unsubscribed": 0.015, "marketingSuspended": 0.005, "emailInvalid": 0.005}


def place_leads(plan: Plan, ids: pl.Series) -> pl.DataFrame:
    """``id``, ``company_id`` and ``position`` (in the company's block) for each lead id.

    Leads of the full load live in their company's block; newer ids (incremental drops) join
    a random existing company, outside its committee positions.
    """
    in_block = ids.clip(1, plan.leads)
    company, position = plan.company_of_lead(in_block)
    frame = id_frame(ids).with_columns(company, position)
    joiner = plan.rng.integer("new-lead-company", pl.col("id"), 1, plan.companies)
    new = pl.col("id") > plan.leads
    return frame.with_columns(
        company_id=pl.when(new).then(joiner).otherwise(pl.col("company_id")),
        position=pl.when(new).then(pl.lit(OUTSIDE_BLOCK, pl.Int64)).otherwise(pl.col("position")),
    )


def lead_rows(plan: Plan, planter: DirtPlanter, ids: pl.Series, as_of: int) -> pl.DataFrame:
    """Typed lead rows (epoch-second timestamps, booleans) as of the instant ``as_of``.

    Keeps ``_tier`` and ``_focus`` of the lead's company for the activity generator.
    """
    rng = plan.rng
    frame = with_company_traits(place_leads(plan, ids), plan, planter)
    key = pl.col("id")
    frame = frame.with_columns(
        _dirt_duplicate_email=planter.mask("duplicate_email", key, plan.leads)
        & (pl.col("position") > 0)
        & (pl.col("position") < OUTSIDE_BLOCK),
        _dirt_malformed_email=planter.mask("malformed_email", key, plan.leads, forced=MALFORMED_KINDS, adjacent=True),
        _dirt_orphan_lead=planter.mask("orphan_lead", key, plan.leads),
        _dirt_empty_lead_id=planter.mask("empty_lead_id", key, plan.leads) & (key <= plan.leads),
    )
    frame = _with_names_and_email(frame, rng)
    frame = _with_title_and_department(frame, plan)
    frame = _with_location(frame, rng)
    created = as_of - (30 * DAY + rng.integer("lead-created", key, 0, 900 * DAY))
    frame = frame.with_columns(
        createdAt=created,
        updatedAt=created + (rng.uniform("lead-updated", key) * (as_of - DAY - created)).cast(pl.Int64),
        company=pl.col("_company_name"),
        contactCompany=pl.when(pl.col("_dirt_orphan_lead"))
        .then(ORPHAN_COMPANY_BASE + key)
        .otherwise(pl.col("company_id")),
        leadSource=rng.weighted("lead-source", key, LEAD_SOURCES),
        leadStatus=rng.weighted("lead-status", key, LEAD_STATUSES),
        leadScore=rng.integer("lead-score", key, 0, 100) + pl.when(pl.col("_tier") == TIER_HOT).then(40).otherwise(0),
        marketoIsDeleted=pl.lit(False),
        **{name: rng.chance(f"flag:{name}", key, share) for name, share in _BOOLEAN_SHARES.items()},
    )
    return frame


def _with_names_and_email(frame: pl.DataFrame, rng: Rng) -> pl.DataFrame:
    """First and last name, and an email at the company's domain.

    A duplicate-email lead borrows the previous lead's name (same company, same address,
    different letter case); a malformed one gets a broken address.
    """
    key = pl.col("id")
    name_key = pl.when(pl.col("_dirt_duplicate_email")).then(key - 1).otherwise(key)
    first = rng.integer("first-name", name_key, 0, len(FIRST_NAMES) - 1).cast(pl.UInt32)
    last = rng.integer("last-name", name_key, 0, len(LAST_NAMES) - 1).cast(pl.UInt32)

    def lookup(table: tuple[tuple[str, str], ...], index: pl.Expr, part: int) -> pl.Expr:
        return pl.lit(pl.Series([row[part] for row in table], dtype=pl.String)).gather(index)

    frame = frame.with_columns(
        firstName=lookup(FIRST_NAMES, first, 0),
        lastName=lookup(LAST_NAMES, last, 0),
        _first_ascii=lookup(FIRST_NAMES, first, 1),
        _last_ascii=lookup(LAST_NAMES, last, 1),
        _local_style=rng.integer("email-style", name_key, 0, 9),
    )
    local = (
        pl.when(pl.col("_local_style") == 0)
        .then(pl.concat_str([pl.col("_first_ascii").str.slice(0, 1), pl.col("_last_ascii")]))
        .when(pl.col("_local_style") == 1)
        .then(pl.concat_str([pl.col("_first_ascii"), pl.col("_last_ascii")], separator="_"))
        .otherwise(pl.concat_str([pl.col("_first_ascii"), pl.col("_last_ascii")], separator="."))
    )
    good = pl.concat_str([local, pl.col("_domain")], separator="@")
    broken_kind = key % MALFORMED_KINDS
    broken = (
        pl.when(broken_kind == 0)
        .then(pl.concat_str([local, pl.lit("@")]))
        .when(broken_kind == 1)
        .then(pl.concat_str([local, pl.lit("-at-"), pl.col("_domain")]))
        .otherwise(
            pl.concat_str([pl.col("_first_ascii").str.slice(0, 1), pl.lit("@"), pl.col("_domain").str.slice(0, 1)])
        )
    )
    email = (
        pl.when(pl.col("_dirt_malformed_email"))
        .then(broken)
        .when(pl.col("_dirt_duplicate_email"))
        .then(good.str.to_uppercase())
        .when(rng.chance("email-capitalised", key, 0.03))
        .then(
            pl.concat_str(
                [pl.col("firstName"), pl.lit("."), pl.col("lastName"), pl.lit("@"), pl.col("_domain")]
            ).str.replace_all(" ", "")
        )
        .otherwise(good)
    )
    return frame.with_columns(email=email).drop("_first_ascii", "_last_ascii", "_local_style")


def _with_title_and_department(frame: pl.DataFrame, plan: Plan) -> pl.DataFrame:
    """Committee titles at the front of a staffed company's block, others after (from the
    profile's mix)."""
    rng = plan.rng
    key = pl.col("id")
    staffing, position = pl.col("_staffing"), pl.col("position")
    slot = position.clip(0, len(COMMITTEE_TITLES) - 1)
    in_committee = ((staffing == STAFF_FULL) & (position < len(COMMITTEE_TITLES))) | (
        (staffing == STAFF_PARTIAL) & (position < 2)
    )
    title = (
        pl.when(in_committee)
        .then(pick_in_group(COMMITTEE_TITLES, slot, rng.uniform("committee-title", key)))
        .when(staffing == STAFF_JUNIOR)
        .then(rng.weighted("junior-title", key, plan.profile.junior_titles))
        .otherwise(rng.weighted("general-title", key, plan.profile.general_titles))
    )
    committee_department = pl.lit(pl.Series(DEPARTMENTS_BY_COMMITTEE_SLOT)).gather(slot)
    department = (
        pl.when(in_committee)
        .then(committee_department)
        .when(rng.chance("department-missing", key, 0.2))
        .then(None)
        .otherwise(rng.pick("department", key, DEPARTMENTS))
    )
    return frame.with_columns(title=pl.when(title == "").then(None).otherwise(title), department=department)


def _with_location(frame: pl.DataFrame, rng: Rng) -> pl.DataFrame:
    """Phone, city, state, postal code and a country spelled one of many ways."""
    key = pl.col("id")
    country = pl.col("_country")
    city_u = rng.uniform("city", key)
    known = rng.chance("location-known", key, 0.85)
    prefixes = [[c.phone_prefix] for c in COUNTRIES]
    return frame.with_columns(
        phone=pl.when(rng.chance("phone-known", key, 0.7)).then(
            pl.concat_str(
                [
                    pick_in_group(prefixes, country, city_u),
                    pl.lit(" "),
                    rng.integer("phone", key, 200_000_0000, 999_999_9999).cast(pl.String),
                ]
            )
        ),
        city=pl.when(known).then(pick_in_group([[n for n, _ in c.cities] for c in COUNTRIES], country, city_u)),
        state=pl.when(known).then(pick_in_group([[s for _, s in c.cities] for c in COUNTRIES], country, city_u)),
        postalCode=pl.when(known).then(rng.integer("postal", key, 1000, 99999).cast(pl.String).str.zfill(5)),
        country=pl.when(rng.chance("country-known", key, 0.9)).then(
            pick_in_group([list(c.spellings) for c in COUNTRIES], country, rng.uniform("country-spelling", key))
        ),
    )


def with_stale_copies(frame: pl.DataFrame, planter: DirtPlanter, plan: Plan, tally: DirtTally) -> pl.DataFrame:
    """Repeat a few rows, each right after its original, with an older ``updatedAt`` and a
    changed title.

    Ingestion must keep the newer row even though the stale copy comes later in the file.
    (Placing copies next to their original keeps the bytes independent of the chunk size.)
    """
    mask = planter.mask("duplicate_lead_in_drop", pl.col("id"), plan.leads)
    copies = frame.filter(mask & pl.col("id").is_not_null()).with_columns(
        updatedAt=pl.col("updatedAt") - STALE_BY,
        createdAt=pl.min_horizontal(pl.col("createdAt"), pl.col("updatedAt") - STALE_BY),
        title=pl.lit("Former Employee"),
        **{name: pl.lit(False) for name in _dirt_columns(frame)},
    )
    tally.add("duplicate_lead_in_drop", copies.height)
    if not copies.height:
        return frame
    ordered = pl.concat([frame.with_row_index("_row"), copies.with_row_index("_row")])
    # A stable sort by id keeps each original before its copy.
    return ordered.sort("id", maintain_order=True).drop("_row")


def _dirt_columns(frame: pl.DataFrame) -> list[str]:
    return [name for name in frame.columns if name.startswith("_dirt_")]


def lead_text(plan: Plan, frame: pl.DataFrame) -> pl.DataFrame:
    """Lead rows as Marketo writes them (the empty-id dirt blanks one id here)."""
    rng = plan.rng
    key = pl.col("id")
    flags = ("unsubscribed", "marketingSuspended", "emailInvalid", "marketoIsDeleted")
    frame = frame.with_columns(
        id=pl.when(pl.col("_dirt_empty_lead_id")).then(None).otherwise(key),
        createdAt=iso_timestamp(pl.col("createdAt"), plan.profile),
        updatedAt=iso_timestamp(pl.col("updatedAt"), plan.profile),
        **{flag: marketo_boolean(rng, f"lead:{flag}", key, pl.col(flag), plan.profile) for flag in flags},
    )
    return to_marketo_text(frame, "leads", rng, "id", plan.profile)
