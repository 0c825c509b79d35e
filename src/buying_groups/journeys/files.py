"""The journeys' files of one day, and the journey-managed LinkedIn company audiences.

``<output>/journeys/<as_of>/``: ``marketo_list_adds.csv``, ``linkedin_contact_adds.csv``,
``stage_changes.csv``, ``sales_alerts/<group slug>.json`` and ``.md``, and ``manifest.json``
listing each with its SHA-256. ``<output>/linkedin/journeys/<audience>/companies.csv``: the
current members of each company audience the journeys manage, with its own
``manifest.json``. Everything goes through the activation writers (atomic, CSV-injection
safe, LinkedIn limits); a re-run of the day writes the same bytes (no timestamps inside) and
removes only files of ours it no longer produces.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from buying_groups.activation.atomic import atomic_write_bytes, temp_target
from buying_groups.activation.csv_files import (
    StagedPart,
    WrittenFile,
    discard_parts,
    query_chunks,
    stage_csv_parts,
    write_csv,
)
from buying_groups.activation.linkedin import (
    COMPANY_HEADER,
    CONTACT_HEADER,
    LINKEDIN_DIR,
    MANIFEST_NAME,
    ManifestFile,
    finish_interrupted_publish,
    manifest_bytes,
    manifest_entries,
    prepare_session,
    previously_written,
    publish,
    role_slug,
    solution_interest_directory,
)
from buying_groups.activation.options import LinkedInOptions
from buying_groups.sql_files import load_sql

JOURNEYS_DIR = "journeys"
SALES_ALERTS_DIR = "sales_alerts"
MARKETO_LIST_ADDS = "marketo_list_adds.csv"
LINKEDIN_CONTACT_ADDS = "linkedin_contact_adds.csv"
STAGE_CHANGES = "stage_changes.csv"
MARKETO_LIST_HEADER = ("list", "lead_id", "person_key", "email")
LINKEDIN_CONTACT_ADDS_HEADER = (*CONTACT_HEADER, "audience")
STAGE_CHANGES_HEADER = (
    "buying_group_id",
    "as_of",
    "seq",
    "from_stage",
    "to_stage",
    "source",
    "journey_id",
    "node_id",
    "accepted",
    "reason",
)
RULE_AUDIENCE = "journey audience: accounts added by linkedin_audience and not since removed"
_ALERT_FILE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\.(json|md)")


@dataclass(frozen=True)
class DayFile:
    path: str  # relative to the day's folder
    row_count: int
    byte_size: int
    sha256: str


@dataclass
class JourneyFiles:
    day_directory: Path
    files: list[DayFile] = field(default_factory=list)
    audience_files: list[ManifestFile] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)


def day_directory(output_root: Path, as_of: dt.date) -> Path:
    return output_root / JOURNEYS_DIR / as_of.isoformat()


def write_journey_files(
    con: duckdb.DuckDBPyConnection,
    output_root: Path,
    as_of: dt.date,
    options: LinkedInOptions,
    audiences: Sequence[str],
    interest_names: Mapping[str, str],
) -> JourneyFiles:
    """Write the day's files and the journey-managed company audiences named in the config;
    ``interest_names`` names the solution interests in the sales alerts."""
    prepare_session(con)
    directory = day_directory(output_root, as_of)
    result = JourneyFiles(directory)
    params = {"as_of": as_of}

    def csv_file(name: str, header: Sequence[str], sql: str) -> None:
        chunks = query_chunks(con, load_sql(f"journeys/{sql}"), params)
        written = write_csv(directory / name, header, chunks)
        result.files.append(_day_file(written.path, directory, written.row_count, written.byte_size, written.sha256))

    csv_file(MARKETO_LIST_ADDS, MARKETO_LIST_HEADER, "file_marketo_list_adds")
    csv_file(LINKEDIN_CONTACT_ADDS, LINKEDIN_CONTACT_ADDS_HEADER, "file_linkedin_contact_adds")
    csv_file(STAGE_CHANGES, STAGE_CHANGES_HEADER, "file_stage_changes")
    for alert in _sales_alerts(con, as_of):
        alert["solution_interest_name"] = interest_names.get(alert["solution_interest_id"])
        slug = role_slug(alert["buying_group_id"])
        for suffix, data in ((".json", _alert_json(alert)), (".md", _alert_markdown(alert, as_of))):
            path = directory / SALES_ALERTS_DIR / f"{slug}{suffix}"
            atomic_write_bytes(path, data)
            result.files.append(_day_file(path, directory, 1, len(data), hashlib.sha256(data).hexdigest()))

    manifest = {"as_of": as_of.isoformat(), "files": [asdict(f) for f in result.files]}
    atomic_write_bytes(directory / MANIFEST_NAME, manifest_bytes(manifest))
    keep = {directory / f.path for f in result.files} | {directory / MANIFEST_NAME}
    result.removed = _remove_stale_day_files(directory, keep)
    result.audience_files, removed = write_journey_audiences(con, output_root, as_of, options, audiences)
    result.removed += removed
    return result


def _day_file(path: Path, directory: Path, rows: int, size: int, sha256: str) -> DayFile:
    return DayFile(path.relative_to(directory).as_posix(), rows, size, sha256)


def write_journey_audiences(
    con: duckdb.DuckDBPyConnection,
    output_root: Path,
    as_of: dt.date,
    options: LinkedInOptions,
    audiences: Sequence[str],
) -> tuple[list[ManifestFile], list[Path]]:
    """``<output>/linkedin/journeys/<audience>/companies.csv`` (split and flagged like the
    solution-interest lists) and that folder's ``manifest.json``."""
    root = output_root / LINKEDIN_DIR / JOURNEYS_DIR
    root.mkdir(parents=True, exist_ok=True)
    finished = finish_interrupted_publish(root)
    previous = previously_written(root)
    sql = load_sql("journeys/file_audience_companies")
    entries: list[ManifestFile] = []
    staged: list[StagedPart] = []
    try:
        for audience in sorted(set(audiences)):
            parts = stage_csv_parts(
                solution_interest_directory(root, audience),
                "companies",
                COMPANY_HEADER,
                query_chunks(con, sql, {"audience": audience, "as_of": as_of}),
                max_rows=options.max_rows_per_file,
                max_bytes=options.max_bytes_per_file,
                max_cell_chars=options.max_cell_chars,
            )
            staged.extend(parts)
            files = [part.file for part in parts]
            entries += manifest_entries(files, root, audience, "companies", RULE_AUDIENCE, as_of, options.min_rows)
        manifest = {"as_of": as_of.isoformat(), "files": [asdict(e) for e in entries]}
    except BaseException:
        discard_parts(staged)
        raise
    # Published as one set with its manifest, like the solution-interest lists.
    return entries, finished + publish(root, staged, manifest_bytes(manifest), previous)


def _sales_alerts(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> Iterator[dict[str, Any]]:
    relation = con.execute(load_sql("journeys/file_sales_alerts"), {"as_of": as_of})
    columns = [d[0] for d in relation.description]
    for row in relation.fetchall():
        yield dict(zip(columns, row, strict=True))


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 1)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _alert_json(alert: dict[str, Any]) -> bytes:
    return (json.dumps(_plain(alert), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _md(value: Any) -> str:
    """A Markdown table cell: pipes escaped, one line."""
    text = "" if value is None else str(value)
    return re.sub(r"\s+", " ", text).replace("|", "\\|").strip()


def _alert_markdown(alert: dict[str, Any], as_of: dt.date) -> bytes:
    a = _plain(alert)
    lines = [
        f"# Sales alert: {_md(a['group_name'])}",
        "",
        f"- Account: {_md(a['account_name'])} (`{_md(a['account_key'])}`)",
        f"- Solution interest: {_md(a['solution_interest_name'] or a['solution_interest_id'])}",
        f"- Completeness: {round(a['completeness_score'])} (weighted {round(a['weighted_completeness_score'])})",
        f"- Engagement: {round(a['engagement_score'])}",
        f"- Stage: {_md(a['stage'])}; lifecycle stage: {_md(a['lifecycle_stage'])}",
        f"- Missing roles: {_md(', '.join(a['missing_roles']) or 'none')}",
        f"- Recipients: {_md(', '.join(a['recipients']))}",
        f"- Journeys: {_md(', '.join(a['journeys']))}; as of {as_of.isoformat()}",
        "",
        "## Top members by engagement",
        "",
        "| name | title | role | score | email | last activities |",
        "|---|---|---|---|---|---|",
    ]
    for member in a["top_members"]:
        activities = "; ".join(
            f"{act['date']} {act['event_type'] or act['activity_type_id']} {act['detail'] or ''}".strip()
            for act in member["last_activities"]
        )
        lines.append(
            "| "
            + " | ".join(
                _md(v)
                for v in (
                    member["name"],
                    member["title"],
                    member["role"],
                    round(member["person_engagement_score"]),
                    member["email"] or "(suppressed)",
                    activities,
                )
            )
            + " |"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def _remove_stale_day_files(directory: Path, keep: set[Path]) -> list[Path]:
    """Files of ours in the day's folder that this run did not write (a re-run with fewer
    alerts), and leftover temp files; anything else is left alone."""
    removed = []
    fixed = {MARKETO_LIST_ADDS, LINKEDIN_CONTACT_ADDS, STAGE_CHANGES, MANIFEST_NAME}
    alerts = directory / SALES_ALERTS_DIR
    candidates = itertools.chain(
        (p for p in directory.iterdir() if p.is_file() and (p.name in fixed or temp_target(p.name) in fixed)),
        (
            p
            for p in (alerts.iterdir() if alerts.is_dir() else [])
            if p.is_file() and (_ALERT_FILE.fullmatch(p.name) or _ALERT_FILE.fullmatch(temp_target(p.name) or ""))
        ),
    )
    for path in sorted(candidates):
        if path not in keep:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


__all__ = [
    "JOURNEYS_DIR",
    "LINKEDIN_CONTACT_ADDS",
    "MARKETO_LIST_ADDS",
    "STAGE_CHANGES",
    "DayFile",
    "JourneyFiles",
    "WrittenFile",
    "day_directory",
    "write_journey_audiences",
    "write_journey_files",
]
