"""The scoring stages of a run, in flow order, on one connection and without Dagster: what
``diff`` (and ``explain`` for a past day) runs on a scratch database."""

from __future__ import annotations

import datetime as dt

import duckdb

from buying_groups.audiences import build_audience_members
from buying_groups.buying_groups import (
    BuyingGroupScoringResult,
    build_interest,
    build_rule_matches,
    load_scoring_config,
    score_buying_groups,
)
from buying_groups.config import ProjectConfig
from buying_groups.engagement import compute_person_engagement, load_engagement_weights


def score_all(con: duckdb.DuckDBPyConnection, config: ProjectConfig, as_of: dt.date) -> BuyingGroupScoringResult:
    """Engagement, audiences and buying groups as of ``as_of`` under ``config``: the same
    functions, in the same order, as the assets of groups engagement, audiences and
    buying_groups."""
    load_engagement_weights(con, config)
    compute_person_engagement(con, as_of, config.engagement.window_days, config.engagement.daily_cap)
    build_audience_members(con, config, as_of)
    load_scoring_config(con, config)
    build_rule_matches(con, config, as_of)
    build_interest(con, config, as_of)
    return score_buying_groups(con, as_of)
