"""LinkedIn matched-audience files (SPEC §6): company lists, per-missing-role company lists and
contact lists per solution interest, plus ``manifest.json``.

Order of work, so a reader never sees a half state that looks complete:

1. every list is written atomically (temp file, fsync, rename) - see :mod:`.csv_files`;
2. the manifest naming exactly the new files is written atomically;
3. only then are files of an earlier run that no longer apply removed (a role no longer
   missing, a solution interest no longer exported, a list that now needs fewer parts).

Everything is ordered in SQL, so a re-run over the same warehouse gives byte-identical CSVs.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from buying_groups.activation.atomic import TEMP_SUFFIX, atomic_write_bytes, is_leftover_temp
from buying_groups.activation.countries import register_country_map
from buying_groups.activation.csv_files import WrittenFile, query_chunks, write_csv_parts
from buying_groups.activation.options import LinkedInOptions
from buying_groups.sql_files import load_sql, run_sql, split_statements

COMPANY_HEADER: tuple[str, ...] = (
    "companyname",
    "companywebsite",
    "companyemaildomain",
    "linkedincompanypageurl",
    "stocksymbol",
    "industry",
    "city",
    "state",
    "companycountry",
    "zipcode",
)
CONTACT_HEADER: tuple[str, ...] = (
    "email",
    "firstname",
    "lastname",
    "jobtitle",
    "employeecompany",
    "country",
    "googleaid",
)

LINKEDIN_DIR = "linkedin"
MANIFEST_NAME = "manifest.json"
FLAG_BELOW_MINIMUM = "below_linkedin_minimum"

RULE_COMPANIES = "companies: completeness_score < 100"
RULE_COMPANIES_MISSING = "companies_missing: {roles}"
RULE_CONTACTS = "contacts: active members of groups not sales_ready"

# A solution interest id becomes a directory name: allow only what cannot escape the
# output folder or collide with hidden/temp files.
_SAFE_DIRECTORY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# The files this module owns inside a solution-interest folder; only these are ever removed.
_OWNED_FILE = re.compile(r"(companies|companies_missing_[a-z0-9]+(-[a-z0-9]+)*|contacts)(_part\d{3})?\.csv")


def role_slug(role: str) -> str:
    """``Decision Maker`` -> ``decision-maker``: lower-cased, each run of non-alphanumerics
    replaced by ``-``, trimmed of ``-``; ``role`` when nothing alphanumeric is left."""
    return re.sub(r"[^a-z0-9]+", "-", role.lower()).strip("-") or "role"


def solution_interest_directory(linkedin_root: Path, solution_interest_id: str) -> Path:
    if not _SAFE_DIRECTORY_NAME.fullmatch(solution_interest_id) or ".." in solution_interest_id:
        raise ValueError(
            f"solution interest id {solution_interest_id!r} cannot be used as a folder name "
            "(allowed: letters, digits, '.', '_', '-', not starting with '.' or '-')"
        )
    return linkedin_root / solution_interest_id


@dataclass(frozen=True)
class ManifestFile:
    """One file of the run, as ``manifest.json`` lists it."""

    path: str  # relative to the manifest's folder, POSIX separators
    solution_interest_id: str
    list_name: str  # the logical list, e.g. companies_missing_decision-maker
    rule: str
    row_count: int
    list_row_count: int  # rows of the whole list (all parts)
    byte_size: int
    sha256: str
    as_of: str
    flags: list[str]
    part: int
    part_count: int


@dataclass
class LinkedInExport:
    """What a run wrote and removed."""

    manifest_path: Path
    files: list[ManifestFile] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    suppressed_email_count: int = 0
    consent_unknown_persons: int = 0

    @property
    def total_rows(self) -> int:
        return sum(f.row_count for f in self.files)


def _solution_interests(con: duckdb.DuckDBPyConnection, options: LinkedInOptions) -> list[str]:
    if options.solution_interests is not None:
        return sorted(set(options.solution_interests))
    rows = con.execute(
        "SELECT DISTINCT solution_interest_id FROM marts.buying_groups "
        "WHERE solution_interest_id IS NOT NULL ORDER BY 1"
    ).fetchall()
    return [value for (value,) in rows]


def prepare_session(con: duckdb.DuckDBPyConnection) -> int:
    """Temp macros, the country map and the suppressed-email set for this connection.
    Returns the number of suppressed emails."""
    run_sql(con, "activation/macros")
    run_sql(con, "validated/macros")  # the boolean and empty-value rules of ingest, for quarantined rows
    register_country_map(con, [("b2b.persons", "country"), ("b2b.accounts", "billing_country")])
    run_sql(con, "activation/suppressed_emails")
    (count,) = con.execute("SELECT count(*) FROM activation_suppressed_emails").fetchone()  # type: ignore[misc]
    return int(count)


@dataclass(frozen=True)
class PlannedList:
    """One LinkedIn list a run writes: its folder, name, rule, header and the query for its rows."""

    solution_interest_id: str
    list_name: str
    rule: str
    header: Sequence[str]
    sql: str
    params: dict[str, Any]

    @property
    def output_path(self) -> str:
        """The (unsplit) file, relative to the output folder."""
        return f"{LINKEDIN_DIR}/{self.solution_interest_id}/{self.list_name}.csv"


def plan_lists(con: duckdb.DuckDBPyConnection, options: LinkedInOptions) -> list[PlannedList]:
    """Every list the marts on ``con`` call for, in the order they are written. Refuses a
    solution interest id that cannot be a folder name before anything is written."""
    companies_sql = load_sql("activation/companies")
    contacts_sql = load_sql("activation/contacts")
    missing_roles_sql = load_sql("activation/missing_roles")
    solution_interest_ids = _solution_interests(con, options)
    for solution_interest_id in solution_interest_ids:
        solution_interest_directory(Path(LINKEDIN_DIR), solution_interest_id)
    planned: list[PlannedList] = []
    for solution_interest_id in solution_interest_ids:
        base = {"solution_interest_id": solution_interest_id}
        planned.append(
            PlannedList(
                solution_interest_id,
                "companies",
                RULE_COMPANIES,
                COMPANY_HEADER,
                companies_sql,
                {**base, "roles": None},
            )
        )
        missing_roles = [role for (role,) in con.execute(missing_roles_sql, base).fetchall()]
        roles_by_slug: dict[str, list[str]] = {}
        for role in missing_roles:
            roles_by_slug.setdefault(role_slug(role), []).append(role)
        for slug, roles in sorted(roles_by_slug.items()):
            # Roles whose names slug alike ("Decision Maker", "decision-maker") share a file.
            planned.append(
                PlannedList(
                    solution_interest_id,
                    f"companies_missing_{slug}",
                    RULE_COMPANIES_MISSING.format(roles=" | ".join(roles)),
                    COMPANY_HEADER,
                    companies_sql,
                    {**base, "roles": roles},
                )
            )
        planned.append(
            PlannedList(
                solution_interest_id,
                "contacts",
                RULE_CONTACTS,
                CONTACT_HEADER,
                contacts_sql,
                {**base, "hash_emails": options.hash_emails},
            )
        )
    return planned


def count_list_rows(con: duckdb.DuckDBPyConnection, planned: PlannedList) -> int:
    """Rows the list would have, without writing it (needs :func:`prepare_session`)."""
    (statement,) = split_statements(planned.sql)
    (count,) = con.execute(f"SELECT count(*) FROM ({statement})", planned.params).fetchone()  # type: ignore[misc]
    return int(count)


def build_linkedin_audiences(
    con: duckdb.DuckDBPyConnection,
    output_root: Path,
    options: LinkedInOptions,
    *,
    as_of: dt.date,
    generated_at: dt.datetime | None = None,
) -> LinkedInExport:
    """Write every LinkedIn list and ``<output>/linkedin/manifest.json``; remove stale files."""
    linkedin_root = output_root / LINKEDIN_DIR
    linkedin_root.mkdir(parents=True, exist_ok=True)
    export = LinkedInExport(manifest_path=linkedin_root / MANIFEST_NAME)
    export.suppressed_email_count = prepare_session(con)
    (export.consent_unknown_persons,) = run_sql(con, "activation/consent_unknown").fetchone()  # type: ignore[misc]

    for planned in plan_lists(con, options):
        parts = write_csv_parts(
            solution_interest_directory(linkedin_root, planned.solution_interest_id),
            planned.list_name,
            planned.header,
            query_chunks(con, planned.sql, planned.params),
            max_rows=options.max_rows_per_file,
            max_bytes=options.max_bytes_per_file,
        )
        export.files.extend(
            _manifest_entries(
                parts,
                linkedin_root,
                planned.solution_interest_id,
                planned.list_name,
                planned.rule,
                as_of,
                options.min_rows,
            )
        )

    manifest = build_manifest(export.files, as_of=as_of, hash_emails=options.hash_emails, generated_at=generated_at)
    atomic_write_bytes(export.manifest_path, manifest_bytes(manifest))
    keep = {linkedin_root / f.path for f in export.files}
    export.removed = remove_stale_files(linkedin_root, keep)
    return export


def _manifest_entries(
    parts: list[WrittenFile],
    linkedin_root: Path,
    solution_interest_id: str,
    list_name: str,
    rule: str,
    as_of: dt.date,
    min_rows: int,
) -> list[ManifestFile]:
    list_rows = sum(part.row_count for part in parts)
    flags = [FLAG_BELOW_MINIMUM] if list_rows < min_rows else []
    return [
        ManifestFile(
            path=part.path.relative_to(linkedin_root).as_posix(),
            solution_interest_id=solution_interest_id,
            list_name=list_name,
            rule=rule,
            row_count=part.row_count,
            list_row_count=list_rows,
            byte_size=part.byte_size,
            sha256=part.sha256,
            as_of=as_of.isoformat(),
            flags=list(flags),
            part=part.part,
            part_count=part.part_count,
        )
        for part in parts
    ]


def build_manifest(
    files: Sequence[ManifestFile],
    *,
    as_of: dt.date,
    hash_emails: bool,
    generated_at: dt.datetime | None = None,
) -> dict[str, Any]:
    generated = generated_at or dt.datetime.now(dt.UTC)
    return {
        "as_of": as_of.isoformat(),
        "generated_at": generated.isoformat(timespec="seconds"),
        "hash_emails": hash_emails,
        "files": [asdict(f) for f in files],
    }


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def remove_stale_files(linkedin_root: Path, keep: set[Path]) -> list[Path]:
    """Remove list files of earlier runs that this run did not write, leftover temp files of
    crashed runs, and emptied solution-interest folders. Files not named like ours are left
    alone (someone else put them there)."""
    removed: list[Path] = []
    for temp in sorted(linkedin_root.glob(f".{MANIFEST_NAME}.*{TEMP_SUFFIX}")):
        temp.unlink(missing_ok=True)
        removed.append(temp)
    for directory in sorted(p for p in linkedin_root.iterdir() if p.is_dir()):
        for path in sorted(directory.iterdir()):
            if not path.is_file() or path in keep:
                continue
            ours = _OWNED_FILE.fullmatch(path.name) or is_leftover_temp(path.name)
            if ours:
                path.unlink(missing_ok=True)
                removed.append(path)
        if not any(directory.iterdir()):
            directory.rmdir()
    return removed
