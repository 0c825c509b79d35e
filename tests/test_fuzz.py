"""Fuzzing CSV ingestion: hypothesis writes hostile files under a valid header.

Whatever the bytes, ingestion either refuses the file as a whole (``UnusableFileError``, naming
file and line) or ingests it; it never crashes with anything else, never loses a record
silently (records read = rows kept + rows superseded in the batch + rows quarantined, and for
well-formed CSV records read = records written) and ``b2b.*`` always passes its Pandera model.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buying_groups.ingest import UnusableFileError, register_landing_files
from buying_groups.model import ENTITIES, entity_by_table
from buying_groups.model.validation import validate_table
from buying_groups.validated import EntityLoadResult, load_entity
from tests.conftest import LEAD_HEADER, MUNCHKIN, lead

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that breaks naive CSV handling: quotes, delimiters, both line ends, a BOM mid-file, NUL,
# Marketo's `null`, non-ASCII, and values that look like the real thing.
nasty_text = st.one_of(
    st.sampled_from(
        ['"', '""', ",", "\n", "\r\n", "\r", "\ufeff", "\x00", "null", "NULL", " ", "é", "😀", "=1+1", "\\", "'"]
    ),
    st.sampled_from(["42", "CEO", "a@b.co", "2026-11-02T14:06:20Z", "11/02/2026", "true", "-1", ""]),
    st.text(max_size=12),
)
field = st.lists(nasty_text, max_size=4).map("".join)
valid_row = st.builds(lambda i, t: [str(v) for v in lead(i, title=t)], st.integers(1, 30), field)
# Mostly rows of the right width (so some survive), some too short, too long or empty.
row = st.one_of(valid_row, valid_row, st.lists(field, min_size=1, max_size=len(LEAD_HEADER) + 2))


@contextlib.contextmanager
def landing_with(body: bytes) -> Iterator[tuple[duckdb.DuckDBPyConnection, Path]]:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        path = root / "landing" / "2026-11-01" / "leads.csv"
        path.parent.mkdir(parents=True)
        path.write_bytes(body)
        con = duckdb.connect(str(root / "warehouse.duckdb"))
        con.execute("SET TimeZone = 'UTC'")
        try:
            yield con, root / "landing"
        finally:
            con.close()


def rfc4180(rows: list[list[str]], line_end: str) -> bytes:
    """RFC 4180 text. Not ``csv.writer``: with ``lineterminator="\n"`` it leaves a lone CR
    unquoted, which every CSV reader (rightly) takes for a line break."""

    def quoted(value: str) -> str:
        return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\r\n') else value

    # A record of one empty field is `""`: an empty line is no record at all (RFC 4180, and DuckDB).
    lines = [",".join(quoted(v) for v in row) if row != [""] else '""' for row in rows]
    return "".join(line + line_end for line in lines).encode("utf-8")


def header_bytes(bom: bool, line_end: str) -> bytes:
    return ("\ufeff" if bom else "").encode() + (",".join(LEAD_HEADER) + line_end).encode()


def ingest_leads(con: duckdb.DuckDBPyConnection, landing: Path) -> EntityLoadResult | None:
    """Register and load; ``None`` when the file is refused as a whole (the only allowed error)."""
    try:
        register_landing_files(con, landing)
    except UnusableFileError as error:
        assert str(error).startswith(str(landing)) and ":1: " in str(error)
        return None
    return load_entity(con, entity_by_table("leads"), MUNCHKIN, max_rejected_share=1.0)


def assert_nothing_lost_and_tables_valid(con: duckdb.DuckDBPyConnection, result: EntityLoadResult) -> None:
    kept = con.execute("SELECT count(*) FROM b2b.persons").fetchone()[0]
    assert kept == result.rows_applied  # a fresh warehouse: nothing stale, every applied key is a row
    assert result.rows_read == result.rows_applied + result.rows_superseded_in_batch + result.rows_quarantined
    quarantined_lines = con.execute(
        "SELECT count(DISTINCT line_number) FROM b2b.rejected_rows WHERE disposition = 'quarantined'"
    ).fetchone()[0]
    assert quarantined_lines == result.rows_quarantined
    ledger = con.execute("SELECT status, rows_read, rows_quarantined FROM meta.landing_files").fetchall()
    assert ledger == [("ingested", result.rows_read, result.rows_quarantined)]
    for spec in ENTITIES:
        validation = validate_table(con, spec)
        assert validation.passed, (spec.table, validation.violations, validation.failure_cases[:3])


@FUZZ
@given(rows=st.lists(row, max_size=15), bom=st.booleans(), crlf=st.booleans())
def test_well_formed_csv_with_nasty_values_loses_no_record(rows, bom, crlf):
    line_end = "\r\n" if crlf else "\n"
    body = header_bytes(bom, line_end) + rfc4180(rows, line_end)
    with landing_with(body) as (con, landing):
        result = ingest_leads(con, landing)
        assert result is not None  # the header is valid: the file is never refused
        # Every record written is read, whatever its width or content (a line break inside
        # quotes included): nothing can slip between "kept" and "quarantined".
        assert result.rows_read == len(rows)
        assert_nothing_lost_and_tables_valid(con, result)


@FUZZ
@given(
    prefix=st.lists(valid_row, max_size=4),
    garbage=st.binary(max_size=400),
    bom=st.booleans(),
)
def test_random_bytes_after_a_valid_header_never_crash(prefix, garbage, bom):
    body = header_bytes(bom, "\n") + rfc4180(prefix, "\n") + garbage
    with landing_with(body) as (con, landing):
        result = ingest_leads(con, landing)
        assert result is not None
        assert_nothing_lost_and_tables_valid(con, result)
        # The valid records before the garbage are kept (unless the garbage swallowed the line
        # end of the last one, e.g. an open quote, which quarantines that record instead).
        assert result.rows_applied + result.rows_quarantined + result.rows_superseded_in_batch >= len(prefix) - 1


@FUZZ
@given(body=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
def test_any_file_is_ingested_or_refused_with_file_and_line(body):
    with landing_with(body) as (con, landing):
        result = ingest_leads(con, landing)
        if result is not None:
            assert_nothing_lost_and_tables_valid(con, result)
