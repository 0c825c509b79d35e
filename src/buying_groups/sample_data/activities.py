"""Activities: a skewed stream of web visits, form fills and email events per lead.

How many a lead has, and how recent they are, follows the company's engagement tier: hot
accounts act inside the 30-day engagement window, warm ones across ~60 days, cold ones only
before the window, silent ones almost never. Form and page names follow the company's
industry, so agtech accounts show "Seeds" interest and software accounts "Cloud Analytics".
"""

from __future__ import annotations

import polars as pl

from buying_groups.sample_data.companies import TIER_COLD, TIER_HOT, TIER_WARM
from buying_groups.sample_data.dirt import DirtPlanter, DirtTally
from buying_groups.sample_data.formatting import iso_timestamp, to_marketo_text
from buying_groups.sample_data.hashing import Rng, pick, pick_in_group
from buying_groups.sample_data.plan import DAY, FIRST_ACTIVITY_GUID, ORPHAN_LEAD_BASE, Plan
from buying_groups.sample_data.profiles import CHAT_INTERACTION, LINKEDIN_LEAD_GEN_FORM
from buying_groups.sample_data.vocabulary import (
    EMAILS_BY_FOCUS,
    FORMS_BY_FOCUS,
    INTERESTING_MOMENTS,
    LEAD_SOURCES,
    LINKS,
    PAGES_BY_FOCUS,
    PROGRAM_STATUSES,
    USER_AGENTS,
)

# Mean activities per lead by tier (hot, warm, cold, silent): about 10 overall.
MEAN_ACTIVITIES_BY_TIER = (32.0, 11.0, 4.0, 0.2)
MAX_ACTIVITIES_PER_LEAD = 200
EMAIL_TYPES = (6, 7, 9, 10, 11)


def activity_counts(rng: Rng, lead_key: pl.Expr, tier: pl.Expr) -> pl.Expr:
    """How many activities a lead has in the full load: tier mean times a personal factor."""
    mean = pl.lit(pl.Series(MEAN_ACTIVITIES_BY_TIER)).gather(tier)
    spread = 2.0 * rng.uniform("activity-person", lead_key)
    count = (mean * spread + rng.uniform("activity-round", lead_key)).floor().cast(pl.Int64)
    return count.clip(0, MAX_ACTIVITIES_PER_LEAD)


def forced_population(plan: Plan) -> int:
    """Activity numbers surely present in the full load: where forced dirt may land."""
    return max(1, plan.leads * 3)


def history_offsets(rng: Rng, key: pl.Expr, tier: pl.Expr) -> pl.Expr:
    """Seconds before the drop instant, by tier: recent for hot, old for cold."""
    u = rng.uniform("activity-age", key)
    window, history = 30 * DAY, 60 * DAY
    return (
        pl.when(tier == TIER_HOT)
        .then(pl.when(rng.chance("hot-old", key, 0.1)).then(u * history).otherwise(u.pow(1.5) * window))
        .when(tier == TIER_WARM)
        .then(u * history)
        .when(tier == TIER_COLD)
        .then(window + DAY + u * (history - window - DAY))
        .otherwise(45 * DAY + u * 15 * DAY)
    ).cast(pl.Int64) + 1


def explode_activities(leads: pl.DataFrame, counts: pl.Expr, first_guid: int) -> pl.DataFrame:
    """One row per activity: ``leadId``, ``_tier``, ``_focus`` and a global ``seq``.

    ``seq`` numbers activities across the whole landing zone, so it is both the
    ``marketoGUID`` and the key every random draw of the activity hangs on.
    """
    exploded = (
        leads.select(
            pl.col("id").alias("leadId"),
            "_tier",
            "_focus",
            pl.int_ranges(0, counts).alias("_n"),
        )
        .explode("_n")
        .drop_nulls("_n")
        .drop("_n")
    )
    return exploded.with_row_index("seq", offset=first_guid).with_columns(pl.col("seq").cast(pl.Int64))


def activity_rows(
    plan: Plan, planter: DirtPlanter, events: pl.DataFrame, offsets: pl.Expr, as_of: int, tally: DirtTally
) -> pl.DataFrame:
    """Typed-to-text activity rows for exploded ``events``; ``offsets`` dates them."""
    rng = plan.rng
    key = pl.col("seq")
    forced_range = (forced_population(plan), 1, FIRST_ACTIVITY_GUID)
    # Per-mille weights of Marketo's standard activity types, by profile.
    type_weights = plan.profile.activity_type_weights
    types = list(type_weights)
    type_index = rng.weighted_index("activity-type", key, list(type_weights.values()))
    # Mostly the lead's own industry focus, sometimes another one (noise).
    focus = (
        pl.when(rng.chance("off-focus", key, 0.25))
        .then(rng.integer("any-focus", key, 0, 2))
        .otherwise(pl.col("_focus"))
        .cast(pl.UInt32)
    )
    frame = events.with_columns(
        activityTypeId=pl.lit(pl.Series(types, dtype=pl.Int64)).gather(type_index),
        _at=as_of - offsets,
        _page=pick_in_group(PAGES_BY_FOCUS, focus, rng.uniform("page", key)),
        _form=pick_in_group(FORMS_BY_FOCUS, focus, rng.uniform("form", key)),
        _email=pick_in_group(EMAILS_BY_FOCUS, focus, rng.uniform("email-name", key)),
        _ip=pl.concat_str(
            [
                pl.lit("10."),
                rng.integer("ip-b", key, 0, 255).cast(pl.String),
                pl.lit("."),
                rng.integer("ip-c", key, 0, 255).cast(pl.String),
                pl.lit("."),
                rng.integer("ip-d", key, 1, 254).cast(pl.String),
            ]
        ),
        _dirt_orphan_activity=planter.mask("orphan_activity", key, *forced_range),
        _dirt_bad_activity_date=planter.mask("bad_activity_date", key, *forced_range),
    )
    frame = _with_primary_attribute(frame, rng, key, plan.profile.short_attributes)
    frame = frame.with_columns(
        marketoGUID=key.cast(pl.String),
        leadId=pl.when(pl.col("_dirt_orphan_activity"))
        .then(ORPHAN_LEAD_BASE + key % 1_000_000)
        .otherwise(pl.col("leadId")),
        activityDate=pl.when(pl.col("_dirt_bad_activity_date"))
        .then(pl.lit("yesterday"))
        .otherwise(iso_timestamp(pl.col("_at"), plan.profile)),
        campaignId=pl.when(pl.col("activityTypeId").is_in(EMAIL_TYPES))
        .then(rng.integer("campaign", key, 1000, 1099))
        .when(rng.chance("campaign-known", key, 0.3))
        .then(rng.integer("campaign", key, 1000, 1099)),
    )
    tally.add_masks(frame)
    text = to_marketo_text(frame, "activities", rng, "marketoGUID", plan.profile)
    return _with_repeated_rows(text, planter, plan, tally)


def _with_primary_attribute(frame: pl.DataFrame, rng: Rng, key: pl.Expr, short: bool) -> pl.DataFrame:
    """``primaryAttributeValue(Id)`` and the JSON ``attributes`` that fit each type (``short``:
    one key, as a plainer export writes them)."""
    kind = pl.col("activityTypeId")
    value = (
        pl.when(kind == 1)
        .then(pl.col("_page"))
        .when(kind.is_in([2, LINKEDIN_LEAD_GEN_FORM]))
        .then(pl.col("_form"))
        .when(kind == CHAT_INTERACTION)
        .then(pl.concat_str([pl.lit("Chat: "), pl.col("_page")]))
        .when(kind == 3)
        .then(rng.pick("link", key, LINKS))
        .when(kind.is_in(EMAIL_TYPES))
        .then(pl.col("_email"))
        .when(kind == 12)
        .then(rng.pick("new-lead-source", key, list(LEAD_SOURCES)))
        .when(kind == 46)
        .then(rng.pick("moment", key, INTERESTING_MOMENTS))
        .otherwise(rng.pick("program-status", key, PROGRAM_STATUSES))
    )
    attributes = _short_attributes(rng, key) if short else _marketo_attributes(rng, key)
    return frame.with_columns(
        primaryAttributeValue=value,
        primaryAttributeValueId=kind * 1000 + rng.integer("value-id", key, 1, 40),
        attributes=pl.when(rng.chance("attributes-missing", key, 0.02)).then(None).otherwise(attributes),
    )


def _marketo_attributes(rng: Rng, key: pl.Expr) -> pl.Expr:
    """The attribute JSON Marketo exports per activity type (IP, page, agent, run and step)."""
    kind = pl.col("activityTypeId")
    ip_and_page = [
        pl.lit('{"Client IP Address":"'),
        pl.col("_ip"),
        pl.lit('","Webpage URL":"'),
        pl.col("_page"),
        pl.lit('"'),
    ]
    email_step = [
        pl.lit('{"Campaign Run ID":'),
        rng.integer("run", key, 1, 500).cast(pl.String),
        pl.lit(',"Step ID":'),
        rng.integer("step", key, 1, 9).cast(pl.String),
    ]
    return (
        pl.when(kind == 1)
        .then(
            pl.concat_str(
                [
                    *ip_and_page,
                    pl.lit(',"User Agent":"'),
                    pick(USER_AGENTS, rng.uniform("agent", key)),
                    pl.lit('","Query Parameters":null}'),
                ]
            )
        )
        .when(kind == 2)
        .then(pl.concat_str([*ip_and_page, pl.lit("}")]))
        .when(kind == LINKEDIN_LEAD_GEN_FORM)
        .then(pl.concat_str([pl.lit('{"Lead Gen Form":"'), pl.col("_form"), pl.lit('","Source":"LinkedIn"}')]))
        .when(kind == CHAT_INTERACTION)
        .then(pl.concat_str([pl.lit('{"Dialogue":"'), pl.col("_page"), pl.lit('","Channel":"Web chat"}')]))
        .when(kind == 3)
        .then(pl.concat_str([pl.lit('{"Webpage URL":"'), pl.col("_page"), pl.lit('"}')]))
        .when(kind == 11)
        .then(pl.concat_str([*email_step, pl.lit(',"Link":"'), rng.pick("email-link", key, LINKS), pl.lit('"}')]))
        .when(kind.is_in(EMAIL_TYPES))
        .then(pl.concat_str([*email_step, pl.lit("}")]))
        .when(kind == 12)
        .then(pl.lit('{"Source Type":"New lead"}'))
        .when(kind == 46)
        .then(pl.lit('{"Source":"Web"}'))
        .otherwise(pl.lit('{"Reason":"Changed by smart campaign","Success":true}'))
    )


def _short_attributes(rng: Rng, key: pl.Expr) -> pl.Expr:
    """One key per activity type, as a plainer export writes them."""
    kind = pl.col("activityTypeId")
    return (
        pl.when(kind.is_in([1, 2, 3]))
        .then(pl.concat_str([pl.lit('{"url":"'), pl.col("_page"), pl.lit('"}')]))
        .when(kind.is_in(EMAIL_TYPES))
        .then(pl.concat_str([pl.lit('{"run":'), rng.integer("run", key, 1, 500).cast(pl.String), pl.lit("}")]))
        .otherwise(pl.lit('{"ok":true}'))
    )


def _with_repeated_rows(text: pl.DataFrame, planter: DirtPlanter, plan: Plan, tally: DirtTally) -> pl.DataFrame:
    """Send a few activities twice (same ``marketoGUID``): appends must de-duplicate."""
    guid = pl.col("marketoGUID").cast(pl.Int64, strict=False).fill_null(0)
    forced_range = (forced_population(plan), 1, FIRST_ACTIVITY_GUID)
    repeats = text.filter(planter.mask("duplicate_activity", guid, *forced_range))
    tally.add("duplicate_activity", repeats.height)
    if not repeats.height:
        return text
    # Each repeat right after its original (stable sort): bytes independent of chunk size.
    ordered = pl.concat([text, repeats]).with_columns(_order=guid)
    return ordered.sort("_order", maintain_order=True).drop("_order")
