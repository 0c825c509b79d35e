"""A hand-built warehouse for the activation tests: hand-written rows in tables created by the
project's own DDL, and small readers of the files activation writes."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from buying_groups.model.ddl import ensure_b2b_tables
from buying_groups.model.marts import ensure_marts_tables
from buying_groups.sql_files import run_sql

AS_OF = dt.date(2026, 11, 2)
SI = "ai-driven-seeds"


def insert(con: duckdb.DuckDBPyConnection, table: str, row: dict[str, Any]) -> None:
    columns = ", ".join(f'"{name}"' for name in row)
    marks = ", ".join("?" for _ in row)
    con.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(row.values()))


class Warehouse:
    """A hand-built warehouse: hand-written rows in tables created by the project's own DDL."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        ensure_b2b_tables(con)
        ensure_marts_tables(con)
        run_sql(con, "validated/macros")

    def account(self, key: str, name: str = "Acme Corp", **values: Any) -> str:
        row = {
            "account_key": key,
            "account_name": name,
            "website": "https://www.acme.com/about",
            "industry": "Agriculture",
            "billing_city": "Austin",
            "billing_state": "TX",
            "billing_postal_code": "73301",
            "billing_country": "USA",
            "linkedin_company_page_url": "https://www.linkedin.com/company/acme",
            "stock_symbol": "ACME",
            "is_deleted": False,
            "created_at": dt.datetime(2026, 1, 1),
            "updated_at": dt.datetime(2026, 1, 1),
            "source_drop": "2026-01-01",
            "source_file": "companies.csv",
            "source_line": 2,
        }
        row.update(values)
        # The derived domain comes from the website by the project's own rule, as at ingest.
        row.setdefault("domain", self.con.execute("SELECT bg_domain($w)", {"w": row["website"]}).fetchone()[0])
        insert(self.con, "b2b.accounts", row)
        return key

    def person(self, key: str, email: str | None, account_key: str = "A1", **values: Any) -> str:
        row = {
            "person_key": key,
            "account_key": account_key,
            "work_email": email,
            "first_name": "Jane",
            "last_name": "Doe",
            "job_title": "CEO",
            "country": "USA",
            "is_unsubscribed": False,
            "is_marketing_suspended": False,
            "is_email_invalid": False,
            "is_deleted": False,
            "has_known_account": True,
            "created_at": dt.datetime(2026, 1, 1),
            "updated_at": dt.datetime(2026, 1, 1),
            "source_drop": "2026-01-01",
            "source_file": "leads.csv",
            "source_line": 2,
        }
        row.update(values)
        insert(self.con, "b2b.persons", row)
        return key

    def group(
        self,
        account_key: str,
        *,
        si: str = SI,
        completeness: float = 50.0,
        stage: str = "incomplete",
        missing: list[str] | None = None,
        account_name: str = "Acme Corp",
    ) -> str:
        group_id = f"{si}:{account_key}"
        insert(
            self.con,
            "marts.buying_groups",
            {
                "buying_group_id": group_id,
                "name": f"{si} for {account_name}",
                "solution_interest_id": si,
                "account_key": account_key,
                "account_name": account_name,
                "member_count": 1,
                "interested_members": 0,
                "completeness_score": completeness,
                "weighted_completeness_score": completeness,
                "engagement_score": 40.0,
                "missing_roles": ["Decision Maker"] if missing is None else missing,
                "stage": stage,
                "qualified_at": AS_OF if stage == "sales_ready" else None,
                "created_at": AS_OF,
                "as_of": AS_OF,
                "newly_qualified": stage == "sales_ready",
            },
        )
        for order, (role, weight) in enumerate((("Decision Maker", 100), ("Influencer", 80))):
            insert(
                self.con,
                "marts.buying_group_roles",
                {
                    "buying_group_id": group_id,
                    "role": role,
                    "weight": weight,
                    "required": True,
                    "members_required": 1,
                    "members_assigned": 0,
                    "role_completeness": 0.0,
                    "role_order": order,
                },
            )
        return group_id

    def member(self, group_id: str, person_key: str, role: str = "Influencer", *, removed: bool = False) -> None:
        insert(
            self.con,
            "marts.buying_group_members",
            {
                "buying_group_id": group_id,
                "person_key": person_key,
                "role": role,
                "assignment_source": "rule",
                "person_engagement_score": 12.5,
                "has_interest": True,
                "is_removed": removed,
                "added_at": AS_OF,
                "removed_at": AS_OF if removed else None,
            },
        )


def frame(rows: list[list[Any]], width: int) -> pl.DataFrame:
    """Rows as the frame ``write_csv_parts`` takes (text columns; ``None`` is a null cell)."""
    return pl.DataFrame(rows, schema=[(f"c{i}", pl.String) for i in range(width)], orient="row")


def read_csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def read_dicts(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
