"""Companies: their traits (industry, size, country, how engaged, how staffed) and their rows.

Traits are pure functions of the company id, so leads, opportunities and activities compute
the same traits for their company without reading the companies file back.
"""

from __future__ import annotations

import math

import polars as pl

from buying_groups.sample_data.dirt import DirtPlanter
from buying_groups.sample_data.formatting import iso_timestamp, marketo_boolean, to_marketo_text
from buying_groups.sample_data.hashing import Rng, pick_in_group
from buying_groups.sample_data.plan import DAY, Plan, id_frame
from buying_groups.sample_data.vocabulary import (
    COMPANY_PREFIXES,
    COMPANY_SUFFIXES,
    COUNTRIES,
    FORMULA_COMPANY_NAMES,
    INDUSTRIES,
)

# How engaged an account is: hot accounts act within the engagement window, cold ones only
# before it, silent ones hardly at all.
TIER_HOT, TIER_WARM, TIER_COLD, TIER_SILENT = 0, 1, 2, 3
TIER_WEIGHTS = (15, 35, 30, 20)
# How staffed an account is: a full buying committee, part of one, or juniors only.
STAFF_FULL, STAFF_PARTIAL, STAFF_JUNIOR = 0, 1, 2
STAFF_WEIGHTS = (40, 40, 20)
MIN_EMPLOYEES, MAX_EMPLOYEES = 10, 50_000


def _industry_lookup(index: pl.Expr, values: list[str] | list[int], dtype: type) -> pl.Expr:
    return pl.lit(pl.Series(values, dtype=dtype)).gather(index)


def with_company_traits(
    frame: pl.DataFrame, plan: Plan, planter: DirtPlanter, id_column: str = "company_id"
) -> pl.DataFrame:
    """Add ``_industry``, ``_focus``, ``_tier``, ``_staffing``, ``_country``, ``_employees``,
    ``_company_name``, ``_domain`` and ``_formula_name`` (the formula-looking-name dirt) for
    the company ids in ``id_column``."""
    rng, companies = plan.rng, plan.companies
    key = pl.col(id_column)
    frame = frame.with_columns(
        _industry=rng.weighted_index("industry", key, plan.profile.industry_weights),
        _country=rng.weighted_index("country", key, [c.weight for c in COUNTRIES]),
        _tier=rng.weighted_index("tier", key, TIER_WEIGHTS),
        _staffing=rng.weighted_index("staffing", key, STAFF_WEIGHTS),
        _employees=_log_uniform_employees(rng, key),
        _prefix=rng.pick("name-prefix", key, COMPANY_PREFIXES),
        _suffix=rng.pick("name-suffix", key, COMPANY_SUFFIXES),
        _formula_name=planter.mask(
            "formula_company_name",
            key,
            companies,
            forced=len(FORMULA_COMPANY_NAMES),
            adjacent=True,
        ),
    )
    words = [list(industry.name_words) for industry in INDUSTRIES]
    frame = frame.with_columns(
        _focus=_industry_lookup(pl.col("_industry"), [i.focus for i in INDUSTRIES], pl.UInt32),
        _core=pick_in_group(words, pl.col("_industry"), rng.uniform("name-core", key)),
    )
    plain_name = pl.concat_str([pl.col("_prefix"), pl.col("_core"), pl.col("_suffix")], separator=" ").str.strip_chars()
    # By key, not at random: the adjacent forced keys then show every formula name.
    formula_name = pl.lit(pl.Series(FORMULA_COMPANY_NAMES)).gather(key % len(FORMULA_COMPANY_NAMES))
    slug = pl.concat_str([pl.col("_prefix"), pl.col("_core")]).str.to_lowercase()
    slug = slug.str.replace_all(r"[^a-z0-9]+", "")
    return frame.with_columns(
        _company_name=pl.when(pl.col("_formula_name")).then(formula_name).otherwise(plain_name),
        _domain=pl.concat_str([slug, key.cast(pl.String), pl.lit(".com")]),
    ).drop("_prefix", "_suffix", "_core")


def _log_uniform_employees(rng: Rng, key: pl.Expr) -> pl.Expr:
    """Head counts spread evenly on a log scale from 10 to 50,000."""
    low, high = math.log(MIN_EMPLOYEES), math.log(MAX_EMPLOYEES)
    return (rng.uniform("employees", key) * (high - low) + low).exp().round().cast(pl.Int64)


def company_rows(plan: Plan, planter: DirtPlanter, ids: pl.Series, as_of: int) -> pl.DataFrame:
    """Typed company rows (epoch-second timestamps) as of the instant ``as_of``."""
    rng = plan.rng
    frame = with_company_traits(id_frame(ids, "company_id"), plan, planter)
    key = pl.col("company_id")
    country = pl.col("_country")
    cities = [[city for city, _ in c.cities] for c in COUNTRIES]
    states = [[state for _, state in c.cities] for c in COUNTRIES]
    spellings = [list(c.spellings) for c in COUNTRIES]
    sic = [list(i.sic_codes) for i in INDUSTRIES]
    city_u = rng.uniform("billing-city", key)
    created = as_of - (60 * DAY + rng.integer("company-created", key, 0, 1000 * DAY))
    frame = frame.with_columns(
        _dirt_formula_company_name=pl.col("_formula_name"),
        _dirt_negative_employees=planter.mask("negative_employees", key, plan.companies),
        _dirt_unreadable_revenue=planter.mask("unreadable_revenue", key, plan.companies),
        createdAt=created,
        _big=pl.col("_employees") >= 5000,
    )
    revenue = pl.col("_employees") * rng.integer("revenue-per-head", key, 80, 400) * 1000
    website = (
        pl.when(rng.chance("website-style", key, 0.6))
        .then(pl.concat_str([pl.lit("https://www."), pl.col("_domain")]))
        .when(rng.chance("website-missing", key, 0.05))
        .then(None)
        .otherwise(pl.concat_str([pl.lit("www."), pl.col("_domain")]))
    )
    ticker = pl.col("_domain").str.slice(0, 4).str.to_uppercase()
    frame = frame.with_columns(
        id=key,
        externalCompanyId=pl.when(rng.chance("crm-linked", key, 0.8)).then(
            pl.concat_str([pl.lit("001"), key.cast(pl.String).str.zfill(12)])
        ),
        company=pl.col("_company_name"),
        website=website,
        industry=pl.when(rng.chance("industry-missing", key, 0.02))
        .then(None)
        .otherwise(_industry_lookup(pl.col("_industry"), [i.name for i in INDUSTRIES], pl.String)),
        numberOfEmployees=pl.when(pl.col("_dirt_negative_employees"))
        .then(-pl.col("_employees"))
        .otherwise(pl.col("_employees"))
        .cast(pl.String),
        annualRevenue=pl.when(pl.col("_dirt_unreadable_revenue"))
        .then(pl.lit("abc"))
        .when(rng.chance("revenue-missing", key, 0.15))
        .then(None)
        .otherwise(revenue.cast(pl.String)),
        sicCode=pick_in_group(sic, pl.col("_industry"), rng.uniform("sic", key)),
        billingCity=pick_in_group(cities, country, city_u),
        billingState=pick_in_group(states, country, city_u),
        billingPostalCode=rng.integer("billing-postal", key, 10000, 99999).cast(pl.String),
        billingCountry=pick_in_group(spellings, country, rng.uniform("country-spelling", key)),
        mainPhone=pl.concat_str(
            [
                pick_in_group([[c.phone_prefix] for c in COUNTRIES], country, city_u),
                pl.lit(" 555 "),
                rng.integer("main-phone", key, 1000000, 9999999).cast(pl.String),
            ]
        ),
        linkedinCompanyPageUrl=pl.when(rng.chance("linkedin-page", key, 0.7)).then(
            pl.concat_str([pl.lit("https://www.linkedin.com/company/"), pl.col("_domain").str.replace(r"\.com$", "")])
        ),
        stockSymbol=pl.when(pl.col("_big") & rng.chance("listed", key, 0.6)).then(ticker),
        marketoIsDeleted=pl.lit(False),
        updatedAt=created + (rng.uniform("company-updated", key) * (as_of - DAY - created)).cast(pl.Int64),
    )
    return frame


def company_text(plan: Plan, frame: pl.DataFrame) -> pl.DataFrame:
    """Company rows as Marketo writes them."""
    rng = plan.rng
    key = pl.col("company_id")
    frame = frame.with_columns(
        marketoIsDeleted=marketo_boolean(rng, "company-deleted", key, pl.col("marketoIsDeleted"), plan.profile),
        createdAt=iso_timestamp(pl.col("createdAt"), plan.profile),
        updatedAt=iso_timestamp(pl.col("updatedAt"), plan.profile),
    )
    return to_marketo_text(frame, "companies", rng, "id", plan.profile)
