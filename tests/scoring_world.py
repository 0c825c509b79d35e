"""A tiny hand-built world for the scoring tests: rows in b2b.*, the published audiences and
the work.* inputs of the scoring step, in tables created by the project's own DDL.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from buying_groups.buying_groups import BuyingGroupScoringResult, score_buying_groups
from buying_groups.engagement import compute_person_engagement
from buying_groups.model.ddl import ensure_b2b_tables
from buying_groups.model.entities import entity_by_table
from buying_groups.model.marts import ensure_marts_tables
from buying_groups.sql_files import run_sql

# Values for the NOT NULL columns a test does not care about.
_DEFAULTS: dict[type[pl.DataType], Any] = {
    pl.String: "test",
    pl.Int64: 1,
    pl.Boolean: False,
    pl.Datetime: dt.datetime(2026, 1, 1),
}

MARTS = (
    "marts.person_engagement",
    "marts.person_engagement_contributions",
    "marts.buying_group_members",
    "marts.buying_group_roles",
    "marts.buying_groups",
    "marts.buying_group_history",
    "marts.buying_group_member_reasons",
)

# (role, weight, required, members_required) in template order
Role = tuple[str, float, bool, int]


def insert_b2b(con: duckdb.DuckDBPyConnection, table: str, **values: Any) -> None:
    """One row into b2b.<table>, filling NOT NULL columns the test left out."""
    spec = entity_by_table(table)
    row = {c.name: _DEFAULTS[c.polars_type] for c in spec.columns if not c.nullable}
    row.update(values)
    columns = ", ".join(f'"{name}"' for name in row)
    placeholders = ", ".join(f"${name}" for name in row)
    con.execute(f"INSERT INTO b2b.{table} ({columns}) VALUES ({placeholders})", row)


@dataclass
class World:
    con: duckdb.DuckDBPyConnection
    window_days: int = 30
    daily_cap: int = 20
    _roles: dict[str, list[Role]] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=itertools.count)
    _audiences: set[tuple[str, str]] = field(default_factory=set)

    def __post_init__(self) -> None:
        ensure_b2b_tables(self.con)
        ensure_marts_tables(self.con)
        for ddl in (
            "engagement/weights_table",
            "buying_groups/config_tables",
            "buying_groups/rule_matches_table",
            "buying_groups/interest_persons_table",
        ):
            run_sql(self.con, ddl)

    # --- b2b -------------------------------------------------------------------------------
    def account(self, key: str, name: str | None = None, *, deleted: bool = False, **values: Any) -> str:
        insert_b2b(
            self.con, "accounts", account_key=key, account_name=name or key.title(), is_deleted=deleted, **values
        )
        return key

    def update_account(self, key: str, **values: Any) -> None:
        assignments = ", ".join(f'"{name}" = ${name}' for name in values)
        self.con.execute(f"UPDATE b2b.accounts SET {assignments} WHERE account_key = $key", {**values, "key": key})

    def person(self, key: str, account: str, *, title: str | None = None, deleted: bool = False) -> str:
        insert_b2b(self.con, "persons", person_key=key, account_key=account, job_title=title, is_deleted=deleted)
        return key

    def update_person(self, key: str, **values: Any) -> None:
        assignments = ", ".join(f'"{name}" = ${name}' for name in values)
        self.con.execute(f"UPDATE b2b.persons SET {assignments} WHERE person_key = $key", {**values, "key": key})

    def events(self, person: str, when: dt.datetime, activity_type_id: int, count: int = 1) -> None:
        """``count`` events of one type at one moment (one statement, not a row loop)."""
        if count < 1:
            return
        self.con.execute(
            """
            INSERT INTO b2b.experience_events BY NAME
            SELECT $prefix || i AS event_id, $person AS person_key, $when AS "timestamp",
                   $type AS activity_type_id, 'Activity' AS event_type,
                   true AS has_known_person, 'test' AS source_drop, 'test' AS source_file,
                   1 AS source_line
            FROM range($count) AS r(i)
            """,
            {
                "prefix": f"e{next(self._ids)}-",
                "person": person,
                "when": when,
                "type": activity_type_id,
                "count": count,
            },
        )

    def opportunity(self, key: str, account: str, *, deleted: bool = False, name: str | None = None) -> str:
        insert_b2b(
            self.con,
            "opportunities",
            opportunity_key=key,
            account_key=account,
            is_deleted=deleted,
            opportunity_name=name,
        )
        return key

    def contact_role(self, opportunity: str, person: str, crm_role: str, *, deleted: bool = False) -> None:
        insert_b2b(
            self.con,
            "opportunity_persons",
            opportunity_person_key=f"op{next(self._ids)}",
            opportunity_key=opportunity,
            person_key=person,
            role=crm_role,
            is_deleted=deleted,
        )

    # --- work (config stage outputs) ---------------------------------------------------------
    def weights(self, weights: dict[int, float]) -> None:
        self.con.executemany("INSERT INTO work.engagement_weights VALUES (?, ?)", list(weights.items()))

    def audience(self, audience_id: str, *accounts: str) -> None:
        """These accounts are in the audience (published for each as_of the world is run on)."""
        self._audiences.update((audience_id, account) for account in accounts)

    def leave_audience(self, account: str) -> None:
        self._audiences = {(audience, key) for audience, key in self._audiences if key != account}

    def solution_interest(
        self,
        si: str,
        name: str,
        audience: str,
        roles: list[Role],
        *,
        min_completeness: float = 70,
        min_engagement: float = 30,
        require_interest: bool = False,
        crm_role_map: dict[str, str] | None = None,
    ) -> str:
        self.con.execute(
            "INSERT INTO work.solution_interests VALUES (?, ?, ?, ?, ?, ?, ?)",
            [si, name, f"template-{si}", audience, min_completeness, min_engagement, require_interest],
        )
        self.con.executemany(
            "INSERT INTO work.si_roles VALUES (?, ?, ?, ?, ?, ?)",
            [
                (si, role, order, weight, required, members)
                for order, (role, weight, required, members) in enumerate(roles)
            ],
        )
        for crm_role, role in (crm_role_map or {}).items():
            self.con.execute("INSERT INTO work.crm_role_map VALUES (?, ?, ?)", [si, crm_role, role])
        self._roles[si] = roles
        return si

    def rule(self, si: str, person: str, *roles: str) -> None:
        """The person matches the conditions of these roles (any order)."""
        order = {role[0]: index for index, role in enumerate(self._roles[si])}
        self.con.executemany(
            "INSERT INTO work.rule_matches VALUES (?, ?, ?, ?, NULL)",
            [(si, person, role, order[role]) for role in roles],
        )

    def drop_rule(self, si: str, person: str) -> None:
        self.con.execute(
            "DELETE FROM work.rule_matches WHERE solution_interest_id = ? AND person_key = ?", [si, person]
        )

    def interest(self, si: str, person: str) -> None:
        self.con.execute("INSERT INTO work.interest_persons VALUES (?, ?)", [si, person])

    def override(
        self, si: str, account: str, person: str, action: str, role: str | None = None, *, line: int | None = None
    ) -> None:
        self.con.execute(
            "INSERT INTO work.overrides VALUES (?, ?, ?, ?, ?, ?, ?)",
            [si, account, person, action, role, next(self._ids), line],
        )

    # --- running and reading -----------------------------------------------------------------
    def run(self, as_of: dt.date) -> BuyingGroupScoringResult:
        self.publish_audiences(as_of)
        compute_person_engagement(self.con, as_of, self.window_days, self.daily_cap)
        return score_buying_groups(self.con, as_of)

    def publish_audiences(self, as_of: dt.date) -> None:
        """What the audiences step publishes for ``as_of``."""
        self.con.execute("DELETE FROM marts.account_audience_members")
        if self._audiences:
            self.con.executemany(
                "INSERT INTO marts.account_audience_members VALUES (?, ?, ?)",
                [(audience, account, as_of) for audience, account in sorted(self._audiences)],
            )

    def rows(self, table: str, where: str = "true", **parameters: Any) -> list[dict[str, Any]]:
        relation = self.con.execute(f"SELECT * FROM {table} WHERE {where} ORDER BY ALL", parameters)
        columns = [column[0] for column in relation.description]
        return [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]

    def group(self, buying_group_id: str) -> dict[str, Any]:
        (row,) = self.rows("marts.buying_groups", "buying_group_id = $id", id=buying_group_id)
        return row

    def member(self, buying_group_id: str, person: str) -> dict[str, Any]:
        (row,) = self.rows(
            "marts.buying_group_members", "buying_group_id = $id AND person_key = $p", id=buying_group_id, p=person
        )
        return row

    def active_roles(self, buying_group_id: str) -> dict[str, tuple[str, str]]:
        """person -> (role, source) of the group's active members."""
        return {
            row["person_key"]: (row["role"], row["assignment_source"])
            for row in self.rows(
                "marts.buying_group_members", "buying_group_id = $id AND NOT is_removed", id=buying_group_id
            )
        }

    def roles(self, buying_group_id: str) -> dict[str, dict[str, Any]]:
        return {
            row["role"]: row
            for row in self.rows("marts.buying_group_roles", "buying_group_id = $id", id=buying_group_id)
        }

    def snapshot(self) -> dict[str, list[dict[str, Any]]]:
        """Full contents of every scoring mart, for idempotency checks."""
        return {table: self.rows(table) for table in MARTS}


# A small configuration for worlds scored by the real stage functions (score_all): one
# solution interest over the accounts whose industry is Agriculture.
SMALL_CONFIG: dict[str, str] = {
    "instance.yaml": 'munchkin_id: "123-ABC-456"\n',
    "account_audiences.yaml": """\
audiences:
  - id: agtech
    name: AgTech
    conditions: {field: industry, op: equals, value: Agriculture}
""",
    "roles_templates.yaml": """\
roles_templates:
  - id: committee
    name: Committee
    roles:
      - role: Decision Maker
        weight: Vital
        conditions: {field: job_title, op: matches, value: '\\b(CEO|CTO|CIO|VP)\\b'}
      - role: Influencer
        weight: Important
        members_required: 2
        conditions: {any: [{field: job_title, op: starts_with, value: [Director, Sr Director]}]}
      - role: Champion
        weight: Normal
        required: false
""",
    "solution_interests.yaml": """\
solution_interests:
  - id: seeds
    name: AI Seeds
    roles_template: committee
    account_audience: agtech
    qualification: {min_completeness: 70, min_engagement: 30}
    crm_role_map: {Economic Buyer: Decision Maker}
""",
    "engagement.yaml": "window_days: 30\ndaily_cap: 20\nweights: {1: 40, 2: 40, 10: 30}\n",
    "membership_overrides.csv": "solution_interest_id,account_key,person_key,action,role\n",
}


def write_config(directory: Path, **files: str) -> Path:
    """SMALL_CONFIG with some files replaced (keyword = file name with '_' for '.' and '-')."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in SMALL_CONFIG.items():
        key = name.replace(".", "_")
        (directory / name).write_text(files.get(key, text), encoding="utf-8")
    return directory
