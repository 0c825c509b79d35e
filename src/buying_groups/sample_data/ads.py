"""Ad platform reports for the full-load drop: daily spend per campaign and the companies the
LinkedIn campaigns reached, so the quick start shows every KPI with real numbers.

Deterministic per seed like the rest (hash streams keyed by day, campaign and company id). The
reached companies are named the way a platform reports them: some with their LinkedIn page
URL, some with their website, some by name only (with a legal suffix the accounts lack).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from buying_groups.sample_data.plan import Plan

AD_DAYS = 60  # the KPI period and its baseline, at the default 30 days
# platform, campaign id, campaign name, currency, typical daily spend
CAMPAIGNS: tuple[tuple[str, str, str, str, float], ...] = (
    ("linkedin", "li-seeds-dm", "AI Seeds - Decision makers", "EUR", 180.0),
    ("linkedin", "li-seeds-rt", "AI Seeds - Retargeting", "EUR", 60.0),
    ("linkedin", "li-cloud-it", "Cloud Analytics - IT leaders", "USD", 120.0),
    ("google_ads", "gads-seeds", "AI seeds - search", "USD", 90.0),
    ("google_ads", "gads-cloud", "Cloud analytics - search", "USD", 70.0),
)
REACH_WEEKS = 8


def ad_spend_rows(plan: Plan, last_day: dt.date) -> pl.DataFrame:
    """One row per campaign and day over the ``AD_DAYS`` days up to ``last_day``."""
    rng = plan.rng
    days = pl.DataFrame({"day": pl.date_range(last_day - dt.timedelta(days=AD_DAYS - 1), last_day, eager=True)})
    campaigns = pl.DataFrame(
        CAMPAIGNS, schema=["platform", "campaignId", "campaignName", "currency", "base"], orient="row"
    ).with_row_index("campaign")
    frame = days.join(campaigns, how="cross").with_columns(
        key=pl.col("day").cast(pl.Int64) * 16 + pl.col("campaign").cast(pl.Int64)
    )
    key = pl.col("key")
    spend = pl.col("base") * (0.5 + rng.uniform("ad-spend", key))
    impressions = (spend * (20 + 30 * rng.uniform("ad-impressions", key))).cast(pl.Int64)
    return frame.select(
        date=pl.col("day").cast(pl.String),
        platform=pl.col("platform"),
        campaignId=pl.col("campaignId"),
        campaignName=pl.col("campaignName"),
        spend=spend.round(2).cast(pl.String),
        currency=pl.col("currency"),
        impressions=impressions.cast(pl.String),
        clicks=(impressions.cast(pl.Float64) * 0.006 * rng.uniform("ad-clicks", key)).cast(pl.Int64).cast(pl.String),
    )


def ad_reach_rows(plan: Plan, companies: pl.DataFrame, last_day: dt.date) -> pl.DataFrame:
    """Weekly reach of the LinkedIn seeds campaign for about half of ``companies`` (typed
    company rows), over ``REACH_WEEKS`` weeks up to ``last_day``; some weeks with 0 impressions."""
    rng = plan.rng
    key = pl.col("company_id")
    reached = companies.filter(rng.chance("ad-reached", key, 0.5))
    weeks = pl.DataFrame({"week": list(range(REACH_WEEKS))}, schema={"week": pl.Int64})
    frame = reached.join(weeks, how="cross").with_columns(row_key=key * REACH_WEEKS + pl.col("week"))
    row_key = pl.col("row_key")
    how = rng.integer("ad-reach-identity", key, 0, 3)  # 0 page URL, 1 website, 2 name only
    name = pl.when(how == 2).then(pl.concat_str([pl.col("company"), pl.lit(", Inc.")])).otherwise(pl.col("company"))
    return frame.select(
        date=(pl.lit(last_day) - pl.duration(days=pl.col("week") * 7)).cast(pl.Date).cast(pl.String),
        platform=pl.lit("linkedin"),
        campaignId=pl.lit(CAMPAIGNS[0][1]),
        companyName=name,
        companyWebsite=pl.when(how == 1).then(pl.col("website")),
        linkedinCompanyPageUrl=pl.when(how == 0).then(pl.col("linkedinCompanyPageUrl")),
        impressions=pl.when(rng.chance("ad-reach-zero", row_key, 0.15))
        .then(0)
        .otherwise(rng.integer("ad-reach-impressions", row_key, 1, 400))
        .cast(pl.String),
        clicks=rng.integer("ad-reach-clicks", row_key, 0, 5).cast(pl.String),
    )
