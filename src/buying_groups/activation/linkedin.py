"""LinkedIn matched-audience files (SPEC §6): company lists, per-missing-role company lists and
contact lists per solution interest, plus ``manifest.json``.

A run's files are published as a whole or not at all, the manifest always with them:

1. every list of every solution interest is written to hidden temp files and fsynced (see
   :mod:`.csv_files`); an error here removes them all and leaves the previous set and its
   manifest exactly as they were;
2. the new manifest is written to a temp file too, then a *publish journal*
   (``.publish-journal.json``) listing every rename and every file of the earlier run that
   no longer applies (a role no longer missing, a solution interest no longer exported, a
   list that now needs fewer parts);
3. the journal is carried out: lists renamed into place, then the manifest, then the stale
   files removed, then the journal. A run killed during step 3 leaves the journal, and the
   next run completes it before anything else (:func:`finish_interrupted_publish`).

Cells are cut to ``max_cell_chars`` (LinkedIn's templates publish no per-field limit; see
:mod:`.options`): one absurd value (a 21 MB job title) must not make a row too big for any
file and fail the activation run after run.

**Ownership**: the previous ``manifest.json`` says which files are ours. Only files it lists
(and our own temp files, by their ``.<list>.csv.<random>.tmp`` name, in the folders of our
solution interests) are ever removed, and a folder only when it was a solution-interest
folder of ours and is left empty. Anything else under ``<output>/linkedin/`` - a
``team-notes/`` folder, a ``contacts (copy).csv`` - is never touched and never checked.

Everything is ordered in SQL, so a re-run over the same warehouse gives byte-identical CSVs.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from buying_groups.activation.atomic import (
    atomic_write_bytes,
    fsync_directory,
    fsync_file,
    sweep_leftover_temps,
    temp_path_for,
    temp_target,
)
from buying_groups.activation.countries import register_country_map
from buying_groups.activation.csv_files import (
    StagedPart,
    WrittenFile,
    discard_parts,
    query_chunks,
    stage_csv_parts,
)
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
PUBLISH_JOURNAL = ".publish-journal.json"
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
    cells_truncated: int = 0
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
    """Write every LinkedIn list and ``<output>/linkedin/manifest.json`` as one set; remove
    the earlier run's files that no longer apply."""
    linkedin_root = output_root / LINKEDIN_DIR
    linkedin_root.mkdir(parents=True, exist_ok=True)
    finished = finish_interrupted_publish(linkedin_root)
    export = LinkedInExport(manifest_path=linkedin_root / MANIFEST_NAME)
    export.suppressed_email_count = prepare_session(con)
    (export.consent_unknown_persons,) = run_sql(con, "activation/consent_unknown").fetchone()  # type: ignore[misc]

    previous = previously_written(linkedin_root)
    planned_lists = plan_lists(con, options)  # refuses a bad solution interest id up front
    staged: list[StagedPart] = []
    try:
        for planned in planned_lists:
            parts = stage_csv_parts(
                solution_interest_directory(linkedin_root, planned.solution_interest_id),
                planned.list_name,
                planned.header,
                query_chunks(con, planned.sql, planned.params),
                max_rows=options.max_rows_per_file,
                max_bytes=options.max_bytes_per_file,
                max_cell_chars=options.max_cell_chars,
            )
            staged.extend(parts)
            files = [part.file for part in parts]
            export.cells_truncated += sum(f.cells_truncated for f in files)
            export.files.extend(
                manifest_entries(
                    files,
                    linkedin_root,
                    planned.solution_interest_id,
                    planned.list_name,
                    planned.rule,
                    as_of,
                    options.min_rows,
                )
            )
        manifest = build_manifest(export.files, as_of=as_of, hash_emails=options.hash_emails, generated_at=generated_at)
    except BaseException:
        discard_parts(staged)
        raise
    export.removed = finished + publish(linkedin_root, staged, manifest_bytes(manifest), previous)
    return export


def manifest_entries(
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


def previously_written(linkedin_root: Path) -> set[Path]:
    """The list files the current ``manifest.json`` names: what an earlier run wrote. Only
    entries shaped like ours (``<solution interest>/<list>.csv``) count, so a damaged or
    tampered manifest can never make a run delete anything else. No manifest: nothing."""
    try:
        manifest = json.loads((linkedin_root / MANIFEST_NAME).read_text(encoding="utf-8"))
        paths = [str(entry["path"]) for entry in manifest["files"]]
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    return {linkedin_root / path for path in paths if path != MANIFEST_NAME and _is_ours(path)}


def _is_ours(relative: str) -> bool:
    """Whether a path relative to the LinkedIn folder names one of our files: the manifest
    or ``<solution interest>/<list>.csv``."""
    if relative == MANIFEST_NAME:
        return True
    folder, slash, name = relative.partition("/")
    return bool(slash and _SAFE_DIRECTORY_NAME.fullmatch(folder) and ".." not in folder and _OWNED_FILE.fullmatch(name))


def publish(linkedin_root: Path, staged: Sequence[StagedPart], manifest: bytes, previous: set[Path]) -> list[Path]:
    """Put a staged set in place with its manifest and remove the files of ``previous`` (the
    earlier run's) it does not replace, through a journal written first (see the module
    docstring). Returns the removed files (stale lists and our leftover temp files)."""
    keep = {part.file.path for part in staged}
    for path in [*keep, linkedin_root / MANIFEST_NAME]:
        if path.is_symlink() or path.is_dir():
            discard_parts(staged)
            raise ValueError(f"{path} is a folder or a link, not a file this run can replace; nothing was published")
    manifest_temp = temp_path_for(linkedin_root / MANIFEST_NAME)
    try:
        manifest_temp.write_bytes(manifest)
        fsync_file(manifest_temp)

        def relative(path: Path) -> str:
            return path.relative_to(linkedin_root).as_posix()

        journal = {
            "renames": [[relative(part.temp_path), relative(part.file.path)] for part in staged]
            + [[relative(manifest_temp), MANIFEST_NAME]],
            "remove": sorted(relative(path) for path in previous - keep),
        }
        atomic_write_bytes(linkedin_root / PUBLISH_JOURNAL, json.dumps(journal, indent=1).encode("utf-8"))
    except BaseException:
        discard_parts(staged)
        manifest_temp.unlink(missing_ok=True)
        raise
    removed = _carry_out(linkedin_root, journal)
    return removed + _tidy(linkedin_root, previous, keep)


def finish_interrupted_publish(linkedin_root: Path) -> list[Path]:
    """Complete the publish of a run killed half-way (its journal is still there): rename
    what it had not renamed yet, remove what it had not removed. A journal that does not
    parse, or names anything but our own files, is dropped (the run rewrites every list
    anyway). Returns the files removed."""
    journal_path = linkedin_root / PUBLISH_JOURNAL
    if not journal_path.is_file():
        return []
    try:
        journal = json.loads(journal_path.read_text(encoding="utf-8"))
        renames = [(str(temp), str(final)) for temp, final in journal["renames"]]
        removals = [str(path) for path in journal["remove"]]
    except (OSError, ValueError, KeyError, TypeError):
        journal_path.unlink(missing_ok=True)
        return []
    valid = all(
        _is_ours(final) and Path(temp).parent == Path(final).parent and temp_target(Path(temp).name) == Path(final).name
        for temp, final in renames
    ) and all(_is_ours(path) for path in removals)
    if not valid:
        journal_path.unlink(missing_ok=True)
        return []
    return _carry_out(linkedin_root, {"renames": renames, "remove": removals})


def _carry_out(linkedin_root: Path, journal: dict[str, Any]) -> list[Path]:
    """Do what a publish journal says, in its order; each step is skipped when already done,
    so carrying out a journal twice is harmless."""
    folders = set()
    for temp, final in journal["renames"]:
        temp_path, final_path = linkedin_root / temp, linkedin_root / final
        if temp_path.is_file():
            os.replace(temp_path, final_path)
            folders.add(final_path.parent)
    for folder in sorted(folders):
        fsync_directory(folder)
    removed = []
    for relative in journal["remove"]:
        path = linkedin_root / relative
        if path.is_file() and not path.is_symlink():
            path.unlink()
            removed.append(path)
    (linkedin_root / PUBLISH_JOURNAL).unlink(missing_ok=True)
    fsync_directory(linkedin_root)
    return removed


def _tidy(linkedin_root: Path, previous: set[Path], keep: set[Path]) -> list[Path]:
    """Remove our temp files that crashed runs left behind, and the folders of solution
    interests no longer exported once they are empty. Nothing else is touched."""
    removed = sweep_leftover_temps(linkedin_root, lambda name: name in (MANIFEST_NAME, PUBLISH_JOURNAL))
    current_folders = {path.parent for path in keep}
    for folder in sorted({path.parent for path in previous} | current_folders):
        if folder.is_symlink() or not folder.is_dir():
            continue
        removed += sweep_leftover_temps(folder, lambda name: _OWNED_FILE.fullmatch(name) is not None)
        if folder not in current_folders and not any(folder.iterdir()):
            folder.rmdir()
    return removed
