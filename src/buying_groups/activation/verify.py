"""Independent verification of the files on disk, for the blocking asset checks.

Deliberately shares no code with the writers (no import from ``linkedin``/``csv_files``):
headers are restated from SPEC §6, files are read back with the ``csv`` module, the suppressed
set is re-derived with its own SQL and hashed here with :mod:`hashlib`. A bug in the writer
therefore cannot hide itself from the check.

Problems never quote an email address (the check's metadata is visible in the UI): they name
the file and line.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from buying_groups.sql_files import run_sql

EXPECTED_COMPANY_HEADER = [
    "companyname", "companywebsite", "companyemaildomain", "linkedincompanypageurl",
    "stocksymbol", "industry", "city", "state", "companycountry", "zipcode",
]  # fmt: skip
EXPECTED_CONTACT_HEADER = [
    "email", "firstname", "lastname", "jobtitle", "employeecompany", "country", "googleaid",
]  # fmt: skip
INJECTION_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Characters a spreadsheet may skip before a formula: separators, control, format characters.
_INVISIBLE_CATEGORIES = {"Zs", "Zl", "Zp", "Cc", "Cf"}
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_MAX_PROBLEMS_REPORTED = 20


@dataclass
class Verification:
    """Outcome of one check: passes when no problem was found."""

    checked_files: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    def add(self, problem: str) -> None:
        self.problems.append(problem)

    def summary(self) -> list[str]:
        shown = self.problems[:_MAX_PROBLEMS_REPORTED]
        hidden = len(self.problems) - len(shown)
        return shown + ([f"... and {hidden} more"] if hidden else [])


# The names of the pipeline's list files (restated here, not imported from the writer).
_LIST_FILE_NAME = re.compile(r"(companies|companies_missing_[a-z0-9]+(-[a-z0-9]+)*|contacts)(_part\d{3})?\.csv")


def _manifest_paths(linkedin_root: Path) -> list[str]:
    try:
        manifest = json.loads((linkedin_root / "manifest.json").read_text(encoding="utf-8"))
        return [str(entry["path"]) for entry in manifest["files"]]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def linkedin_csv_files(linkedin_root: Path) -> list[Path]:
    """The pipeline's list files on disk: every file the manifest names, and every file named
    like a list in the folders the manifest names (a leftover of ours the manifest forgot).
    Other files under ``<output>/linkedin/`` (a team's notes folder, ``contacts (copy).csv``)
    are not the pipeline's and not checked."""
    listed = [linkedin_root / path for path in _manifest_paths(linkedin_root)]
    named_like_ours = [
        path
        for folder in {path.parent for path in listed}
        if folder.is_dir()
        for path in folder.iterdir()
        if _LIST_FILE_NAME.fullmatch(path.name)
    ]
    return sorted({path for path in [*listed, *named_like_ours] if path.is_file()})


def _read_rows(path: Path) -> Iterator[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.reader(handle)


def _expected_header(path: Path) -> list[str] | None:
    if path.name.startswith("contacts"):
        return EXPECTED_CONTACT_HEADER
    if path.name.startswith("companies"):
        return EXPECTED_COMPANY_HEADER
    return None


def verify_headers(linkedin_root: Path) -> Verification:
    result = Verification()
    for path in linkedin_csv_files(linkedin_root):
        result.checked_files += 1
        expected = _expected_header(path)
        if expected is None:
            result.add(f"{path.name}: not a known LinkedIn list name")
            continue
        header = next(_read_rows(path), None)
        if header != expected:
            result.add(f"{path.relative_to(linkedin_root)}: header {header} != {expected}")
    return result


def _formula_start(text: str) -> str | None:
    """The trigger ``text`` starts a formula with, after any invisible characters: one of
    ``= + - @``, tab or CR, or a character whose compatibility form (NFKC) is one of the
    first four (full-width U+FF1D for ``=``, small U+FE62 for ``+``, ...); None when it does not."""
    if text.startswith(INJECTION_TRIGGERS):
        return text[0]
    if text[:1].isascii() and text[:1].isalnum():
        return None  # most cells: a visible ASCII letter or digit first, its own NFKC form
    for character in text:
        if unicodedata.category(character) in _INVISIBLE_CATEGORIES:
            continue
        if character in INJECTION_TRIGGERS or unicodedata.normalize("NFKC", character) in INJECTION_TRIGGERS[:4]:
            return character
        return None
    return None


def verify_injection_safe(paths: list[Path]) -> Verification:
    """No cell of any file starts a formula (OWASP CSV injection), nor does any part of a
    cell after a ``;`` (a cell of its own for a spreadsheet that separates lists with ``;``)."""
    result = Verification()
    for path in paths:
        result.checked_files += 1
        for line_number, row in enumerate(_read_rows(path), start=1):
            for column_number, cell in enumerate(row, start=1):
                for piece in cell.split(";"):
                    trigger = _formula_start(piece)
                    if trigger is not None:
                        where = "starts with" if piece is cell or cell.startswith(piece) else "after ';' comes"
                        result.add(f"{path.name} line {line_number} column {column_number}: {where} {trigger!r}")
                        break
    return result


def verify_size_limits(linkedin_root: Path, max_rows: int, max_bytes: int) -> Verification:
    result = Verification()
    for path in linkedin_csv_files(linkedin_root):
        result.checked_files += 1
        size = os.path.getsize(path)
        data_rows = sum(1 for _ in _read_rows(path)) - 1
        if size > max_bytes:
            result.add(f"{path.relative_to(linkedin_root)}: {size} bytes > {max_bytes}")
        if data_rows > max_rows:
            result.add(f"{path.relative_to(linkedin_root)}: {data_rows} rows > {max_rows}")
    return result


def verify_manifest(linkedin_root: Path) -> Verification:
    """The manifest names every list file on disk and each checksum, size and row count
    matches the bytes on disk."""
    result = Verification()
    manifest_path = linkedin_root / "manifest.json"
    if not manifest_path.is_file():
        result.add(f"{manifest_path} is missing")
        return result
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    listed: set[Path] = set()
    for entry in manifest.get("files", []):
        path = linkedin_root / entry["path"]
        listed.add(path)
        result.checked_files += 1
        if not path.is_file():
            result.add(f"{entry['path']}: listed in the manifest but missing on disk")
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            result.add(f"{entry['path']}: sha256 differs from the manifest")
        if len(data) != entry.get("byte_size"):
            result.add(f"{entry['path']}: {len(data)} bytes, manifest says {entry.get('byte_size')}")
        data_rows = sum(1 for _ in _read_rows(path)) - 1
        if data_rows != entry.get("row_count"):
            result.add(f"{entry['path']}: {data_rows} rows, manifest says {entry.get('row_count')}")
    for path in linkedin_csv_files(linkedin_root):
        if path not in listed:
            result.add(
                f"{path.relative_to(linkedin_root)}: on disk but not in the manifest "
                "(named like a list but not written by the pipeline: move it out of the folder)"
            )
    return result


def _as_read(email: str) -> str:
    """An address as a person reads it: no whitespace or invisible formatting characters, lower
    case, no ``mailto:``, no trailing dots, commas or semicolons."""
    if email.isascii():
        # ASCII has no format (Cf) or separator character that is not also whitespace, and
        # split() drops exactly the whitespace: the same result as below, without a Python
        # step per character (tens of thousands of suppressed addresses per check).
        visible = "".join(email.split())
    else:
        visible = "".join(
            ch for ch in email if not (ch.isspace() or unicodedata.category(ch) in ("Cf", "Zs", "Zl", "Zp"))
        )
    return visible.lower().removeprefix("mailto:").rstrip(".,;")


def suppressed_emails(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Normalised emails that must never appear, from the warehouse (own SQL, own normalisation)."""
    rows = run_sql(con, "activation/check_suppressed_emails").fetchall()
    return {normalised for (email,) in rows if email and (normalised := _as_read(email))}


def verify_no_suppressed_contacts(
    con: duckdb.DuckDBPyConnection, linkedin_root: Path, *, hash_emails: bool | None = None
) -> Verification:
    """No contacts file holds a suppressed email, in plain text or as its SHA-256 - both forms
    are compared whatever the setting. With ``hash_emails`` true every email must be a
    SHA-256 hex (no plain address leaked); ``None`` reads the setting from the manifest."""
    result = Verification()
    blocked_plain = suppressed_emails(con)
    blocked_hashed = {hashlib.sha256(email.encode("utf-8")).hexdigest() for email in blocked_plain}
    if hash_emails is None:
        manifest_path = linkedin_root / "manifest.json"
        if manifest_path.is_file():
            hash_emails = bool(json.loads(manifest_path.read_text("utf-8")).get("hash_emails"))
    for path in linkedin_csv_files(linkedin_root):
        if not path.name.startswith("contacts"):
            continue
        result.checked_files += 1
        rows = _read_rows(path)
        header = next(rows, [])
        if "email" not in header:
            result.add(f"{path.relative_to(linkedin_root)}: no email column")
            continue
        email_column = header.index("email")
        for line_number, row in enumerate(rows, start=2):
            raw = row[email_column] if email_column < len(row) else ""
            # Undo the injection guard's quote and normalise the way consent is compared.
            email = raw.removeprefix("'").strip().lower()
            if not email:
                result.add(f"{path.relative_to(linkedin_root)} line {line_number}: empty email")
            elif email in blocked_plain or email in blocked_hashed:
                result.add(f"{path.relative_to(linkedin_root)} line {line_number}: suppressed person")
            elif hash_emails and not _SHA256_HEX.fullmatch(email):
                result.add(
                    f"{path.relative_to(linkedin_root)} line {line_number}: email not hashed although hash_emails is on"
                )
    return result


def verify_sales_handoff_csv(con: duckdb.DuckDBPyConnection, path: Path) -> Verification:
    """The hand-off CSV is injection safe and holds no email of a suppressed person."""
    result = verify_injection_safe([path]) if path.is_file() else Verification()
    if not path.is_file():
        result.add(f"{path} is missing")
        return result
    blocked = suppressed_emails(con)
    rows = _read_rows(path)
    header = next(rows, [])
    if "email" not in header:
        result.add(f"{path.name}: no email column")
        return result
    email_column = header.index("email")
    for line_number, row in enumerate(rows, start=2):
        email = row[email_column].removeprefix("'").strip().lower()
        if email and email in blocked:
            result.add(f"{path.name} line {line_number}: suppressed email handed to sales")
    return result
