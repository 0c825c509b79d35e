"""Audience, role-match and interest tables built in a real DuckDB file from hand-written rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from buying_groups.audiences import build_audience_members
from buying_groups.buying_groups import build_interest, build_rule_matches, load_scoring_config
from buying_groups.config import ProjectConfig, load_config
from buying_groups.engagement import load_engagement_weights
from buying_groups.model import entity_by_table
from buying_groups.model.ddl import ensure_b2b_tables
from buying_groups.model.marts import ensure_marts_tables

AS_OF = dt.date(2024, 3, 31)
_FILLER = {
    "VARCHAR": "x",
    "BIGINT": 1,
    "DOUBLE": 0.0,
    "BOOLEAN": False,
    "TIMESTAMP": dt.datetime(2024, 1, 1),
    "DATE": dt.date(2024, 1, 1),
}


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    ensure_b2b_tables(connection)
    yield connection
    connection.close()


def insert(con: duckdb.DuckDBPyConnection, table: str, **values: Any) -> None:
    """One row; NOT NULL columns not given get a filler value."""
    columns = entity_by_table(table).columns
    row = {c.name: values.get(c.name, None if c.nullable else _FILLER[c.duckdb_type]) for c in columns}
    unknown = set(values) - set(row)
    assert not unknown, unknown
    con.execute(f"INSERT INTO b2b.{table} VALUES ({', '.join('?' * len(row))})", list(row.values()))


def account(con: duckdb.DuckDBPyConnection, key: str, **values: Any) -> None:
    insert(con, "accounts", account_key=key, **values)


def person(con: duckdb.DuckDBPyConnection, key: str, account_key: str, title: str | None, **values: Any) -> None:
    insert(con, "persons", person_key=key, account_key=account_key, job_title=title, **values)


def event(
    con: duckdb.DuckDBPyConnection,
    key: str,
    person_key: str,
    at: dt.datetime,
    activity_type_id: int = 2,
    value: str | None = None,
) -> None:
    insert(
        con,
        "experience_events",
        event_id=key,
        person_key=person_key,
        timestamp=at,
        activity_type_id=activity_type_id,
        primary_attribute_value=value,
    )


def make_config(
    audiences: list[dict[str, Any]],
    templates: list[dict[str, Any]] | None = None,
    interests: list[dict[str, Any]] | None = None,
    engagement: dict[str, Any] | None = None,
) -> ProjectConfig:
    templates = templates or [{"id": "t", "name": "T", "roles": [{"role": "Other", "weight": "Trivial"}]}]
    return ProjectConfig.model_validate(
        {
            "instance": {"munchkin_id": "123-ABC-456"},
            "account_audiences": {"audiences": audiences},
            "roles_templates": {"roles_templates": templates},
            "solution_interests": {"solution_interests": interests or []},
            "engagement": engagement or {},
        }
    )


def members(con: duckdb.DuckDBPyConnection, audience_id: str) -> list[str]:
    rows = con.execute(
        "SELECT account_key FROM marts.account_audience_members WHERE audience = ? ORDER BY account_key", [audience_id]
    ).fetchall()
    return [r[0] for r in rows]


@pytest.fixture
def accounts_and_people(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    account(con, "A1", industry="Agriculture", employee_count=1000)
    account(con, "A2", industry=" biotechnology ", employee_count=600)
    account(con, "A3", industry="Agriculture", employee_count=1000, is_deleted=True)
    account(con, "A4", industry="Software", employee_count=100)
    person(con, "P1", "A1", "CEO")
    person(con, "P2", "A1", "Director of Sales")
    person(con, "P3", "A1", "Sales Manager", is_deleted=True)
    person(con, "P4", "A1", None)
    person(con, "P5", "A2", "CTO")
    person(con, "P6", "A2", "   ")
    person(con, "P7", "A3", "VP Engineering")
    person(con, "P8", "A4", "Engineer")
    return con


def test_account_fields_and_has_people(accounts_and_people: duckdb.DuckDBPyConnection) -> None:
    con = accounts_and_people
    config = make_config(
        [
            {
                "id": "agtech",
                "name": "AgTech",
                "conditions": {
                    "all": [
                        {"field": "industry", "op": "in", "value": ["Agriculture", "Biotechnology"]},
                        {"field": "employee_count", "op": "gte", "value": 500},
                    ]
                },
            },
            {
                "id": "two-titled",
                "name": "Two titled people",
                "conditions": {"has_people": {"where": {"field": "job_title", "op": "is_not_empty"}, "min_count": 2}},
            },
            {
                "id": "has-ceo",
                "name": "Has a CEO",
                "conditions": {
                    "has_people": {"where": {"field": "job_title", "op": "matches", "value": r"\b(CEO|VP)\b"}}
                },
            },
            {"id": "anyone", "name": "Every current account"},
            {
                "id": "no-one",
                "name": "Not software",
                "conditions": {"not": {"field": "industry", "op": "equals", "value": "software"}},
            },
        ]
    )
    assert build_audience_members(con, config, AS_OF) == 9
    # A3 is deleted, so never in an audience, whatever its fields.
    assert members(con, "agtech") == ["A1", "A2"]
    # Deleted P3 and empty titles (NULL, whitespace-only) are not counted: A1 has P1, P2.
    assert members(con, "two-titled") == ["A1"]
    # P7 (a VP) belongs to deleted A3.
    assert members(con, "has-ceo") == ["A1"]
    assert members(con, "anyone") == ["A1", "A2", "A4"]
    assert members(con, "no-one") == ["A1", "A2"]
    # Rebuilding replaces the table (idempotent).
    assert build_audience_members(con, config, AS_OF) == 9


def test_has_opportunity(accounts_and_people: duckdb.DuckDBPyConnection) -> None:
    con = accounts_and_people
    insert(con, "opportunities", opportunity_key="O1", account_key="A1", stage="Closed Won", amount=5000.0)
    insert(con, "opportunities", opportunity_key="O2", account_key="A2", stage="Closed Won", is_deleted=True)
    insert(con, "opportunities", opportunity_key="O3", account_key="A4", stage="Prospecting")
    config = make_config(
        [
            {
                "id": "won",
                "name": "Won",
                "conditions": {"has_opportunity": {"where": {"field": "stage", "op": "equals", "value": "closed won"}}},
            },
            {"id": "any-opportunity", "name": "Any", "conditions": {"has_opportunity": {}}},
            {"id": "two", "name": "Two", "conditions": {"has_opportunity": {"min_count": 2}}},
        ]
    )
    build_audience_members(con, config, AS_OF)
    assert members(con, "won") == ["A1"]
    assert members(con, "any-opportunity") == ["A1", "A4"]
    assert members(con, "two") == []


@pytest.mark.parametrize(
    ("at", "inside"),
    [
        (dt.datetime(2024, 3, 21, 0, 0), False),  # date = as_of - 10: outside
        (dt.datetime(2024, 3, 21, 23, 59, 59), False),
        (dt.datetime(2024, 3, 22, 0, 0), True),  # the day after: inside
        (dt.datetime(2024, 3, 31, 23, 59, 59), True),  # as_of itself, any time: inside
        (dt.datetime(2024, 4, 1, 0, 0), False),  # after as_of: outside
    ],
)
def test_has_activity_window_edges(
    accounts_and_people: duckdb.DuckDBPyConnection, at: dt.datetime, inside: bool
) -> None:
    con = accounts_and_people
    event(con, "E1", "P8", at, activity_type_id=2)
    config = make_config(
        [
            {
                "id": "active",
                "name": "Active",
                "conditions": {"has_activity": {"activity_types": [1, 2], "within_days": 10}},
            }
        ]
    )
    build_audience_members(con, config, AS_OF)
    assert members(con, "active") == (["A4"] if inside else [])


def test_has_activity_types_where_count_and_default_window(accounts_and_people: duckdb.DuckDBPyConnection) -> None:
    con = accounts_and_people
    event(con, "E1", "P1", dt.datetime(2024, 3, 30), 2, "Seeds webinar")
    event(con, "E2", "P2", dt.datetime(2024, 3, 1, 12), 2, "seeds pricing")  # in 31-day window
    event(con, "E3", "P3", dt.datetime(2024, 3, 30), 2, "Seeds")  # deleted person
    event(con, "E4", "P5", dt.datetime(2024, 3, 30), 6, "Seeds")  # another type
    event(con, "E5", "P5", dt.datetime(2024, 3, 30), 2, "Corn")
    config = make_config(
        [
            {
                "id": "seeds-2",
                "name": "x",
                "conditions": {
                    "has_activity": {
                        "activity_types": [2],
                        "min_count": 2,
                        "where": {"field": "primary_attribute_value", "op": "contains", "value": "seeds"},
                    }
                },
            },
            {"id": "any-form", "name": "x", "conditions": {"has_activity": {"activity_types": [2]}}},
        ],
        engagement={"window_days": 31},
    )
    build_audience_members(con, config, AS_OF)
    assert members(con, "seeds-2") == ["A1"]
    assert members(con, "any-form") == ["A1", "A2"]
    # With the default 30-day window E2 (2024-03-01 = as_of - 30) falls out.
    build_audience_members(
        con,
        make_config(
            [{"id": "seeds-2", "name": "x", "conditions": {"has_activity": {"activity_types": [2], "min_count": 2}}}]
        ),
        AS_OF,
    )
    assert members(con, "seeds-2") == []


ROLES_TEMPLATE = {
    "id": "committee",
    "name": "Committee",
    "roles": [
        {
            "role": "Decision Maker",
            "weight": "Vital",
            "conditions": {"field": "job_title", "op": "matches", "value": r"\b(CEO|CTO|VP)\b"},
        },
        {
            "role": "Influencer",
            "weight": "Important",
            "conditions": {"field": "job_title", "op": "starts_with", "value": ["Director", "VP"]},
        },
        {
            "role": "Engaged",
            "weight": "Minor",
            "required": False,
            "conditions": {"field": "person_engagement_score", "op": "gte", "value": 50},
        },
        {"role": "Other", "weight": "Trivial", "required": False},
    ],
}


def test_rule_matches_restricted_to_audience_and_current_persons(
    accounts_and_people: duckdb.DuckDBPyConnection,
) -> None:
    con = accounts_and_people
    person(con, "P9", "A1", "VP Marketing")
    ensure_marts_tables(con)
    con.execute(
        "INSERT INTO marts.person_engagement VALUES ('P2', 10, 80, ?), ('P1', 10, 90, ?), ('P5', 10, 99, ?)",
        [AS_OF, AS_OF - dt.timedelta(days=1), AS_OF],
    )
    config = make_config(
        [
            {
                "id": "agtech",
                "name": "AgTech",
                "conditions": {"field": "industry", "op": "equals", "value": "agriculture"},
            },
            {
                "id": "software",
                "name": "Software",
                "conditions": {"field": "industry", "op": "equals", "value": "software"},
            },
        ],
        templates=[ROLES_TEMPLATE],
        interests=[
            {"id": "seeds", "name": "Seeds", "roles_template": "committee", "account_audience": "agtech"},
            {"id": "cloud", "name": "Cloud", "roles_template": "committee", "account_audience": "software"},
        ],
    )
    build_audience_members(con, config, AS_OF)
    assert build_rule_matches(con, config, AS_OF) == 5
    rows = con.execute(
        "SELECT solution_interest_id, person_key, role, role_order FROM work.rule_matches ORDER BY ALL"
    ).fetchall()
    # A2 (P5) is not in either audience; P3 is deleted; P1's engagement row is for another
    # as_of (so 0); P8 (A4) matches no condition. A person may match several roles.
    assert rows == [
        ("seeds", "P1", "Decision Maker", 0),
        ("seeds", "P2", "Engaged", 2),
        ("seeds", "P2", "Influencer", 1),
        ("seeds", "P9", "Decision Maker", 0),
        ("seeds", "P9", "Influencer", 1),
    ]


def test_interest_persons(accounts_and_people: duckdb.DuckDBPyConnection) -> None:
    con = accounts_and_people
    event(con, "E1", "P1", dt.datetime(2024, 3, 30), 2, "AI Seeds form")
    event(con, "E2", "P1", dt.datetime(2024, 3, 29), 2, "Seeds again")  # same person: once
    event(con, "E3", "P2", dt.datetime(2024, 3, 1), 2, "Seeds")  # = as_of - 30: outside
    event(con, "E4", "P4", dt.datetime(2024, 3, 30), 1, "Seeds page")  # wrong type
    event(con, "E5", "P5", dt.datetime(2024, 2, 20), 1, "cloud page")  # own 60-day window
    event(con, "E6", "P6", dt.datetime(2024, 4, 1), 2, "Seeds")  # after as_of
    config = make_config(
        [{"id": "all", "name": "All"}],
        templates=[ROLES_TEMPLATE],
        interests=[
            {
                "id": "seeds",
                "name": "Seeds",
                "roles_template": "committee",
                "account_audience": "all",
                "interest_signals": [
                    {
                        "activity_types": [2],
                        "where": {"field": "primary_attribute_value", "op": "contains", "value": "seeds"},
                    }
                ],
            },
            {
                "id": "cloud",
                "name": "Cloud",
                "roles_template": "committee",
                "account_audience": "all",
                "interest_signals": [
                    {
                        "activity_types": [2],
                        "where": {"field": "primary_attribute_value", "op": "contains", "value": "nothing"},
                    },
                    {
                        "activity_types": [1],
                        "within_days": 60,
                        "where": {"field": "primary_attribute_value", "op": "starts_with", "value": "CLOUD"},
                    },
                ],
            },
        ],
    )
    assert build_interest(con, config, AS_OF) == 2
    rows = con.execute("SELECT * FROM work.interest_persons ORDER BY ALL").fetchall()
    assert rows == [("cloud", "P5"), ("seeds", "P1")]


def test_config_tables_from_example_config(con: duckdb.DuckDBPyConnection) -> None:
    config = load_config(Path(__file__).resolve().parents[1] / "config")
    counts = load_scoring_config(con, config)
    assert counts == {
        "work.solution_interests": 2,
        "work.si_roles": 7,
        "work.crm_role_map": 5,
        "work.overrides": 0,
        "work.role_rules": 6,
    }
    assert load_engagement_weights(con, config) == 6
    assert con.execute("SELECT * FROM work.solution_interests ORDER BY 1").fetchall() == [
        ("ai-driven-seeds", "AI Driven Seeds", "core-committee", "enterprise-agtech", 70.0, 30.0, False),
        ("cloud-analytics", "Cloud Analytics Platform", "it-evaluation", "midmarket-software", 100.0, 20.0, False),
    ]
    assert con.execute(
        "SELECT role, role_order, weight, required, members_required "
        "FROM work.si_roles WHERE solution_interest_id = 'ai-driven-seeds' "
        "ORDER BY role_order"
    ).fetchall() == [
        ("Decision Maker", 0, 100.0, True, 1),
        ("Influencer", 1, 80.0, True, 2),
        ("Champion", 2, 60.0, True, 1),
        ("Other", 3, 20.0, False, 1),
    ]
    assert con.execute("SELECT * FROM work.engagement_weights ORDER BY 1").fetchall()[-1] == (46, 60.0)
    # The example config runs end to end over empty tables.
    assert build_audience_members(con, config, AS_OF) == 0
    assert build_rule_matches(con, config, AS_OF) == 0
    assert build_interest(con, config, AS_OF) == 0


def test_overrides_table(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    example = Path(__file__).resolve().parents[1] / "config"
    for path in example.iterdir():
        (config_dir / path.name).write_text(path.read_text())
    (config_dir / "membership_overrides.csv").write_text(
        "solution_interest_id,account_key,person_key,action,role\n"
        "ai-driven-seeds,A1,P1,add,Champion\n"
        "ai-driven-seeds,A1,P1,remove,\n"
    )
    load_scoring_config(con, load_config(config_dir))
    assert con.execute("SELECT * FROM work.overrides ORDER BY override_order").fetchall() == [
        ("ai-driven-seeds", "A1", "P1", "add", "Champion", 0, 2),
        ("ai-driven-seeds", "A1", "P1", "remove", None, 1, 3),
    ]
