"""Generate the hostile-input corpus: landing files that real extract pipelines produce on a bad day.

Each case is a small landing zone (``<root>/<case>/<drop>/<file>``) holding one hostile file
next to valid rows, so a test can check both the documented outcome and that every valid row
of a usable file is still ingested. Nothing big is committed: tests call :func:`build_case`
into ``tmp_path``; run this script to materialise the corpus on disk for a manual look::

    python tests/data/make_hostile_corpus.py tests/data/hostile

The expected outcome of every case lives in :data:`CASES` (and in the table of docs/data-quality.md,
section "What happens to each kind of hostile file").
"""

from __future__ import annotations

import argparse
import csv
import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DROP = "2026-11-02"
FUTURE_DROP = "2999-01-01"

LEAD_HEADER = [
    "id",
    "email",
    "firstName",
    "lastName",
    "title",
    "contactCompany",
    "country",
    "unsubscribed",
    "marketoIsDeleted",
    "createdAt",
    "updatedAt",
]


def lead_row(lead_id: int, *, title: str = "CEO", updated: str = "2026-11-01T10:00:00Z") -> list[str]:
    return [
        str(lead_id),
        f"person{lead_id}@acme.com",
        "Ann",
        "Lee",
        title,
        "1",
        "US",
        "false",
        "false",
        "2026-01-01T00:00:00Z",
        updated,
    ]


def csv_text(rows: list[list[str]], *, line_end: str = "\n") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=line_end).writerows(rows)
    return buffer.getvalue()


def leads_csv(*rows: list[str], line_end: str = "\n") -> bytes:
    return csv_text([LEAD_HEADER, *rows], line_end=line_end).encode("utf-8")


def line(*values: str) -> bytes:
    return (",".join(values) + "\n").encode("utf-8")


@dataclass(frozen=True)
class Case:
    """One hostile file. ``outcome`` is ``unusable`` (the run fails naming file, line and
    reason), ``quarantined`` (bad records go to b2b.rejected_rows, the rest is ingested),
    ``ingested`` (nothing is wrong enough to reject) or ``ignored`` (not read at all)."""

    name: str
    description: str
    outcome: str
    files: Callable[[], dict[str, bytes]]  # relative path under the case root -> bytes
    valid_ids: tuple[int, ...] = ()  # lead ids that must be in b2b.persons afterwards
    reason: str = ""  # regex the error / reject reason must match
    reject_lines: tuple[int, ...] = ()  # line numbers quarantined in b2b.rejected_rows
    documented: str = ""  # the outcome in words, for the table in docs/data-quality.md


def _path(name: str = "leads.csv", drop: str = DROP) -> str:
    return f"{drop}/{name}"


def _ragged() -> dict[str, bytes]:
    # Too few fields (too many is covered by test_record_with_too_many_fields_is_not_silently_truncated).
    body = leads_csv(lead_row(1)) + line("2", "too", "few") + line(*lead_row(4))
    return {_path(): body}


def _unterminated_quote() -> dict[str, bytes]:
    # The quote opened on line 3 is never closed: everything after it is one unreadable record.
    broken = lead_row(2)
    broken[4] = '"CEO, unterminated'
    body = leads_csv(lead_row(1)) + (",".join(broken) + "\n").encode() + line(*lead_row(3))
    return {_path(): body}


def _invalid_utf8() -> dict[str, bytes]:
    bad = ",".join(lead_row(2)).encode().replace(b"CEO", b"C\xff\xfeO")
    return {_path(): leads_csv(lead_row(1)) + bad + b"\n" + line(*lead_row(3))}


def _latin1_row() -> dict[str, bytes]:
    bad = ",".join(lead_row(2, title="Directeur Général")).encode("latin-1")
    return {_path(): leads_csv(lead_row(1)) + bad + b"\n" + line(*lead_row(3))}


def _huge_field() -> dict[str, bytes]:
    # 10 MB in one quoted field: a runaway free-text column. Read, kept, never a crash.
    big = lead_row(2, title="X" * (10 * 1024 * 1024))
    return {_path(): leads_csv(lead_row(1), big, lead_row(3))}


def _binary_garbage() -> dict[str, bytes]:
    rng = random.Random(7)
    return {_path(): bytes(rng.randrange(256) for _ in range(4096))}


def _binary_after_header() -> dict[str, bytes]:
    # A valid header then garbage rows: most records unreadable, so the file exceeds the
    # rejected-share threshold and the run stops before merging (a truncated/corrupt copy).
    rng = random.Random(11)
    garbage = bytes(rng.choice(b'\x00\x01\x02\x7f\xc3\x28,\n"ab') for _ in range(2000))
    return {_path(): leads_csv(lead_row(1)) + garbage}


def _crlf_mix() -> dict[str, bytes]:
    body = (
        csv_text([LEAD_HEADER, lead_row(1)], line_end="\r\n")
        + csv_text([lead_row(2)])
        + csv_text([lead_row(3)], line_end="\r\n")
    )
    return {_path(): body.encode()}


def _other_date_formats() -> dict[str, bytes]:
    rows = [
        lead_row(1),
        lead_row(2, updated="11/02/2026"),  # US date: ambiguous, rejected
        lead_row(3, updated="2026-11-02 14:06"),  # ISO with a space, no seconds: read
        lead_row(4, updated="1793628000"),  # epoch seconds: rejected
        lead_row(5, updated="02.11.2026"),  # German date: rejected
    ]
    return {_path(): leads_csv(*rows)}


def _unknown_file() -> dict[str, bytes]:
    return {
        _path(): leads_csv(lead_row(1)),
        _path("contacts.csv"): leads_csv(lead_row(2)),
        _path("leads.csv.bak"): leads_csv(lead_row(3)),
        _path("README.txt"): b"extract notes\n",
        "not-a-drop/leads.csv": leads_csv(lead_row(4)),
    }


def _future_drop() -> dict[str, bytes]:
    return {_path(drop=FUTURE_DROP): leads_csv(lead_row(1))}


def _header_only() -> dict[str, bytes]:
    return {_path(): csv_text([LEAD_HEADER]).encode()}


def _bom_and_null() -> dict[str, bytes]:
    row = lead_row(2)
    row[2] = "null"
    return {_path(): b"\xef\xbb\xbf" + leads_csv(lead_row(1), row)}


def _nul_in_row() -> dict[str, bytes]:
    bad = ",".join(lead_row(2)).encode().replace(b"Ann", b"A\x00n")
    return {_path(): leads_csv(lead_row(1)) + bad + b"\n" + line(*lead_row(3))}


CASES: list[Case] = [
    Case("empty_file", "empty file (0 bytes)", "unusable", lambda: {_path(): b""}, reason=r":1: empty file"),
    Case(
        "whitespace_only",
        "only blank lines",
        "unusable",
        lambda: {_path(): b"\n\r\n  \n"},
        reason=r":1: empty file",
    ),
    Case("header_only", "header row, no records", "ingested", _header_only, documented="nothing to ingest; no error"),
    Case(
        "wrong_delimiter",
        "semicolon-separated",
        "unusable",
        lambda: {_path(): csv_text([LEAD_HEADER, lead_row(1)]).replace(",", ";").encode()},
        reason=r":1: missing required column.*does not look comma-separated",
    ),
    Case(
        "missing_required_column",
        "no `email` column",
        "unusable",
        lambda: {
            _path(): csv_text(
                [[h for h in LEAD_HEADER if h != "email"], [v for i, v in enumerate(lead_row(1)) if i != 1]]
            ).encode()
        },
        reason=r":1: missing required column\(s\) email for leads",
    ),
    Case(
        "duplicated_header",
        "`title` twice in the header",
        "unusable",
        lambda: {_path(): csv_text([[*LEAD_HEADER, "title"], [*lead_row(1), "CTO"]]).encode()},
        reason=r":1: duplicated column\(s\) in header: title",
    ),
    Case(
        "ragged_rows",
        "a record with too few fields",
        "quarantined",
        _ragged,
        valid_ids=(1, 4),
        reason=r"csv: missing columns",
        reject_lines=(3,),
    ),
    Case(
        "unterminated_quote",
        "a quote opened and never closed",
        "quarantined",
        _unterminated_quote,
        valid_ids=(1,),
        reason=r"csv: ",
        reject_lines=(3,),
        documented="the records from the open quote to the end of the file read as one record, quarantined "
        "(`csv: missing columns`, the raw text in `raw_record`); the records before it are ingested",
    ),
    Case(
        "invalid_utf8_row",
        "bytes `FF FE` inside a record",
        "quarantined",
        _invalid_utf8,
        valid_ids=(1, 3),
        reason=r"csv: invalid encoding",
        reject_lines=(3,),
    ),
    Case(
        "latin1_row",
        "a record encoded in Latin-1 (`Général`)",
        "quarantined",
        _latin1_row,
        valid_ids=(1, 3),
        reason=r"csv: invalid encoding",
        reject_lines=(3,),
    ),
    Case(
        "utf16_file",
        "the whole file in UTF-16 (Excel 'Unicode text')",
        "unusable",
        lambda: {_path(): csv_text([LEAD_HEADER, lead_row(1)]).encode("utf-16")},
        reason=r":1: header is not UTF-8",
    ),
    Case(
        "latin1_header",
        "a header in Latin-1",
        "unusable",
        lambda: {_path(): csv_text([[*LEAD_HEADER, "société"], [*lead_row(1), "x"]]).encode("latin-1")},
        reason=r":1: header is not UTF-8",
    ),
    Case(
        "huge_field",
        "a 10 MB value in one field",
        "ingested",
        _huge_field,
        valid_ids=(1, 2, 3),
        documented="read and kept (records up to 32 MB); a longer record is quarantined as `csv: line size`",
    ),
    Case(
        "binary_garbage",
        "4 KB of random bytes named leads.csv",
        "unusable",
        _binary_garbage,
        reason=r":1: (header is not UTF-8|binary content|missing required)",
    ),
    Case(
        "binary_after_header",
        "a valid header, one valid record, then binary garbage",
        "rejected_share",
        _binary_after_header,
        reason=r"rows quarantined .* above the allowed",
        documented="garbage records quarantined; the file's rejected share exceeds the threshold (5 %), "
        "the run stops before merging it, naming the file and the first bad lines",
    ),
    Case(
        "nul_in_row",
        "a NUL byte inside a record",
        "ingested",
        _nul_in_row,
        valid_ids=(1, 2, 3),
        documented="read; the NUL is kept in the text value (no crash)",
    ),
    Case("crlf_lf_mix", "CRLF and LF line ends mixed", "ingested", _crlf_mix, valid_ids=(1, 2, 3)),
    Case("bom_and_null", "UTF-8 BOM and the literal `null`", "ingested", _bom_and_null, valid_ids=(1, 2)),
    Case(
        "unknown_file_names",
        "`contacts.csv`, `leads.csv.bak`, `README.txt` in a drop; a folder that is not a drop",
        "ignored",
        _unknown_file,
        valid_ids=(1,),
        documented="not read; each listed with the reason in the `landing/drops` metadata and a warning",
    ),
    Case(
        "future_drop",
        f"drop folder dated {FUTURE_DROP}",
        "ingested",
        _future_drop,
        valid_ids=(1,),
        documented="ingested, with a warning (clocks and time zones differ; refusing would lose data)",
    ),
    Case(
        "other_date_formats",
        "`updatedAt` as `11/02/2026`, `2026-11-02 14:06`, epoch `1793628000`, `02.11.2026`",
        "quarantined",
        _other_date_formats,
        valid_ids=(1, 3),
        reason=r"type: not a valid TIMESTAMP",
        reject_lines=(3, 5, 6),
        documented="ISO-8601 variants (space separator, no seconds, offset) are read; `11/02/2026`, epoch and "
        "`02.11.2026` quarantine the row (`updatedAt` `type: not a valid TIMESTAMP`): day/month order "
        "cannot be guessed safely",
    ),
]

CASES_BY_NAME = {case.name: case for case in CASES}


def build_case(case: Case | str, root: Path) -> Path:
    """Write the case's files under ``root`` (a landing zone) and return ``root``."""
    case = CASES_BY_NAME[case] if isinstance(case, str) else case
    for relative, data in case.files().items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def build_corpus(out: Path) -> list[Path]:
    return [build_case(case, out / case.name) for case in CASES]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="folder to write one landing zone per case into")
    args = parser.parse_args()
    for path in build_corpus(args.out):
        print(path)


if __name__ == "__main__":
    main()
