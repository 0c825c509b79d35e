"""The success KPIs on a small world whose every number is computed by hand below.

as_of 2026-11-20, period_days 10: the period is 2026-11-11..2026-11-20 (inclusive), the baseline
2026-11-01..2026-11-10. Landing files are real CSV drops ingested by the pipeline's loader; the
scoring marts the KPIs read (audience members, groups, members, history) are filled as inputs.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from buying_groups.config import load_config
from buying_groups.ingest import register_landing_files
from buying_groups.kpis import compute_kpis
from buying_groups.model import ENTITIES
from buying_groups.model.marts import ensure_marts_tables, mart
from buying_groups.validated import load_entity, match_ad_companies
from tests.conftest import MUNCHKIN, REPO, write_csv

AS_OF = dt.date(2026, 11, 20)
SEEDS, CLOUD = "ai-driven-seeds", "cloud-analytics"
KEY = f".mkto_org@{MUNCHKIN}.Marketo"


def acct(n: int) -> str:
    return f"{n}{KEY}"


def person(n: int) -> str:
    return f"{n}@{MUNCHKIN}.Marketo"


@pytest.fixture
def config(tmp_path: Path):
    target = tmp_path / "config"
    shutil.copytree(REPO / "config", target)
    (target / "kpis.yaml").write_text(
        "period_days: 10\nplatforms:\n"
        "  linkedin: {lead_sources: [LinkedIn, Paid Social]}\n"
        "  google_ads: {lead_sources: [Paid Search]}\n"
    )
    return load_config(target)


def write_world(landing: Path) -> None:
    drop = landing / "2026-11-21"
    T0 = "2026-01-01T00:00:00Z"
    write_csv(
        drop / "companies.csv",
        ["id", "company", "website", "linkedinCompanyPageUrl", "marketoIsDeleted", "createdAt", "updatedAt"],
        [
            [1, "Alpha Farms", "https://alpha.com", "https://www.linkedin.com/company/alpha-farms", "false", T0, T0],
            [2, "Beta Seeds GmbH", "https://beta.de", "", "false", T0, T0],
            [3, "Gamma Agro", "https://www.gamma.com/", "", "false", T0, T0],
            [4, "Delta Crops", "https://delta.com", "", "false", T0, T0],
            [5, "Epsilon", "https://eps.com", "", "false", T0, T0],
        ],
    )  # fmt: skip
    header = [
        "id",
        "email",
        "title",
        "contactCompany",
        "leadSource",
        "unsubscribed",
        "marketingSuspended",
        "emailInvalid",
        "marketoIsDeleted",
        "createdAt",
        "updatedAt",
    ]
    write_csv(
        drop / "leads.csv",
        header,
        [
            [1, "p1@alpha.com", "CEO", 1, "LinkedIn", "false", *["false"] * 2, "false", *["2026-11-11T00:00:00Z"] * 2],
            [2, "p2@beta.de", "CTO", 2, " paid social ", "true", *["false"] * 3, *["2026-11-20T23:00:00Z"] * 2],
            [3, "p3@gamma.com", "VP", 3, "LinkedIn", "false", *["false"] * 2, "false", *["2026-11-10T23:59:00Z"] * 2],
            [4, "p4@delta.com", "CIO", 4, "Website", "false", *["false"] * 2, "false", *["2026-11-15T00:00:00Z"] * 2],
            [5, "p5@eps.com", "CEO", 5, "Paid Search", "false", *["false"] * 2, "false", *["2026-11-21T00:00:00Z"] * 2],
            [6, "p6@gamma.com", "CEO", 3, "LinkedIn", "false", *["false"] * 2, "true", *["2026-11-15T00:00:00Z"] * 2],
        ],
    )  # fmt: skip
    write_csv(
        drop / "activities.csv",
        ["marketoGUID", "leadId", "activityDate", "activityTypeId"],
        [
            ["a1", 1, "2026-11-11T00:00:00Z", 1],  # A1 visits in the period (its first instant)
            ["a2", 1, "2026-11-01T00:00:00Z", 1],  # A1 visits in the baseline (its first instant)
            ["a3", 2, "2026-11-10T23:00:00Z", 1],  # A2 visits on the baseline's last day
            ["a4", 3, "2026-10-31T23:59:59Z", 1],  # just before the baseline: nothing
            ["a5", 6, "2026-11-12T00:00:00Z", 1],  # a deleted person: nothing
            ["a6", 4, "2026-11-20T23:59:00Z", 2],  # A4 fills a form: engaged, no visit
            ["a7", 5, "2026-11-15T00:00:00Z", 1],  # A5 is not a target account
            ["a8", 3, "2026-11-15T00:00:00Z", 6],  # Send Email: no engagement weight
            ["a9", 3, "2026-11-16T00:00:00Z", 10],  # A3 opens an email: engaged
            ["a10", 2, "2026-11-18T00:00:00Z", 3],  # A2 clicks a link: engaged
        ],
    )
    write_csv(
        drop / "opportunities.csv",
        ["id", "name", "mktoCdpAccountOrgId", "marketoIsDeleted", "createdAt", "updatedAt"],
        [
            [1, "Alpha deal", 1, "false", "2026-11-01T00:00:00Z", "2026-11-01T00:00:00Z"],
            [2, "Epsilon deal", 5, "false", "2026-11-01T00:00:00Z", "2026-11-01T00:00:00Z"],
            [3, "Beta deal", 2, "false", "2026-11-12T00:00:00Z", "2026-11-12T00:00:00Z"],
        ],
    )
    write_csv(
        drop / "opportunity_roles.csv",
        ["id", "mktoCdpOpptyId", "leadId", "role", "createdAt", "updatedAt"],
        [
            [1, 1, 1, "Champion", "2026-11-11T12:00:00Z", "2026-11-19T00:00:00Z"],  # 10.5 days
            [2, 1, 4, "Influencer", "", "2026-11-15T00:00:00Z"],  # no createdAt: first seen, 14 days
            [3, 3, 2, "Champion", "2026-11-13T00:00:00Z", "2026-11-13T00:00:00Z"],  # 1 day
            [4, 1, 3, "Champion", "2026-11-09T00:00:00Z", "2026-11-09T00:00:00Z"],  # before the period
            [5, 2, 5, "Champion", *["2026-11-15T00:00:00Z"] * 2],  # not a target account
        ],
    )
    write_csv(
        drop / "ad_company_reach.csv",
        ["date", "platform", "campaignId", "companyName", "companyWebsite", "linkedinCompanyPageUrl", "impressions"],
        [
            ["2026-11-11", "linkedin", "c1", "Alpha", "", "linkedin.com/company/alpha-farms/", 100],  # A1 by URL
            ["2026-11-10", "linkedin", "c1", "Gamma", "gamma.com", "", 50],  # A3 by domain, but baseline
            ["2026-11-20", "linkedin", "c1", "BETA SEEDS, INC.", "", "", 30],  # A2 by name
            ["2026-11-15", "linkedin", "c1", "Delta Crops", "", "", 0],  # A4, zero impressions
            ["2026-11-15", "linkedin", "c1", "Unknown Co", "", "", 999],  # unmatched
            ["2026-11-21", "linkedin", "c1", "Gamma Agro", "", "", 10],  # after as_of
            ["2026-11-15", "linkedin", "c1", "Epsilon", "eps.com", "", 20],  # A5, not a target
        ],
    )
    write_csv(
        drop / "ad_spend.csv",
        ["date", "platform", "campaignId", "spend", "currency"],
        [
            ["2026-11-11", "linkedin", "c1", "100", "EUR"],
            ["2026-11-20", "LinkedIn", "c2", "50", "eur"],
            ["2026-11-15", "linkedin", "c3", "30", "USD"],
            ["2026-11-10", "linkedin", "c1", "999", "EUR"],  # baseline day: not in the period
            ["2026-11-15", "google_ads", "g1", "80", "USD"],  # spend without a lead
        ],
    )


def insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, object]]) -> None:
    """Rows of a mart, typed and ordered by its model."""
    spec = mart(table)
    frame = pl.DataFrame(rows).select([c.name for c in spec.columns])
    con.register("mart_rows", frame)
    con.execute(f"INSERT INTO {spec.qualified_table} BY NAME SELECT * FROM mart_rows")
    con.unregister("mart_rows")


def group(n: int, completeness: float, stage: str, created: str) -> dict[str, object]:
    return {
        "buying_group_id": f"{SEEDS}:{acct(n)}", "name": f"g{n}", "solution_interest_id": SEEDS,
        "account_key": acct(n), "account_name": f"a{n}", "member_count": 1, "interested_members": 0,
        "completeness_score": completeness, "weighted_completeness_score": completeness, "engagement_score": 10.0,
        "missing_roles": [], "stage": stage, "qualified_at": None, "created_at": dt.date.fromisoformat(created),
        "as_of": AS_OF, "newly_qualified": False, "lifecycle_stage": None,
    }  # fmt: skip


def history(n: int, day: str, completeness: float) -> dict[str, object]:
    return {
        "buying_group_id": f"{SEEDS}:{acct(n)}", "as_of": dt.date.fromisoformat(day),
        "completeness_score": completeness, "engagement_score": 0.0, "stage": "incomplete",
    }  # fmt: skip


def member(n: int, p: int) -> dict[str, object]:
    return {
        "buying_group_id": f"{SEEDS}:{acct(n)}", "person_key": person(p), "role": "Champion",
        "assignment_source": "rule", "person_engagement_score": 0.0, "has_interest": False, "is_removed": False,
        "added_at": dt.date(2026, 11, 1), "removed_at": None,
    }  # fmt: skip


@pytest.fixture
def world(con: duckdb.DuckDBPyConnection, landing: Path) -> duckdb.DuckDBPyConnection:
    write_world(landing)
    register_landing_files(con, landing)
    for spec in ENTITIES:
        load_entity(con, spec, MUNCHKIN, 0.05)
    match_ad_companies(con)
    ensure_marts_tables(con)
    insert(
        con,
        "account_audience_members",
        [{"audience": "enterprise-agtech", "account_key": acct(n), "as_of": AS_OF} for n in (1, 2, 3, 4)],
    )
    insert(
        con,
        "buying_groups",
        [
            group(1, 100, "sales_ready", "2026-11-01"),  # in no LinkedIn file
            group(2, 100, "complete", "2026-10-20"),  # contacts file, but its only member is unsubscribed
            group(3, 100, "complete", "2026-11-10"),  # contacts file (a contactable member)
            group(4, 50, "incomplete", "2026-11-01"),  # companies file
        ],
    )
    insert(con, "buying_group_members", [member(2, 2), member(3, 3), member(4, 4)])
    insert(
        con,
        "buying_group_history",
        [
            history(1, "2026-11-05", 50), history(1, "2026-11-12", 100), history(1, "2026-11-20", 100),  # 11 days
            history(2, "2026-11-08", 100),  # complete in the baseline
            history(3, "2026-11-20", 100),  # 10 days
            history(4, "2026-11-20", 50),
            history(4, "2026-11-25", 100),  # after as_of
        ],
    )  # fmt: skip
    return con


def kpis(con: duckdb.DuckDBPyConnection, interest: str, as_of: dt.date = AS_OF) -> dict[str, tuple]:
    rows = con.execute(
        "SELECT kpi, value, numerator, denominator, period_start::VARCHAR, period_end::VARCHAR FROM marts.kpis "
        "WHERE as_of = $as_of AND solution_interest_id = $si",
        {"as_of": as_of, "si": interest},
    ).fetchall()
    return {row[0]: tuple(row[1:]) for row in rows}


PERIOD = ("2026-11-11", "2026-11-20")


def test_kpis_of_the_small_world(world, config):
    result = compute_kpis(world, config, AS_OF)
    assert kpis(world, SEEDS) == {
        "reached_accounts": (2.0, 2, 4, *PERIOD),  # A1 by URL, A2 by name; A3 baseline, A4 0 impressions
        "visit_rate": (25.0, 1, 4, *PERIOD),  # A1
        "baseline_visit_rate": (50.0, 2, 4, "2026-11-01", "2026-11-10"),  # A1, A2
        "awareness_lift": (-25.0, None, None, *PERIOD),
        "engaged_accounts": (4.0, 4, 4, *PERIOD),  # A1 visit, A2 click, A3 open, A4 form
        "engaged_targeted_share": (50.0, 2, 4, *PERIOD),  # A3 (contacts), A4 (companies)
        "days_to_add_contact": (10.5, None, 3, *PERIOD),  # median of 10.5, 14, 1
        "days_to_complete": (10.5, None, 2, *PERIOD),  # median of 11 (G1), 10 (G3)
    }
    # An interest whose audience is empty: counts 0, rates and medians empty.
    cloud = kpis(world, CLOUD)
    assert cloud["reached_accounts"][:3] == (0.0, 0, 0)
    assert cloud["visit_rate"][:3] == (None, 0, 0)
    assert cloud["engaged_targeted_share"][:3] == (None, 0, 0)
    assert cloud["days_to_complete"][:3] == (None, None, 0)

    costs = world.execute(
        "SELECT platform, currency, spend, new_leads, cost_per_lead, period_start::VARCHAR, period_end::VARCHAR "
        "FROM marts.kpi_cost_per_lead WHERE as_of = $as_of ORDER BY platform, currency",
        {"as_of": AS_OF},
    ).fetchall()
    assert costs == [
        ("google_ads", "USD", 80.0, 0, None, *PERIOD),  # spend, no lead
        ("linkedin", "EUR", 150.0, 2, 75.0, *PERIOD),  # P1 (LinkedIn), P2 (" paid social ")
        ("linkedin", "USD", 30.0, 2, 15.0, *PERIOD),  # never summed with EUR
    ]
    assert result.values()[f"{SEEDS}/visit_rate"] == 25.0
    assert result.values()["cost_per_lead/linkedin/EUR"] == 75.0
    assert "cost_per_lead/google_ads/USD" not in result.values()
    assert not result.journeys


def test_an_account_in_a_journey_counts_as_targeted(world, config):
    day = dt.date(2026, 11, 1)
    insert(
        world,
        "journey_state",
        [
            {"journey_id": "j", "account_key": acct(n), "buying_group_id": f"{SEEDS}:{acct(n)}", "entry_number": 1,
             "node_id": "n", "node_entered_on": day, "status": status, "entered_on": day,
             "left_on": None if status == "active" else day, "as_of": AS_OF}
            for n, status in ((1, "active"), (2, "exited"))
        ],
    )  # fmt: skip
    assert compute_kpis(world, config, AS_OF).journeys
    assert kpis(world, SEEDS)["engaged_targeted_share"][:3] == (75.0, 3, 4)


def test_rerunning_a_day_replaces_it_and_keeps_the_others(world, config, landing):
    compute_kpis(world, config, AS_OF)
    compute_kpis(world, config, AS_OF - dt.timedelta(days=1))
    # A correction of one spend row arrives; the day is re-run.
    write_csv(
        landing / "2026-11-22" / "ad_spend.csv",
        ["date", "platform", "campaignId", "spend", "currency"],
        [["2026-11-11", "linkedin", "c1", "250", "EUR"]],
    )
    register_landing_files(world, landing)
    load_entity(world, next(s for s in ENTITIES if s.entity == "ad_spend"), MUNCHKIN, 0.05)
    compute_kpis(world, config, AS_OF)
    counts = world.execute("SELECT as_of::VARCHAR, count(*) FROM marts.kpis GROUP BY ALL ORDER BY 1").fetchall()
    assert counts == [("2026-11-19", 16), ("2026-11-20", 16)]
    assert world.execute(
        "SELECT as_of::VARCHAR, spend, cost_per_lead FROM marts.kpi_cost_per_lead "
        "WHERE platform = 'linkedin' AND currency = 'EUR' ORDER BY 1"
    ).fetchall() == [("2026-11-19", 1099.0, 549.5), ("2026-11-20", 300.0, 150.0)]
    # 2026-11-19 (kept as computed): period 11-10..11-19, EUR 100 + 999 (11-10 is in, 11-20 is not),
    # leads P1 and P3 (created 11-10 23:59). 2026-11-20 re-run: EUR 250 + 50, leads P1 and P2.
