"""The landing zone: ``<landing>/<drop>/<entity>[-<part>].csv`` (SPEC §2).

Discovery and header checks happen before any data is touched: a file that cannot be used
as a whole (empty, not CSV, not UTF-8, a required column missing, a duplicated column) stops
the run with a message naming the file, the line and the reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from buying_groups.ingest import campaign_manager
from buying_groups.model.entities import ENTITIES, EntitySpec
from buying_groups.sql_files import run_sql

# A drop is a date, optionally followed by `T` and a time or any other suffix.
DROP_PATTERN = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})(?:[T_.\-+ ].*)?$")
FILE_PATTERN = re.compile(r"^(?P<entity>[a-z_]+?)(?:-(?P<part>[A-Za-z0-9_.-]+))?\.csv$")
_ENTITY_NAMES = {spec.entity for spec in ENTITIES}
_UTF8_BOM = "\ufeff"


class UnusableFileError(Exception):
    """A landing file that cannot be ingested at all. The message names file, line, reason."""

    def __init__(self, path: Path | str, line: int, reason: str) -> None:
        self.path, self.line, self.reason = str(path), line, reason
        super().__init__(f"{path}:{line}: {reason}")


@dataclass(frozen=True)
class LandingFile:
    drop: str
    entity: str
    part: str
    path: Path
    size: int

    @property
    def name(self) -> str:
        return self.path.name


@dataclass
class LandingScan:
    files: list[LandingFile] = field(default_factory=list)
    ignored: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    warnings: list[str] = field(default_factory=list)


def scan_landing(root: Path, today: dt.date | None = None) -> LandingScan:
    """Every entity file of every drop under ``root``, in processing order (drop name, entity
    dependency order, part). Anything else is listed in ``ignored`` with the reason."""
    scan = LandingScan()
    if not root.is_dir():
        scan.warnings.append(f"landing zone {root} does not exist; nothing to ingest")
        return scan
    today = today or dt.datetime.now(dt.UTC).date()
    entity_order = {spec.entity: i for i, spec in enumerate(ENTITIES)}
    for drop_dir in sorted(p for p in root.iterdir()):
        match = DROP_PATTERN.match(drop_dir.name)
        if not drop_dir.is_dir() or not match:
            scan.ignored.append((str(drop_dir), "not a drop folder (YYYY-MM-DD[T...])"))
            continue
        try:
            drop_date = dt.date.fromisoformat(match["date"])
        except ValueError:
            scan.ignored.append((str(drop_dir), f"{match['date']!r} is not a calendar date"))
            continue
        if drop_date > today:
            scan.warnings.append(f"drop {drop_dir.name} is dated in the future; ingested anyway")
        for path in sorted(drop_dir.iterdir()):
            file_match = FILE_PATTERN.match(path.name)
            entity = file_match["entity"] if file_match else None
            part = (file_match["part"] or "") if file_match else ""
            if entity not in _ENTITY_NAMES and (exported := campaign_manager.entity_for_file_name(path.name)):
                entity, part = exported, path.stem  # named as Campaign Manager names its exports
            if not path.is_file() or entity not in _ENTITY_NAMES:
                scan.ignored.append(
                    (
                        str(path),
                        "unknown file name; expected <entity>[-<part>].csv "
                        f"with entity one of {', '.join(sorted(_ENTITY_NAMES))}",
                    )
                )
                continue
            assert entity is not None
            scan.files.append(LandingFile(drop_dir.name, entity, part, path, path.stat().st_size))
    scan.files.sort(key=lambda f: (f.drop, entity_order[f.entity], f.part))
    return scan


MAX_HEADER_BYTES = 1 << 20  # a header line longer than this is not a Marketo extract


def read_header(path: Path) -> list[str]:
    """The header row, BOM stripped; raises :class:`UnusableFileError` when unusable."""
    try:
        with path.open("rb") as handle:
            first = handle.readline(MAX_HEADER_BYTES)
            truncated = len(first) == MAX_HEADER_BYTES and not first.endswith(b"\n") and bool(handle.read(1))
    except OSError as exc:
        # Permissions, a file removed mid-scan, a directory named like a file: name it, do not crash.
        raise UnusableFileError(path, 1, f"cannot read the file: {exc.strerror or exc}") from exc
    if truncated:
        raise UnusableFileError(path, 1, f"no line break in the first {MAX_HEADER_BYTES:,} bytes: not a CSV header")
    if not first.strip():
        raise UnusableFileError(path, 1, "empty file: no header row")
    if first.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnusableFileError(
            path, 1, "header is not UTF-8 text (UTF-16 byte order mark); re-export the file as UTF-8"
        )
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnusableFileError(
            path, 1, f"header is not UTF-8 text ({exc.reason} at byte {exc.start}); re-export the file as UTF-8"
        ) from exc
    if "\x00" in text:
        raise UnusableFileError(path, 1, "binary content: not a CSV file")
    try:
        header = next(csv.reader(io.StringIO(text.removeprefix(_UTF8_BOM))), [])
    except csv.Error as exc:  # e.g. a lone carriage return inside an unquoted field
        raise UnusableFileError(path, 1, f"header is not a CSV row: {exc}") from exc
    return [name.strip() for name in header]


def landing_header(path: Path) -> list[str]:
    """The header a file is loaded with: its own, or for a LinkedIn Campaign Manager export the
    header of the file it is converted to (see :mod:`buying_groups.ingest.campaign_manager`)."""
    try:
        export = campaign_manager.sniff(path)
    except OSError as exc:
        raise UnusableFileError(path, 1, f"cannot read the file: {exc.strerror or exc}") from exc
    except campaign_manager.ExportError as exc:
        raise UnusableFileError(path, 1, f"LinkedIn Campaign Manager export: {exc}") from exc
    if export is not None:
        try:
            campaign_manager.conversion_sql(export)  # every column it needs is there
        except campaign_manager.ExportError as exc:
            raise UnusableFileError(path, export.header_line, f"LinkedIn Campaign Manager export: {exc}") from exc
        return export.canonical_header
    return read_header(path)


def check_header(spec: EntitySpec, path: Path, header: list[str]) -> None:
    seen: set[str] = set()
    duplicated = sorted({name for name in header if name in seen or seen.add(name)})  # type: ignore[func-returns-value]
    if duplicated:
        names = ", ".join(name or "(empty name)" for name in duplicated)
        raise UnusableFileError(path, 1, f"duplicated column(s) in header: {names}")
    missing = [name for name in spec.required_source_columns if name not in header]
    if missing:
        hint = ""
        if len(header) == 1 and any(sep in header[0] for sep in (";", "\t", "|")):
            hint = " (the file does not look comma-separated)"
        else:
            # Marketo field names are case-sensitive; an export tool that re-cases them is a common cause.
            by_lower = {name.lower(): name for name in header}
            recased = [f"{by_lower[name.lower()]!r} for {name!r}" for name in missing if name.lower() in by_lower]
            if recased:
                hint = f" (column names are case-sensitive: found {', '.join(recased)})"
        shown = ", ".join(header) or "(nothing)"
        if len(shown) > 300:
            shown = shown[:300] + "..."
        raise UnusableFileError(
            path,
            1,
            f"missing required column(s) {', '.join(missing)} for {spec.entity}{hint}; header has: {shown}",
        )


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def ensure_ledger(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ledger ``meta.landing_files`` if absent (``sql/ingest/ledger.sql``)."""
    run_sql(con, "ingest/ledger")


@dataclass
class RegisterResult:
    new_files: list[LandingFile]
    changed_files: list[str]
    scan: LandingScan


def register_landing_files(con: duckdb.DuckDBPyConnection, root: Path) -> RegisterResult:
    """Record new landing files as *pending* in ``meta.landing_files`` after checking their
    headers. Files already ingested are left alone (re-ingesting a drop changes nothing); an
    ingested file whose size changed since is reported in ``changed_files``, not re-read (replay
    the drop to read it again). A file still *pending* (its last run failed) is checked again,
    so fixing it in place and re-running is enough.

    Every header is checked before anything is written: one unusable file stops the whole
    registration, and the ledger is left exactly as it was."""
    ensure_ledger(con)
    scan = scan_landing(root)
    known = {
        (drop, name): (size, status, list(header))
        for drop, name, size, status, header in con.execute(
            'SELECT "drop", source_file, byte_size, status, header FROM meta.landing_files'
        ).fetchall()
    }
    specs = {spec.entity: spec for spec in ENTITIES}
    new_rows, new_files, changed, refreshed = [], [], [], []
    for landing_file in scan.files:
        key = (landing_file.drop, landing_file.name)
        if key in known:
            size, status, stored_header = known[key]
            if status == "pending":
                # Its last load failed (too many rejects, unreadable): the operator may have
                # fixed the file since, so the ledger must describe the file as it is now.
                header = landing_header(landing_file.path)
                check_header(specs[landing_file.entity], landing_file.path, header)
                if header != stored_header or landing_file.size != size:
                    refreshed.append((landing_file, file_sha256(landing_file.path), header))
            elif landing_file.size != size:
                # Size is cheap; hashing every ingested file on every run is not.
                changed.append(str(landing_file.path))
                scan.warnings.append(
                    f"{landing_file.path} changed since it was ingested ({size:,} -> {landing_file.size:,} bytes); "
                    f"not read again: deliver it in a new drop or replay drop {landing_file.drop}"
                )
            continue
        header = landing_header(landing_file.path)
        check_header(specs[landing_file.entity], landing_file.path, header)
        new_files.append(landing_file)
        new_rows.append((landing_file, file_sha256(landing_file.path), header))
    con.execute("BEGIN TRANSACTION")
    try:
        for landing_file, sha, header in refreshed:
            con.execute(
                """
                UPDATE meta.landing_files SET byte_size = $size, sha256 = $sha, header = $header,
                    path = $path, discovered_at = now()::TIMESTAMP
                WHERE "drop" = $drop AND source_file = $file AND status = 'pending'
                """,
                _ledger_values(landing_file, sha, header),
            )
        for landing_file, sha, header in new_rows:
            con.execute(
                """
                INSERT INTO meta.landing_files
                ("drop", source_file, entity, part, path, byte_size, sha256, header, status, discovered_at)
                VALUES ($drop, $file, $entity, $part, $path, $size, $sha, $header, 'pending', now()::TIMESTAMP)
                """,
                {**_ledger_values(landing_file, sha, header), "entity": landing_file.entity, "part": landing_file.part},
            )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return RegisterResult(new_files, changed, scan)


def _ledger_values(landing_file: LandingFile, sha: str, header: list[str]) -> dict[str, object]:
    return {
        "drop": landing_file.drop,
        "file": landing_file.name,
        "path": str(landing_file.path.resolve()),
        "size": landing_file.size,
        "sha": sha,
        "header": header,
    }
