"""Hostile input (tests/data/make_hostile_corpus.py): every case has one documented outcome.

Function level for every case (register + load, a real DuckDB file), and a few cases end to end
through ``buying-groups run`` as a subprocess: exit code and a one-line ``error:`` on stderr
naming file, line and reason, not only a traceback.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from pathlib import Path

import duckdb
import pytest

from buying_groups.ingest import UnusableFileError, register_landing_files
from buying_groups.ingest.landing import read_header
from buying_groups.model import ENTITIES, entity_by_table
from buying_groups.validated import RejectedShareError, load_entity
from tests.conftest import LEAD_HEADER, MUNCHKIN, cli, lead, run_command, write_csv
from tests.data.make_hostile_corpus import CASES, DROP, Case, build_case, lead_row, leads_csv
from tests.data.make_hostile_corpus import LEAD_HEADER as HOSTILE_LEAD_HEADER

REPO = Path(__file__).resolve().parents[1]
PERMISSIVE = 0.99  # function-level cases are tiny: one bad record is already > 5 %


def ingest(con: duckdb.DuckDBPyConnection, landing: Path, max_share: float = PERMISSIVE):
    registered = register_landing_files(con, landing)
    results = {spec.entity: load_entity(con, spec, MUNCHKIN, max_share) for spec in ENTITIES}
    return registered, results


def person_ids(con: duckdb.DuckDBPyConnection) -> set[int]:
    return {int(key.split("@")[0]) for (key,) in con.execute("SELECT person_key FROM b2b.persons").fetchall()}


def quarantined(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str, str]]:
    return con.execute(
        'SELECT DISTINCT line_number, "check", raw_record FROM b2b.rejected_rows '
        "WHERE disposition = 'quarantined' ORDER BY 1"
    ).fetchall()


def hostile_path(case: Case, landing: Path) -> Path:
    return landing / next(iter(case.files()))


def cases(*outcomes: str) -> list[object]:
    return [pytest.param(case, id=case.name) for case in CASES if case.outcome in outcomes]


@pytest.mark.parametrize("case", cases("unusable"))
def test_unusable_file_stops_before_any_data_is_touched(case, con, tmp_path):
    landing = build_case(case, tmp_path / "landing")
    with pytest.raises(UnusableFileError, match=case.reason) as error:
        register_landing_files(con, landing)
    assert str(error.value).startswith(f"{hostile_path(case, landing)}:1: ")
    assert "\n" not in str(error.value)  # one line in logs and alerts
    assert con.execute("SELECT count(*) FROM meta.landing_files").fetchone() == (0,)


@pytest.mark.parametrize("case", cases("quarantined"))
def test_bad_records_are_quarantined_and_every_valid_record_is_kept(case, con, tmp_path):
    landing = build_case(case, tmp_path / "landing")
    _, results = ingest(con, landing)
    assert person_ids(con) == set(case.valid_ids)
    rejects = quarantined(con)
    assert [line for line, _, _ in rejects] == list(case.reject_lines)
    for _, check, raw_record in rejects:
        assert re.search(case.reason, check), check
        assert raw_record  # the operator can see what was rejected
    # Nothing vanishes: every record read is either in the table or in quarantine.
    leads = results["leads"]
    assert leads.rows_read == len(case.valid_ids) + len(case.reject_lines)
    assert leads.rows_quarantined == len(case.reject_lines)


@pytest.mark.parametrize("case", cases("ingested", "ignored"))
def test_harmless_oddities_are_ingested_without_rejects(case, con, tmp_path):
    landing = build_case(case, tmp_path / "landing")
    registered, _ = ingest(con, landing)
    assert person_ids(con) == set(case.valid_ids)
    assert quarantined(con) == []
    if case.outcome == "ignored":
        ignored = {Path(path).name for path, _ in registered.scan.ignored}
        assert ignored == {"contacts.csv", "leads.csv.bak", "README.txt", "not-a-drop"}
        assert all("unknown file name" in why or "not a drop folder" in why for _, why in registered.scan.ignored)


def test_future_dated_drop_is_ingested_with_a_warning(con, tmp_path):
    registered, _ = ingest(con, build_case("future_drop", tmp_path / "landing"))
    assert any("dated in the future" in warning for warning in registered.scan.warnings)


def test_huge_field_is_kept_whole(con, tmp_path):
    ingest(con, build_case("huge_field", tmp_path / "landing"))
    assert con.execute("SELECT max(length(job_title)) FROM b2b.persons").fetchone() == (10 * 1024 * 1024,)


def test_iso_variants_are_read_and_other_date_formats_quarantined(con, tmp_path):
    ingest(con, build_case("other_date_formats", tmp_path / "landing"))
    assert con.execute("SELECT person_key, updated_at FROM b2b.persons ORDER BY 1").fetchall() == [
        (f"1@{MUNCHKIN}.Marketo", dt.datetime(2026, 11, 1, 10, 0)),
        (f"3@{MUNCHKIN}.Marketo", dt.datetime(2026, 11, 2, 14, 6)),
    ]
    values = con.execute('SELECT "value" FROM b2b.rejected_rows ORDER BY line_number').fetchall()
    assert values == [("11/02/2026",), ("1793628000",), ("02.11.2026",)]


def test_garbage_after_a_valid_header_exceeds_the_rejected_share_and_merges_nothing(con, tmp_path):
    case = next(c for c in CASES if c.name == "binary_after_header")
    landing = build_case(case, tmp_path / "landing")
    register_landing_files(con, landing)
    with pytest.raises(RejectedShareError, match=case.reason) as error:
        load_entity(con, entity_by_table("leads"), MUNCHKIN, 0.05)
    assert re.search(rf"{DROP}/leads.csv: \d+ of \d+ rows quarantined .* First: line \d+: ", str(error.value))
    assert con.execute("SELECT count(*) FROM b2b.persons").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM b2b.rejected_rows").fetchone()[0] > 0
    assert con.execute("SELECT status FROM meta.landing_files").fetchall() == [("pending",)]


def test_record_with_too_many_fields_is_not_silently_truncated(con, tmp_path):
    path = tmp_path / "landing" / DROP / "leads.csv"
    write_csv(path, HOSTILE_LEAD_HEADER, [lead_row(1), [*lead_row(2), "surplus"], lead_row(3)])
    ingest(con, tmp_path / "landing")
    assert person_ids(con) == {1, 3}
    line, check, disposition, raw = con.execute(
        'SELECT line_number, "check", disposition, raw_record FROM b2b.rejected_rows'
    ).fetchone()
    assert (line, check, disposition) == (3, "csv: too many columns", "quarantined")
    assert '"id":"2"' in raw


def test_trailing_empty_field_and_null_literal_are_not_shape_errors(con, tmp_path):
    path = tmp_path / "landing" / DROP / "leads.csv"
    row = lead_row(1)
    write_csv(path, HOSTILE_LEAD_HEADER, [[*row, ""], [*lead_row(2)[:-1], "null"]])
    ingest(con, tmp_path / "landing")
    assert person_ids(con) == {1}
    assert con.execute('SELECT line_number, "check" FROM b2b.rejected_rows').fetchall() == [(3, "not_null")]


def write_over_32_mb_record(landing: Path) -> None:
    path = landing / DROP / "leads.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(leads_csv(lead_row(1), lead_row(2, title="X" * (33 * 1024 * 1024)), lead_row(3)))


def test_record_over_32_mb_is_quarantined_and_the_rest_kept(con, landing):
    write_over_32_mb_record(landing)
    _, results = ingest(con, landing)
    assert person_ids(con) == {1, 3}
    assert con.execute("SELECT line_number, disposition FROM b2b.rejected_rows").fetchall() == [(3, "quarantined")]
    assert results["leads"].rows_read == 3


def test_record_over_32_mb_names_the_reason(con, landing):
    write_over_32_mb_record(landing)
    ingest(con, landing)
    assert con.execute('SELECT "check" FROM b2b.rejected_rows').fetchall() == [("csv: line size over maximum",)]


def test_every_corpus_case_is_in_the_documented_outcome_table():
    table = (REPO / "docs" / "data-quality.md").read_text(encoding="utf-8")
    assert [case.name for case in CASES if f"| `{case.name}` |" not in table] == []


# --- landing-zone robustness: fixing a file, changed files, hints -----------------------------


def test_a_pending_file_fixed_in_place_is_read_as_it_is_now(con, landing):
    path = write_csv(landing / DROP / "leads.csv", LEAD_HEADER, [lead(1), lead(2, updated="never")])
    register_landing_files(con, landing)
    with pytest.raises(RejectedShareError):
        load_entity(con, entity_by_table("leads"), MUNCHKIN, 0.05)
    # The operator fixes the file, and even adds a column: the ledger must follow.
    write_csv(path, [*LEAD_HEADER, "department"], [[*lead(1), "IT"], [*lead(2), "Sales"]])
    ingest(con, landing, 0.05)
    assert person_ids(con) == {1, 2}
    assert con.execute("SELECT count(*) FROM b2b.rejected_rows").fetchone() == (0,)
    assert con.execute("SELECT status, header[-1] FROM meta.landing_files").fetchall() == [("ingested", "department")]


def test_an_ingested_file_changed_later_is_reported_not_reread(con, landing):
    path = write_csv(landing / DROP / "leads.csv", LEAD_HEADER, [lead(1)])
    ingest(con, landing)
    write_csv(path, LEAD_HEADER, [lead(1), lead(2)])
    registered, results = ingest(con, landing)
    assert registered.changed_files == [str(path)]
    assert any("changed since it was ingested" in w and f"replay drop {DROP}" in w for w in registered.scan.warnings)
    assert results["leads"].rows_read == 0 and person_ids(con) == {1}


def test_recased_column_names_get_a_hint(con, landing):
    header = ["ID" if name == "id" else name for name in LEAD_HEADER]
    write_csv(landing / DROP / "leads.csv", header, [lead(1)])
    with pytest.raises(UnusableFileError, match=r"case-sensitive: found 'ID' for 'id'"):
        register_landing_files(con, landing)


def test_unreadable_file_is_named_not_a_crash(tmp_path, monkeypatch):
    path = write_csv(tmp_path / "leads.csv", LEAD_HEADER, [lead(1)])

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    # The header is read through os.open (no link followed); root ignores file modes.
    with (
        monkeypatch.context() as patched,
        pytest.raises(UnusableFileError, match=r":1: cannot read the file: Permission denied"),
    ):
        patched.setattr(os, "open", denied)
        read_header(path)


def test_header_without_line_break_in_the_first_megabyte_is_not_csv(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_bytes(b"id," + b"x" * (2 << 20) + b"\n1\n")
    with pytest.raises(UnusableFileError, match="no line break"):
        read_header(path)


# --- end to end through `buying-groups run` -----------------------------------------------


def run_cli(landing: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return cli(
        run_command(landing, tmp_path / "warehouse.duckdb", tmp_path / "output"), env={"DAGSTER_HOME": ""}, timeout=300
    )


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["missing_required_column", "binary_garbage"])
def test_cli_unusable_file_exits_1_with_one_line_naming_file_line_reason(name, tmp_path):
    case = next(c for c in CASES if c.name == name)
    landing = build_case(case, tmp_path / "landing")
    done = run_cli(landing, tmp_path)
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    (line,) = error_lines(done.stderr)
    assert line.startswith(f"error: landing__drops: {hostile_path(case, landing)}:1: "), line
    assert re.search(case.reason, line), line
    assert "Traceback" not in line and "dagster._core" not in line


@pytest.mark.slow
def test_cli_rejected_share_exits_1_naming_file_and_first_bad_lines(tmp_path):
    landing = build_case("binary_after_header", tmp_path / "landing")
    done = run_cli(landing, tmp_path)
    assert done.returncode == 1
    (line,) = error_lines(done.stderr)
    assert re.match(rf"error: b2b__persons: {DROP}/leads.csv: \d+ of \d+ rows quarantined .* First: line \d+: ", line)


@pytest.mark.slow
def test_cli_run_quarantines_a_bad_record_and_succeeds(tmp_path):
    # One Latin-1 record among 40 valid ones: under the 5 % threshold, so the run goes on.
    landing = tmp_path / "landing"
    path = write_csv(landing / DROP / "leads.csv", HOSTILE_LEAD_HEADER, [lead_row(i) for i in range(1, 41)])
    with path.open("ab") as handle:
        handle.write(",".join(lead_row(99, title="Directeur Général")).encode("latin-1") + b"\n")
    done = run_cli(landing, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM b2b.persons").fetchone() == (40,)
        assert con.execute('SELECT line_number, "check" FROM b2b.rejected_rows').fetchall() == [
            (42, "csv: invalid encoding")
        ]
