"""What ``buying-groups explain`` reports: one group or one person, as plain JSON-ready dicts.

Every number comes from the marts the scoring run wrote (or a scratch re-scoring, for another
day); nothing is re-derived here except the arithmetic that shows how a stored number follows
from its parts. The output files are read from disk, so the answer says where the group or
person *is*, not where it should be.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import duckdb

from buying_groups.activation.csv_safety import neutralise_cell
from buying_groups.activation.linkedin import LINKEDIN_DIR, MANIFEST_NAME
from buying_groups.activation.sales_handoff import SALES_HANDOFF_FILE
from buying_groups.sql_files import run_sql

TOP_CONTRIBUTIONS = 5


class UnknownSubject(LookupError):
    """No such buying group or person in the warehouse."""


def _records(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    relation = run_sql(con, f"explain/{name}", params)
    columns = [column[0] for column in relation.description]
    return [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]


def _stage_tests(group: dict[str, Any]) -> list[dict[str, Any]]:
    """Each threshold of the stage model (SPEC order: the first stage whose tests all hold)."""
    tests = [
        (
            "sales_ready",
            "completeness_score",
            group["completeness_score"],
            "min_completeness",
            group["min_completeness"],
        ),
        ("sales_ready", "engagement_score", group["engagement_score"], "min_engagement", group["min_engagement"]),
        ("complete", "completeness_score", group["completeness_score"], "complete at", 100.0),
    ]
    return [
        {
            "stage": stage,
            "score": score_name,
            "value": value,
            "threshold_name": threshold_name,
            "threshold": threshold,
            "held": threshold is not None and value >= threshold,
            "margin": None if threshold is None else value - threshold,
        }
        for stage, score_name, value, threshold_name, threshold in tests
    ]


def _engagement(group: dict[str, Any], roles: list[dict[str, Any]]) -> dict[str, Any]:
    total_weight = sum(r["weight"] for r in roles)
    raw = sum(r["person_scores"] * r["weight"] for r in roles) / total_weight if total_weight else 0.0
    score = group["engagement_score"]
    # engagement_score = 100 * sqrt(raw) / sqrt(max raw): the stored score gives the normaliser.
    max_raw = (100 * math.sqrt(raw) / score) ** 2 if score > 0 else None
    return {"roles_present": roles, "group_raw": raw, "max_group_raw": max_raw, "engagement_score": score}


def _optional(con: duckdb.DuckDBPyConnection) -> tuple[bool, bool]:
    has_lifecycle, has_journeys = run_sql(con, "explain/optional_tables").fetchone()  # type: ignore[misc]
    return bool(has_lifecycle), bool(has_journeys)


def _journeys(con: duckdb.DuckDBPyConnection, buying_group_id: str, as_of: dt.date) -> dict[str, Any]:
    has_lifecycle, has_journeys = _optional(con)
    params = {"buying_group_id": buying_group_id}
    lifecycle = None
    if has_lifecycle:
        row = run_sql(con, "explain/group_lifecycle", params).fetchone()
        lifecycle = row[0] if row else None
    positions = _records(con, "group_journeys", {**params, "as_of": as_of}) if has_journeys else []
    return {
        "available": has_lifecycle or has_journeys,
        "lifecycle_stage": lifecycle,
        "journeys": positions,
    }


def _manifest(output_dir: Path) -> dict[str, Any] | None:
    path = output_dir / LINKEDIN_DIR / MANIFEST_NAME
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _linkedin_files(output_dir: Path, solution_interest_id: str | None, kind: str) -> list[Path]:
    manifest = _manifest(output_dir)
    if manifest is None:
        return []
    paths = []
    for entry in manifest["files"]:
        is_contacts = entry["list_name"] == "contacts"
        if (kind == "contacts") != is_contacts:
            continue
        if solution_interest_id is not None and entry["solution_interest_id"] != solution_interest_id:
            continue
        path = output_dir / LINKEDIN_DIR / entry["path"]
        if path.is_file():
            paths.append(path)
    return paths


def _relative(output_dir: Path, filename: str) -> str:
    return Path(filename).resolve().relative_to(output_dir.resolve()).as_posix()


def _files(
    con: duckdb.DuckDBPyConnection,
    output_dir: Path,
    *,
    solution_interest_id: str | None,
    company_name: str | None,
    buying_group_id: str | None,
    person_key: str | None,
) -> list[dict[str, Any]]:
    """The output files that hold the group's account / members, or the person."""
    found: list[dict[str, Any]] = []
    company_files = _linkedin_files(output_dir, solution_interest_id, "companies")
    if company_name is not None and company_files:
        params = {"files": [str(p) for p in company_files], "company_name": neutralise_cell(company_name)}
        for (filename,) in run_sql(con, "explain/file_companies", params).fetchall():
            found.append({"path": _relative(output_dir, filename), "what": "account"})
    contact_files = _linkedin_files(output_dir, solution_interest_id, "contacts")
    if contact_files:
        run_sql(con, "activation/macros")
        (emails,) = run_sql(  # type: ignore[misc]
            con, "explain/member_emails", {"buying_group_id": buying_group_id, "person_key": person_key}
        ).fetchone()
        emails = [e for e in emails or [] if e]
        manifest = _manifest(output_dir) or {}
        if manifest.get("hash_emails"):
            emails = [row[0] for row in con.execute("SELECT sha256(unnest($e::VARCHAR[]))", {"e": emails}).fetchall()]
        if emails:
            params = {"files": [str(p) for p in contact_files], "emails": emails}
            for filename, contacts in run_sql(con, "explain/file_contacts", params).fetchall():
                found.append({"path": _relative(output_dir, filename), "what": "contacts", "rows": contacts})
    handoff = output_dir / SALES_HANDOFF_FILE
    if handoff.is_file() and handoff.stat().st_size:
        params = {"file": str(handoff), "buying_group_id": buying_group_id, "person_key": person_key}
        for group_id, rows in run_sql(con, "explain/file_sales_handoff", params).fetchall():
            found.append({"path": SALES_HANDOFF_FILE, "what": f"sales hand-off of {group_id}", "rows": rows})
    return found


def explain_group(con: duckdb.DuckDBPyConnection, buying_group_id: str, output_dir: Path) -> dict[str, Any]:
    params = {"buying_group_id": buying_group_id}
    groups = _records(con, "group", params)
    if not groups:
        raise UnknownSubject(f"no buying group {buying_group_id!r} in the warehouse")
    (group,) = groups
    members = _records(con, "group_members", params)
    return {
        "kind": "buying_group",
        "group": group,
        "stage_tests": _stage_tests(group),
        "roles": _records(con, "group_roles", params),
        "members": [m for m in members if not m["is_removed"]],
        "removed_members": [m for m in members if m["is_removed"]],
        "engagement": _engagement(group, _records(con, "group_engagement", params)),
        "lifecycle": _journeys(con, buying_group_id, group["as_of"]),
        "files": _files(
            con,
            output_dir,
            solution_interest_id=group["solution_interest_id"],
            company_name=group["account_name"] or group["account_key"],
            buying_group_id=buying_group_id,
            person_key=None,
        ),
    }


def explain_person(con: duckdb.DuckDBPyConnection, person_key: str, output_dir: Path) -> dict[str, Any]:
    params = {"person_key": person_key}
    persons = _records(con, "person", params)
    if not persons:
        raise UnknownSubject(f"no person {person_key!r} in the warehouse")
    (person,) = persons
    contributions = _records(con, "person_contributions", params)
    person.pop("work_email")  # used only to find the person in the files
    return {
        "kind": "person",
        "person": person,
        "engagement": {
            "raw_score": person["raw_score"],
            "person_engagement_score": person["person_engagement_score"],
            "max_raw_score": person["max_raw_score"],
            "contributions": contributions[:TOP_CONTRIBUTIONS],
            "other_contributions": len(contributions[TOP_CONTRIBUTIONS:]),
            "other_points": sum(c["points"] for c in contributions[TOP_CONTRIBUTIONS:]),
        },
        "memberships": _records(con, "person_memberships", params),
        "files": _files(
            con, output_dir, solution_interest_id=None, company_name=None, buying_group_id=None, person_key=person_key
        ),
    }


def to_json(explanation: dict[str, Any]) -> str:
    def default(value: Any) -> Any:
        if isinstance(value, dt.date | dt.datetime):
            return value.isoformat()
        raise TypeError(f"cannot serialise {type(value).__name__}")

    return json.dumps(explanation, indent=2, default=default, ensure_ascii=False)
