"""What the UI and the terminal show about a run: Markdown tables whose cells stay data,
distributions in score order with every band, and the CLI's end-of-run summary."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from buying_groups.assets.metadata import code_span, markdown_table
from buying_groups.buying_groups import completeness_bands
from buying_groups.console.summary import summary_lines
from buying_groups.engagement import score_bands
from buying_groups.model.marts import ensure_marts_tables


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("12@123-ABC-456.Marketo", "`12@123-ABC-456.Marketo`"),  # not a mailto: link
        ("<lead id>", "`<lead id>`"),  # not an HTML tag
        ("a`b", "``a`b``"),
        ("`x", "`` `x ``"),
    ],
)
def test_code_span_shows_any_text_as_is(text, span):
    assert code_span(text) == span


def test_markdown_table_cells_are_code_spans_and_pipes_are_escaped():
    table = markdown_table(
        ["key", "n", "score", "note"], [("7@123-ABC-456.Marketo", 3, 12.25, "a|b"), (None, True, 0.0, "")]
    )
    assert table.splitlines() == [
        "| key | n | score | note |",
        "|---|---|---|---|",
        "| `7@123-ABC-456.Marketo` | 3 | 12.2 | `a\\|b` |",
        "|  | True | 0.0 |  |",
    ]


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    ensure_marts_tables(connection)
    return connection


def test_engagement_bands_in_score_order_with_empty_bands(con):
    as_of = dt.date(2026, 11, 20)
    con.executemany(
        "INSERT INTO marts.person_engagement VALUES (?, ?, ?, ?)",
        [("P1", 0.0, 0.0, as_of), ("P2", 5.0, 10.0, as_of), ("P3", 90.0, 100.0, as_of), ("P4", 80.0, 99.5, as_of)],
    )
    assert score_bands(con) == [("0", 1), ("1-24", 1), ("25-49", 0), ("50-74", 0), ("75-100", 2)]


def test_completeness_bands_in_score_order_with_empty_bands(con):
    con.execute(
        """
        INSERT INTO marts.buying_groups (buying_group_id, name, solution_interest_id, account_key, member_count,
            interested_members, completeness_score, weighted_completeness_score, engagement_score, missing_roles,
            stage, created_at, as_of, newly_qualified)
        SELECT 'g' || i, 'n', 's', 'a' || i, 1, 0, score, score, 0, [], 'incomplete', DATE '2026-11-20',
               DATE '2026-11-20', false
        FROM (VALUES (1, 100.0), (2, 35.31676716570314), (3, 100.0)) AS t(i, score)
        """
    )
    assert completeness_bands(con) == [("0-39", 1), ("40-69", 0), ("70-99", 0), ("100", 2)]


def test_summary_says_what_was_produced_where_and_warns_about_emptied_files():
    by_asset = {
        "landing/drops": {"new_files": 3, "new_drops": 1},
        "b2b/persons": {"dagster/row_count": 1200, "rows_read": 1210, "rows_quarantined": 4},
        "b2b/accounts": {"dagster/row_count": 120, "rows_read": 120, "rows_quarantined": 0},
        "marts/buying_groups": {
            "groups": 10,
            "groups_sales_ready": 2,
            "groups_complete": 3,
            "groups_incomplete": 5,
            "newly_qualified": 1,
            "members_active": 31,
        },
        "activation/linkedin_audiences": {
            "manifest": "/out/linkedin/manifest.json",
            "files_written": 4,
            "dagster/row_count": 95,
            "lists_below_linkedin_minimum": 4,
            "emptied_files": 1,
        },
        "marts/sales_handoff": {"csv": "/out/sales_handoff.csv", "dagster/row_count": 0, "emptied_files": 1},
        "marts/kpis": {"seeds/engaged_accounts": 12.0, "seeds/awareness_lift": 3.14, "seeds/visit_rate": 40.0},
        "kpis/report": {"path": "/out/report/index.html"},
    }
    assert summary_lines(by_asset, warehouse="/wh.duckdb") == [
        "  ingested        3 new files from 1 drops: 1,330 rows read, 4 quarantined (see b2b.rejected_rows)",
        "  warehouse       /wh.duckdb: 120 accounts, 1,200 persons",
        "  buying groups   10 groups: 2 sales_ready, 3 complete, 5 incomplete (1 newly qualified); 31 active members",
        "  LinkedIn        /out/linkedin: 4 files, 95 rows (4 lists under LinkedIn's minimum audience size)",
        "  sales hand-off  /out/sales_handoff.csv: 0 rows",
        "  KPIs            seeds: 12 engaged accounts, awareness lift +3.1 pts; report /out/report/index.html",
        "  WARNING         2 published file(s) that had rows are now empty (see the warnings above)",
    ]
