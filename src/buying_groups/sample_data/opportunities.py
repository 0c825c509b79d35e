"""Opportunities for about 20 % of companies, each with 1-4 contact roles at that company.

Ids are derived, not counted: company ``c`` may own opportunities ``2c`` and ``2c + 1``, and
opportunity ``o`` holds roles ``4o .. 4o + 3``. So any drop can regenerate an opportunity
and its roles from the id alone, and roles always point at leads of the same company.
"""

from __future__ import annotations

import polars as pl

from buying_groups.sample_data.companies import with_company_traits
from buying_groups.sample_data.dirt import DirtPlanter
from buying_groups.sample_data.formatting import (
    iso_date,
    iso_timestamp,
    marketo_boolean,
    to_marketo_text,
)
from buying_groups.sample_data.hashing import Rng, pick_in_group
from buying_groups.sample_data.plan import DAY, Plan, id_frame
from buying_groups.sample_data.vocabulary import (
    OPPORTUNITY_ROLES,
    OPPORTUNITY_STAGE_WEIGHTS,
    OPPORTUNITY_STAGES,
    OPPORTUNITY_TYPES,
    PRODUCTS_BY_FOCUS,
)

FIRST_OPPORTUNITY_SHARE = 0.20
SECOND_OPPORTUNITY_SHARE = 0.25  # of the companies that have a first one
MAX_ROLES = 4


def opportunity_ids(rng: Rng, company_ids: pl.Series) -> pl.Series:
    """The opportunity ids owned by ``company_ids`` (``2c`` and maybe ``2c + 1``)."""
    frame = id_frame(company_ids, "company_id").with_columns(
        first=rng.chance("has-opportunity", pl.col("company_id"), FIRST_OPPORTUNITY_SHARE),
        second=rng.chance("second-opportunity", pl.col("company_id"), SECOND_OPPORTUNITY_SHARE),
    )
    firsts = frame.filter("first").select(id=pl.col("company_id") * 2)
    seconds = frame.filter(pl.col("first") & pl.col("second")).select(id=pl.col("company_id") * 2 + 1)
    return pl.concat([firsts, seconds]).sort("id").to_series()


def opportunity_rows(plan: Plan, planter: DirtPlanter, ids: pl.Series, as_of: int, stage_step: int = 0) -> pl.DataFrame:
    """Typed opportunity rows; ``stage_step`` moves each one that many stages on."""
    rng = plan.rng
    frame = with_company_traits(id_frame(ids).with_columns(company_id=pl.col("id") // 2), plan, planter)
    key = pl.col("id")
    open_stages = sum(1 for stage in OPPORTUNITY_STAGES if not stage[2])
    stage = rng.weighted_index("opportunity-stage", key, OPPORTUNITY_STAGE_WEIGHTS)
    advanced = (
        pl.when(stage < open_stages).then((stage + stage_step).clip(0, open_stages)).otherwise(stage).cast(pl.UInt32)
    )
    created = as_of - (20 * DAY + rng.integer("opportunity-created", key, 0, 400 * DAY))
    product = pick_in_group(PRODUCTS_BY_FOCUS, pl.col("_focus"), rng.uniform("product", key))

    def stage_field(position: int, dtype: type) -> pl.Expr:
        values = [row[position] for row in OPPORTUNITY_STAGES]
        return pl.lit(pl.Series(values, dtype=dtype)).gather(pl.col("_stage"))

    frame = frame.with_columns(_stage=advanced, createdAt=created)
    return frame.with_columns(
        externalOpportunityId=pl.concat_str([pl.lit("006"), key.cast(pl.String).str.zfill(12)]),
        name=pl.concat_str([pl.col("_company_name"), pl.lit(" - "), product]),
        mktoCdpAccountOrgId=pl.col("company_id"),
        type=rng.weighted("opportunity-type", key, OPPORTUNITY_TYPES),
        stage=stage_field(0, pl.String),
        amount=(rng.integer("amount", key, 5, 500) * 1000).cast(pl.String),
        closeDate=iso_date(created + rng.integer("close-in", key, 30, 180) * DAY),
        isClosed=stage_field(2, pl.Boolean),
        isWon=stage_field(3, pl.Boolean),
        probability=stage_field(1, pl.Int64),
        updatedAt=created + (rng.uniform("opportunity-updated", key) * (as_of - DAY - created)).cast(pl.Int64),
    )


def opportunity_text(plan: Plan, frame: pl.DataFrame) -> pl.DataFrame:
    """Opportunity rows as Marketo writes them."""
    rng = plan.rng
    key = pl.col("id")
    frame = frame.with_columns(
        isClosed=marketo_boolean(rng, "opp-closed", key, pl.col("isClosed"), plan.profile),
        isWon=marketo_boolean(rng, "opp-won", key, pl.col("isWon"), plan.profile),
        createdAt=iso_timestamp(pl.col("createdAt"), plan.profile),
        updatedAt=iso_timestamp(pl.col("updatedAt"), plan.profile),
    )
    return to_marketo_text(frame, "opportunities", rng, "id", plan.profile)


def role_rows(plan: Plan, opportunities: pl.DataFrame) -> pl.DataFrame:
    """1-4 contact roles per opportunity, each a different lead of the opportunity's company.

    ``opportunities`` needs ``id``, ``company_id`` and ``updatedAt`` (typed).
    """
    rng = plan.rng
    first_lead, lead_count = plan.lead_block(opportunities["company_id"])
    frame = opportunities.select("id", "company_id", "updatedAt").with_columns(first_lead, lead_count)
    key = pl.col("id")
    wanted = rng.integer("role-count", key, 1, MAX_ROLES)
    frame = (
        frame.with_columns(
            _roles=pl.min_horizontal(wanted, pl.col("lead_count")),
            _base=rng.integer("role-base", key, 0, 1 << 30),
        )
        .with_columns(_k=pl.int_ranges(0, pl.col("_roles")))
        .explode("_k")
        .drop_nulls("_k")
    )
    role_key = key * MAX_ROLES + pl.col("_k")
    lead_offset = (pl.col("_base") + pl.col("_k")) % pl.col("lead_count")
    return frame.select(
        id=role_key,
        mktoCdpOpptyId=key,
        leadId=pl.col("first_lead") + lead_offset,
        role=rng.weighted("contact-role", role_key, OPPORTUNITY_ROLES),
        isPrimary=pl.col("_k") == 0,
        updatedAt=pl.col("updatedAt"),
    )


def role_text(plan: Plan, frame: pl.DataFrame) -> pl.DataFrame:
    """Contact-role rows as Marketo writes them."""
    rng = plan.rng
    frame = frame.with_columns(
        isPrimary=marketo_boolean(rng, "role-primary", pl.col("id"), pl.col("isPrimary"), plan.profile),
        updatedAt=iso_timestamp(pl.col("updatedAt"), plan.profile),
    )
    return to_marketo_text(frame, "opportunity_roles", rng, "id", plan.profile)
