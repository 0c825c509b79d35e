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
import os
import re
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from buying_groups.activation.atomic import atomic_write_bytes, atomic_write_files, temp_target
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
from buying_groups.sql_files import load_sql, run_sql

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
    *,
    session_prepared: bool = False,
) -> JourneyFiles:
    """Write the day's files and the journey-managed company audiences named in the config;
    ``interest_names`` names the solution interests in the sales alerts. ``session_prepared``:
    the connection already ran :func:`prepare_session` (as :func:`run_journeys` does) and the
    persons have not changed since, so its suppressed emails still hold."""
    if not session_prepared:
        prepare_session(con)
    directory = day_directory(output_root, as_of)
    result = JourneyFiles(directory)
    params = {"as_of": as_of}

    def csv_file(name: str, header: Sequence[str], sql: str) -> None:
        chunks = query_chunks(con, load_sql(f"journeys/{sql}"), params)
        written = write_csv(directory / name, header, chunks)
        result.files.append(_day_file(written.path, directory, written.row_count, written.byte_size, written.sha256))

    alerts = _sales_alert_files(con, as_of, interest_names)
    # A day's thousands of sales alerts are mostly the kernel creating files: a second thread
    # writes them while this one runs the CSV and audience files' queries in DuckDB.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sales-alerts") as pool:
        alerts_written = pool.submit(atomic_write_files, [(directory / name, data) for name, data in alerts])
        csv_file(MARKETO_LIST_ADDS, MARKETO_LIST_HEADER, "file_marketo_list_adds")
        csv_file(LINKEDIN_CONTACT_ADDS, LINKEDIN_CONTACT_ADDS_HEADER, "file_linkedin_contact_adds")
        csv_file(STAGE_CHANGES, STAGE_CHANGES_HEADER, "file_stage_changes")
        result.audience_files, audiences_removed = write_journey_audiences(con, output_root, as_of, options, audiences)
        alerts_written.result()
    result.files += [DayFile(name, 1, len(data), hashlib.sha256(data).hexdigest()) for name, data in alerts]

    # vars(), not asdict(): a flat record, and asdict's deep copy of thousands of alert entries showed.
    manifest = {"as_of": as_of.isoformat(), "files": [vars(f) for f in result.files]}
    atomic_write_bytes(directory / MANIFEST_NAME, manifest_bytes(manifest))
    result.removed = _remove_stale_day_files(directory, {f.path for f in result.files} | {MANIFEST_NAME})
    result.removed += audiences_removed
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


def _sales_alert_files(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, interest_names: Mapping[str, str]
) -> list[tuple[str, bytes]]:
    """Each alerted group's ``sales_alerts/<slug>.json`` and ``.md`` (paths relative to the
    day's folder), both rendered by the query."""
    params = {"as_of": as_of, "interest_ids": list(interest_names), "interest_names": list(interest_names.values())}
    files = []
    for buying_group_id, alert_json, alert_markdown in run_sql(con, "journeys/file_sales_alerts", params).fetchall():
        slug = role_slug(buying_group_id)
        files.append((f"{SALES_ALERTS_DIR}/{slug}.json", alert_json.encode("utf-8")))
        files.append((f"{SALES_ALERTS_DIR}/{slug}.md", alert_markdown.encode("utf-8")))
    return files


def _remove_stale_day_files(directory: Path, keep: set[str]) -> list[Path]:
    """Files of ours in the day's folder that this run did not write (a re-run with fewer
    alerts), and leftover temp files and staged alert folders; anything else is left alone.
    ``keep`` holds paths relative to the day's folder."""
    fixed = {MARKETO_LIST_ADDS, LINKEDIN_CONTACT_ADDS, STAGE_CHANGES, MANIFEST_NAME}

    def ours(folder: str, owns: Callable[[str], bool]) -> Iterator[str]:
        if not (directory / folder).is_dir():
            return
        with os.scandir(directory / folder) as entries:  # DirEntry.is_file: no stat per file
            for entry in entries:
                if entry.is_file(follow_symlinks=False) and (owns(entry.name) or owns(temp_target(entry.name) or "")):
                    yield f"{folder}/{entry.name}" if folder != "." else entry.name

    candidates = itertools.chain(
        ours(".", fixed.__contains__), ours(SALES_ALERTS_DIR, lambda name: bool(_ALERT_FILE.fullmatch(name)))
    )
    removed = []
    for name in sorted(candidates):
        if name not in keep:
            (directory / name).unlink(missing_ok=True)
            removed.append(directory / name)
    # A sales-alerts folder a crashed run staged whole (see atomic_write_files).
    with os.scandir(directory) as entries:
        staged = [
            Path(entry.path)
            for entry in entries
            if entry.is_dir(follow_symlinks=False) and temp_target(entry.name) == SALES_ALERTS_DIR
        ]
    for folder in sorted(staged):
        shutil.rmtree(folder)
        removed.append(folder)
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
