"""Ad data landing entities: ad_spend and ad_company_reach ingested, quarantined and replaced by
key; reached companies matched to accounts; opportunity_roles.createdAt; config/kpis.yaml."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from buying_groups.config import ConfigError, load_config
from buying_groups.ingest import register_landing_files
from buying_groups.model import ENTITIES
from buying_groups.model.schemas import AdCompanyMatches
from buying_groups.validated import load_entity, match_ad_companies
from tests.conftest import COMPANY_HEADER, MUNCHKIN, REPO, company, write_csv

SPEND_HEADER = ["date", "platform", "campaignId", "campaignName", "spend", "currency", "impressions", "clicks"]
REACH_HEADER = [
    "date",
    "platform",
    "campaignId",
    "companyName",
    "companyWebsite",
    "linkedinCompanyPageUrl",
    "impressions",
    "clicks",
]
COMPANY_WITH_PAGE_HEADER = [*COMPANY_HEADER, "linkedinCompanyPageUrl"]


def ingest(con: duckdb.DuckDBPyConnection, landing: Path) -> dict[str, object]:
    register_landing_files(con, landing)
    return {spec.entity: load_entity(con, spec, MUNCHKIN, 0.9) for spec in ENTITIES}


def test_ad_spend_is_replaced_by_key_and_bad_rows_are_quarantined(con, landing):
    write_csv(
        landing / "2026-11-01" / "ad_spend.csv",
        SPEND_HEADER,
        [
            ["2026-11-01", "LinkedIn", "c1", "Seeds", "100.5", "EUR", "1000", "10"],
            ["2026-11-01", "linkedin", "c2", "Seeds", "20", "USD", "", ""],
            ["2026-11-01", "linkedin", "", "no campaign", "20", "USD", "1", "1"],
            ["2026-11-01", "linkedin", "c3", "negative", "-5", "USD", "1", "1"],
            ["not a date", "linkedin", "c4", "bad date", "5", "USD", "1", "1"],
        ],
    )
    # A later drop corrects c1 (platform written differently: the key is case-insensitive).
    write_csv(
        landing / "2026-11-02" / "ad_spend.csv",
        SPEND_HEADER,
        [["2026-11-01", "linkedin", "c1", "Seeds", "110", "EUR", "1100", "11"]],
    )
    result = ingest(con, landing)["ad_spend"]
    assert (result.rows_read, result.rows_quarantined) == (6, 3)
    rows = con.execute(
        "SELECT ad_spend_key, spend, currency, impressions, source_drop FROM b2b.ad_spend ORDER BY 1"
    ).fetchall()
    assert rows == [
        ("2026-11-01|linkedin|c1", 110.0, "EUR", 1100, "2026-11-02"),
        ("2026-11-01|linkedin|c2", 20.0, "USD", None, "2026-11-01"),
    ]
    rejects = con.execute(
        'SELECT line_number, "column", "check" FROM b2b.rejected_rows WHERE entity = \'ad_spend\' ORDER BY 1'
    ).fetchall()
    assert rejects == [
        (4, "campaignId", "not_null"),
        (5, "spend", "check: >= 0"),
        (6, "date", "type: not a valid DATE"),
    ]


def test_a_late_old_drop_does_not_undo_a_newer_report(con, landing):
    row = ["2026-11-01", "linkedin", "c1", "Seeds", "{}", "EUR", "1", "1"]
    write_csv(landing / "2026-11-05" / "ad_spend.csv", SPEND_HEADER, [[*row[:4], "50", *row[5:]]])
    ingest(con, landing)
    write_csv(landing / "2026-11-03" / "ad_spend.csv", SPEND_HEADER, [[*row[:4], "30", *row[5:]]])
    ingest(con, landing)
    assert con.execute("SELECT spend FROM b2b.ad_spend").fetchall() == [(50.0,)]


def test_contact_role_created_at_is_read_and_first_seen_is_kept(con, landing):
    header = ["id", "mktoCdpOpptyId", "leadId", "role", "createdAt", "updatedAt"]
    write_csv(
        landing / "2026-11-01" / "opportunity_roles.csv",
        header,
        [["1", "10", "100", "Champion", "2026-10-05T00:00:00Z", "2026-10-10T00:00:00Z"]],
    )
    write_csv(
        landing / "2026-11-01" / "opportunity_roles-b.csv",
        header,
        [["2", "10", "101", "Champion", "", "2026-10-12T00:00:00Z"]],
    )
    write_csv(
        landing / "2026-11-02" / "opportunity_roles.csv",
        header,
        [["2", "10", "101", "Economic Buyer", "", "2026-10-20T00:00:00Z"]],
    )
    ingest(con, landing)  # both drops in one batch
    write_csv(
        landing / "2026-11-03" / "opportunity_roles.csv",
        header,
        [["2", "10", "101", "Economic Buyer", "", "2026-10-25T00:00:00Z"]],
    )
    ingest(con, landing)  # and a later batch
    rows = con.execute(
        "SELECT opportunity_person_key, role, created_at::VARCHAR, updated_at::DATE::VARCHAR, "
        "first_seen_at::DATE::VARCHAR FROM b2b.opportunity_persons ORDER BY 1"
    ).fetchall()
    assert rows == [
        (f"1@{MUNCHKIN}.Marketo", "Champion", "2026-10-05 00:00:00", "2026-10-10", "2026-10-10"),
        (f"2@{MUNCHKIN}.Marketo", "Economic Buyer", None, "2026-10-25", "2026-10-12"),
    ]


def test_reached_companies_match_by_page_url_then_domain_then_name(con, landing):
    def account(id_: int, name: str, website: str, page: str = "", deleted: str = "false") -> list[object]:
        return [*company(id_, name, website=website, deleted=deleted), page]

    write_csv(
        landing / "2026-11-01" / "companies.csv",
        COMPANY_WITH_PAGE_HEADER,
        [
            account(1, "Paged Corp", "https://paged.example", "https://www.linkedin.com/company/paged-corp/"),
            account(2, "Domain Farms", "http://www.domainfarms.com/about"),
            account(3, "Seed-Tech GmbH", "https://seedtech.de"),
            account(4, "Twin A", "https://twins.com"),
            account(5, "Twin B", "https://twins.com"),
            account(6, "Gone Ltd", "https://gone.com", deleted="true"),
        ],
    )
    reach = [
        # URL without scheme, www or trailing slash, different case: matches account 1.
        ["2026-11-01", "linkedin", "c1", "Paged", "", "linkedin.com/company/Paged-Corp", "10", "1"],
        # Same account, page URL with www and trailing slash; its website would match 2.
        [
            "2026-11-02",
            "linkedin",
            "c1",
            "Paged Again",
            "https://domainfarms.com",
            "https://www.linkedin.com/company/paged-corp/",
            "5",
            "0",
        ],
        ["2026-11-01", "linkedin", "c1", "DF", "domainfarms.com", "", "7", "0"],
        ["2026-11-01", "linkedin", "c1", "SEED TECH, INC.", "", "", "3", "0"],
        ["2026-11-01", "linkedin", "c1", "Twins", "https://www.twins.com", "", "2", "0"],
        ["2026-11-01", "linkedin", "c1", "Gone Ltd", "", "", "4", "0"],
        ["2026-11-01", "linkedin", "c1", "Nobody Inc", "https://nobody.example", "", "0", "0"],
    ]
    write_csv(landing / "2026-11-02" / "ad_company_reach.csv", REACH_HEADER, reach)
    ingest(con, landing)
    summary = match_ad_companies(con)
    matches = con.execute(
        "SELECT company_name, account_key, matched_by, candidate_accounts FROM b2b.ad_company_matches ORDER BY 1"
    ).fetchall()
    key = f".mkto_org@{MUNCHKIN}.Marketo"
    assert matches == [
        ("DF", f"2{key}", "domain", 1),
        ("Gone Ltd", None, None, 0),  # a deleted account is not a match
        ("Nobody Inc", None, None, 0),
        ("Paged", f"1{key}", "linkedin_page_url", 1),
        ("Paged Again", f"1{key}", "linkedin_page_url", 1),
        ("SEED TECH, INC.", f"3{key}", "name", 1),
        ("Twins", f"4{key}", "domain", 2),
    ]
    assert summary.as_metadata() == {
        "reached_companies": 7,
        "matched_by_linkedin_page_url": 2,
        "matched_by_domain": 2,
        "matched_by_name": 1,
        "unmatched_companies": 2,
        "ambiguous_matches": 1,
    }
    assert summary.unmatched_examples == [("linkedin", "Gone Ltd", 4), ("linkedin", "Nobody Inc", 0)]
    frame = pl.from_arrow(con.execute("SELECT * FROM b2b.ad_company_matches").fetch_arrow_table())
    AdCompanyMatches.validate(frame)

    # Orphan-free: the unmatched company matches once its account arrives.
    write_csv(
        landing / "2026-11-03" / "companies.csv", COMPANY_WITH_PAGE_HEADER, [account(7, "Nobody", "nobody.example")]
    )
    ingest(con, landing)
    assert match_ad_companies(con).unmatched == 1
    assert con.execute(
        "SELECT account_key, matched_by FROM b2b.ad_company_matches WHERE company_name = 'Nobody Inc'"
    ).fetchall() == [(f"7{key}", "domain")]


def test_kpis_config_defaults_when_absent(config_dir: Path) -> None:
    (config_dir / "kpis.yaml").unlink()
    kpis = load_config(config_dir).kpis
    assert (kpis.period_days, kpis.platforms) == (30, {})


def test_shipped_kpis_config_loads() -> None:
    kpis = load_config(REPO / "config").kpis
    assert kpis.period_days == 30
    assert "Paid Search" in kpis.platforms["google_ads"].lead_sources


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("period_days: 0\n", "kpis.yaml: period_days: 0 is not allowed"),
        ("platforms:\n  LinkedIn: {lead_sources: [x]}\n", "platforms.LinkedIn (key): 'LinkedIn' is not allowed"),
        (
            "platforms:\n  linkedin: {sources: [x]}\n",
            "platforms.linkedin.sources: unknown field 'sources'; allowed: lead_sources",
        ),
        (
            "platforms:\n  linkedin: {lead_sources: [Paid]}\n  google_ads: {lead_sources: [paid]}\n",
            "platforms.google_ads.lead_sources[0]: 'paid' is not allowed; already a lead source of platform 'linkedin'",
        ),
    ],
)
def test_bad_kpis_config_names_file_path_and_value(config_dir: Path, text: str, message: str) -> None:
    (config_dir / "kpis.yaml").write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(config_dir)
    assert message in str(info.value)
