"""Activation: LinkedIn files, manifest, sales hand-off and Parquet marts, written to real files
under tmp_path over a real DuckDB file and read back with the ``csv`` module."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buying_groups.activation import (
    LinkedInOptions,
    build_linkedin_audiences,
    build_sales_handoff,
    csv_files,
    export_marts_parquet,
    neutralise_cell,
    role_slug,
    to_alpha2,
    write_csv_parts,
    write_sales_handoff_csv,
)
from buying_groups.activation.linkedin import finish_interrupted_publish
from buying_groups.activation.options import LINKEDIN_MAX_CELL_CHARS, LINKEDIN_MIN_BYTES_PER_FILE
from buying_groups.activation.verify import (
    verify_headers,
    verify_injection_safe,
    verify_manifest,
    verify_no_suppressed_contacts,
    verify_size_limits,
)
from buying_groups.model.marts import MARTS
from tests.activation_world import AS_OF, SI, Warehouse, frame, read_csv, read_dicts
from tests.conftest import fill_filesystem, small_filesystem

GENERATED_AT = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)
# The header lines exactly as SPEC §6 spells them.
COMPANY_HEADER_LINE = (
    "companyname,companywebsite,companyemaildomain,linkedincompanypageurl,"
    "stocksymbol,industry,city,state,companycountry,zipcode"
)
CONTACT_HEADER_LINE = "email,firstname,lastname,jobtitle,employeecompany,country,googleaid"
COMPANY_HEADER = next(csv.reader([COMPANY_HEADER_LINE]))
CONTACT_HEADER = next(csv.reader([CONTACT_HEADER_LINE]))

# --------------------------------------------------------------------------- warehouse builder


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[Warehouse]:
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    yield Warehouse(con)
    con.close()


@pytest.fixture
def output(tmp_path: Path) -> Path:
    return tmp_path / "output"


def run(warehouse: Warehouse, output: Path, **options: Any):
    return build_linkedin_audiences(
        warehouse.con, output, LinkedInOptions(**options), as_of=AS_OF, generated_at=GENERATED_AT
    )


def contact_emails(output: Path, si: str = SI) -> list[str]:
    return [row["email"] for row in read_dicts(output / "linkedin" / si / "contacts.csv")]


def manifest(output: Path) -> dict[str, Any]:
    return json.loads((output / "linkedin" / "manifest.json").read_text("utf-8"))


# --------------------------------------------------------------------------- headers and lists


def test_headers_are_exact_and_lists_hold_the_right_rows(warehouse: Warehouse, output: Path):
    warehouse.account("A1", "Acme Corp")
    warehouse.account("A2", "Beta Farms", website="http://Beta-Farms.co.uk:8080/x", billing_country="Deutschland")
    warehouse.account("A3", "Complete Co")
    g1 = warehouse.group("A1", missing=["Decision Maker"])
    warehouse.group("A2", missing=["Decision Maker", "Influencer"], account_name="Beta Farms")
    warehouse.group("A3", completeness=100.0, stage="complete", missing=[], account_name="Complete Co")
    warehouse.person("P1", " Jane.Doe@Example.com ")
    warehouse.member(g1, "P1")

    run(warehouse, output)
    folder = output / "linkedin" / SI
    assert sorted(p.name for p in folder.iterdir()) == [
        "companies.csv",
        "companies_missing_decision-maker.csv",
        "companies_missing_influencer.csv",
        "contacts.csv",
    ]
    for name in ("companies.csv", "companies_missing_decision-maker.csv"):
        rows = read_csv(folder / name)
        assert rows[0] == COMPANY_HEADER
        assert [r[0] for r in rows[1:]] == ["Acme Corp", "Beta Farms"]  # not Complete Co
    beta = read_dicts(folder / "companies_missing_influencer.csv")
    assert beta == [
        {
            "companyname": "Beta Farms",
            "companywebsite": "http://Beta-Farms.co.uk:8080/x",
            "companyemaildomain": "beta-farms.co.uk",
            "linkedincompanypageurl": "https://www.linkedin.com/company/acme",
            "stocksymbol": "ACME",
            "industry": "Agriculture",
            "city": "Austin",
            "state": "TX",
            "companycountry": "DE",
            "zipcode": "73301",
        }
    ]
    acme = read_dicts(folder / "companies.csv")[0]
    assert acme["companyemaildomain"] == "acme.com"
    assert acme["companycountry"] == "US"

    contacts = read_csv(folder / "contacts.csv")
    assert contacts[0] == CONTACT_HEADER
    assert contacts[1:] == [["jane.doe@example.com", "Jane", "Doe", "CEO", "Acme Corp", "US", ""]]
    assert verify_headers(output / "linkedin").passed
    first_lines = {p.name: p.read_bytes().split(b"\r\n", 1)[0].decode() for p in folder.iterdir()}
    assert first_lines["contacts.csv"] == CONTACT_HEADER_LINE
    assert {first_lines[n] for n in first_lines if n != "contacts.csv"} == {COMPANY_HEADER_LINE}


def test_contacts_leave_out_removed_members_and_sales_ready_groups(warehouse: Warehouse, output: Path):
    warehouse.account("A1")
    warehouse.account("A2")
    open_group = warehouse.group("A1")
    ready_group = warehouse.group("A2", completeness=100.0, stage="sales_ready", missing=[])
    warehouse.person("P1", "active@example.com")
    warehouse.person("P2", "removed@example.com")
    warehouse.person("P3", "ready@example.com", account_key="A2")
    warehouse.person("P4", None)  # no email: never exported
    warehouse.member(open_group, "P1")
    warehouse.member(open_group, "P2", removed=True)
    warehouse.member(ready_group, "P3")
    warehouse.member(open_group, "P4")

    run(warehouse, output)
    assert contact_emails(output) == ["active@example.com"]


# --------------------------------------------------------------------------- suppression

SUPPRESSION_FLAGS = ["is_unsubscribed", "is_marketing_suspended", "is_email_invalid", "is_deleted"]


@pytest.mark.parametrize("flag", SUPPRESSION_FLAGS)
def test_each_suppression_flag_keeps_the_person_out(warehouse: Warehouse, output: Path, flag: str):
    warehouse.account("A1")
    group = warehouse.group("A1")
    warehouse.person("P1", "ok@example.com")
    warehouse.person("P2", "flagged@example.com", **{flag: True})
    warehouse.member(group, "P1")
    warehouse.member(group, "P2")

    run(warehouse, output)
    assert contact_emails(output) == ["ok@example.com"]
    assert verify_no_suppressed_contacts(warehouse.con, output / "linkedin").passed


@pytest.mark.parametrize("flag", SUPPRESSION_FLAGS)
def test_an_unreadable_null_flag_counts_as_suppressed(warehouse: Warehouse, output: Path, flag: str):
    # The validated table forbids NULL flags; drop that guard to prove the export does not
    # rely on it.
    warehouse.con.execute(f"ALTER TABLE b2b.persons ALTER COLUMN {flag} DROP NOT NULL")
    warehouse.account("A1")
    group = warehouse.group("A1")
    warehouse.person("P1", "ok@example.com")
    warehouse.person("P2", "unknown@example.com", **{flag: None})
    warehouse.member(group, "P1")
    warehouse.member(group, "P2")

    run(warehouse, output)
    assert contact_emails(output) == ["ok@example.com"]


@pytest.mark.parametrize("duplicate_is_deleted", [False, True])
def test_one_suppressed_duplicate_suppresses_the_email(warehouse: Warehouse, output: Path, duplicate_is_deleted: bool):
    warehouse.account("A1")
    group = warehouse.group("A1")
    warehouse.person("P1", "Dup@Example.com")  # member, consents
    # Another lead (not a member, maybe deleted) with the same normalised email opted out.
    warehouse.person("P9", "  dup@example.COM", is_unsubscribed=True, is_deleted=duplicate_is_deleted)
    warehouse.person("P2", "ok@example.com")
    warehouse.member(group, "P1")
    warehouse.member(group, "P2")

    export = run(warehouse, output)
    assert contact_emails(output) == ["ok@example.com"]
    assert export.suppressed_email_count == 1
    assert verify_no_suppressed_contacts(warehouse.con, output / "linkedin").passed


def test_the_suppression_check_catches_a_leaked_person(warehouse: Warehouse, output: Path):
    warehouse.account("A1")
    group = warehouse.group("A1")
    warehouse.person("P1", "jane.doe@example.com")
    warehouse.member(group, "P1")
    run(warehouse, output, hash_emails=True)
    # The person unsubscribes after the files were written: the check must now fail, in
    # hashed form too.
    warehouse.con.execute("UPDATE b2b.persons SET is_unsubscribed = true")
    result = verify_no_suppressed_contacts(warehouse.con, output / "linkedin")
    assert not result.passed
    assert "jane.doe" not in " ".join(result.problems)  # never quote an email in metadata


def test_duplicate_emails_give_one_row(warehouse: Warehouse, output: Path):
    warehouse.account("A1")
    warehouse.account("A2")
    g1 = warehouse.group("A1")
    g2 = warehouse.group("A2")
    warehouse.person("P1", "same@example.com", first_name="First")
    warehouse.person("P2", "SAME@example.com ", account_key="A2", first_name="Second")
    warehouse.member(g1, "P1")
    warehouse.member(g2, "P2")

    run(warehouse, output)
    rows = read_dicts(output / "linkedin" / SI / "contacts.csv")
    assert [(r["email"], r["firstname"]) for r in rows] == [("same@example.com", "First")]


def test_hashed_emails_are_sha256_of_the_normalised_address(warehouse: Warehouse, output: Path):
    warehouse.account("A1")
    group = warehouse.group("A1")
    warehouse.person("P1", "  Jane.Doe@Example.COM ")
    warehouse.member(group, "P1")

    run(warehouse, output, hash_emails=True)
    expected = hashlib.sha256(b"jane.doe@example.com").hexdigest()
    assert contact_emails(output) == [expected]
    assert manifest(output)["hash_emails"] is True
    assert verify_no_suppressed_contacts(warehouse.con, output / "linkedin").passed


# --------------------------------------------------------------------------- CSV injection


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_trigger_is_neutralised(warehouse: Warehouse, output: Path, trigger: str):
    payload = f'{trigger}HYPERLINK("http://evil","x")'
    warehouse.account("A1", payload, industry=payload, billing_city=" " + payload)
    group = warehouse.group("A1")
    warehouse.person("P1", "ok@example.com", first_name=payload, job_title=payload)
    warehouse.member(group, "P1")

    run(warehouse, output)
    folder = output / "linkedin" / SI
    company = read_dicts(folder / "companies.csv")[0]
    contact = read_dicts(folder / "contacts.csv")[0]
    expected = "'" + payload.replace("\r", " ") if trigger == "\r" else "'" + payload
    assert company["companyname"] == expected
    assert company["industry"] == expected
    assert contact["firstname"] == expected
    assert contact["jobtitle"] == expected
    assert contact["employeecompany"] == expected
    assert verify_injection_safe(sorted(folder.glob("*.csv"))).passed


def test_neutralise_cell_rules():
    assert neutralise_cell("=1+1") == "'=1+1"
    assert neutralise_cell("  =1+1") == "'  =1+1"  # leading spaces do not hide a formula
    assert neutralise_cell("a\n=cmd") == "a =cmd"  # no line of the file starts with '='
    assert neutralise_cell("\r\n=cmd") == "' =cmd"
    assert neutralise_cell('Smith, "Jr"') == 'Smith, "Jr"'  # quoting is the csv module's
    assert neutralise_cell(None) == ""
    assert neutralise_cell(True) == "true"
    assert neutralise_cell(dt.date(2026, 1, 2)) == "2026-01-02"


def test_rfc4180_quoting_round_trips(tmp_path: Path):
    rows = [['Smith, "Jr"', "plain"], ["multi\nline", ""]]
    (written,) = write_csv_parts(tmp_path, "x", ["a", "b"], [frame(rows, 2)])
    raw = written.path.read_bytes()
    assert raw == b'a,b\r\n"Smith, ""Jr""",plain\r\nmulti line,\r\n'
    assert read_csv(written.path)[1:] == [['Smith, "Jr"', "plain"], ["multi line", ""]]


# --------------------------------------------------------------------------- splitting / minimum


def _many_members(warehouse: Warehouse, count: int) -> None:
    warehouse.account("A1")
    group = warehouse.group("A1")
    for number in range(count):
        warehouse.person(f"P{number:03d}", f"person{number:03d}@example.com")
        warehouse.member(group, f"P{number:03d}")


def test_split_at_the_row_limit(warehouse: Warehouse, output: Path):
    _many_members(warehouse, 7)
    run(warehouse, output, max_rows_per_file=3, min_rows=1)
    folder = output / "linkedin" / SI
    parts = sorted(folder.glob("contacts*.csv"))
    assert [p.name for p in parts] == ["contacts_part001.csv", "contacts_part002.csv", "contacts_part003.csv"]
    bodies = [read_csv(p) for p in parts]
    assert all(body[0] == CONTACT_HEADER for body in bodies)
    assert [len(body) - 1 for body in bodies] == [3, 3, 1]
    emails = [row[0] for body in bodies for row in body[1:]]
    assert emails == [f"person{n:03d}@example.com" for n in range(7)]
    entries = [f for f in manifest(output)["files"] if f["list_name"] == "contacts"]
    assert [(e["part"], e["part_count"], e["row_count"], e["list_row_count"]) for e in entries] == [
        (1, 3, 3, 7),
        (2, 3, 3, 7),
        (3, 3, 1, 7),
    ]
    assert verify_size_limits(output / "linkedin", max_rows=3, max_bytes=10**9).passed


def test_split_at_the_byte_limit(warehouse: Warehouse, output: Path):
    _many_members(warehouse, 10)
    max_bytes = 300  # fits the company header and one company row, not 10 contacts
    run(warehouse, output, max_bytes_per_file=max_bytes, min_rows=1)
    parts = sorted((output / "linkedin" / SI).glob("contacts*.csv"))
    assert len(parts) > 1
    assert all(p.stat().st_size <= max_bytes for p in parts)
    assert all(read_csv(p)[0] == CONTACT_HEADER for p in parts)
    assert sum(len(read_csv(p)) - 1 for p in parts) == 10
    assert verify_size_limits(output / "linkedin", max_rows=10**6, max_bytes=max_bytes).passed


def test_a_row_that_cannot_fit_is_an_error_not_a_silent_drop(tmp_path: Path):
    with pytest.raises(ValueError, match="does not fit"):
        write_csv_parts(tmp_path, "x", ["a"], [frame([["y" * 100]], 1)], max_bytes=20)
    assert list(tmp_path.iterdir()) == []  # no half file, no temp file


def test_small_lists_are_written_and_flagged(warehouse: Warehouse, output: Path):
    _many_members(warehouse, 3)
    run(warehouse, output, min_rows=3)
    flags = {f["path"]: f["flags"] for f in manifest(output)["files"]}
    assert flags[f"{SI}/contacts.csv"] == []
    assert flags[f"{SI}/companies.csv"] == ["below_linkedin_minimum"]  # 1 company < 3
    run(warehouse, output)  # default minimum 300
    assert all(f["flags"] == ["below_linkedin_minimum"] for f in manifest(output)["files"])
    assert (output / "linkedin" / SI / "contacts.csv").is_file()


# --------------------------------------------------------------------------- manifest


def test_manifest_describes_every_file(warehouse: Warehouse, output: Path):
    _many_members(warehouse, 2)
    run(warehouse, output, hash_emails=False)
    linkedin = output / "linkedin"
    doc = manifest(output)
    assert doc["as_of"] == "2026-11-02"
    assert doc["generated_at"] == "2026-11-02T06:00:00+00:00"
    assert doc["hash_emails"] is False
    by_path = {f["path"]: f for f in doc["files"]}
    assert set(by_path) == {f"{SI}/companies.csv", f"{SI}/companies_missing_decision-maker.csv", f"{SI}/contacts.csv"}
    for entry in doc["files"]:
        data = (linkedin / entry["path"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["byte_size"] == len(data)
        assert entry["row_count"] == len(read_csv(linkedin / entry["path"])) - 1
        assert entry["as_of"] == "2026-11-02"
        assert entry["solution_interest_id"] == SI
    assert by_path[f"{SI}/companies.csv"]["rule"] == "companies: completeness_score < 100"
    assert by_path[f"{SI}/companies_missing_decision-maker.csv"]["rule"] == ("companies_missing: Decision Maker")
    assert by_path[f"{SI}/contacts.csv"]["rule"] == ("contacts: active members of groups not sales_ready")
    assert verify_manifest(linkedin).passed

    # Tampering is caught.
    (linkedin / SI / "contacts.csv").write_bytes(b"email\r\n")
    assert not verify_manifest(linkedin).passed


# --------------------------------------------------------------------------- atomicity


def test_a_crash_mid_write_leaves_the_previous_file_untouched(warehouse: Warehouse, output: Path, monkeypatch):
    _many_members(warehouse, 5)
    run(warehouse, output, min_rows=1)
    contacts = output / "linkedin" / SI / "contacts.csv"
    before = contacts.read_bytes()
    manifest_before = (output / "linkedin" / "manifest.json").read_bytes()

    warehouse.person("P999", "new@example.com")
    warehouse.member(f"{SI}:A1", "P999")
    written = 0

    def crash_after_some_bytes(handle, data: bytes) -> None:
        nonlocal written
        if written > 100:
            raise OSError("disk yanked")
        handle.write(data)
        written += len(data)

    monkeypatch.setattr(csv_files, "_write_bytes", crash_after_some_bytes)
    with pytest.raises(OSError, match="disk yanked"):
        run(warehouse, output, min_rows=1)

    assert contacts.read_bytes() == before
    assert (output / "linkedin" / "manifest.json").read_bytes() == manifest_before
    leftovers = [p.name for p in (output / "linkedin").rglob("*") if p.name.startswith(".")]
    assert leftovers == []  # the half-written temp file was removed too


def test_a_crash_between_parts_leaves_no_final_named_file(tmp_path: Path, monkeypatch):
    written = 0

    def crash(handle, data: bytes) -> None:
        nonlocal written
        handle.write(data[:5])  # half a row reaches the disk, then the process "dies"
        written += 1
        if written > 4:
            raise KeyboardInterrupt

    monkeypatch.setattr(csv_files, "_write_bytes", crash)
    with pytest.raises(KeyboardInterrupt):
        write_csv_parts(tmp_path, "contacts", ["email"], [frame([[f"e{n}"] for n in range(10)], 1)], max_rows=2)
    assert list(tmp_path.iterdir()) == []


def test_leftover_temp_files_of_a_killed_run_are_swept(warehouse: Warehouse, output: Path):
    _many_members(warehouse, 1)
    folder = output / "linkedin" / SI
    folder.mkdir(parents=True)
    (folder / ".contacts.csv.abc123.tmp").write_text("half")
    (output / "linkedin" / ".manifest.json.abc.tmp").write_text("{")
    run(warehouse, output)
    assert not [p for p in (output / "linkedin").rglob(".*")]


# --------------------------------------------------------------------------- stale files


def test_stale_files_are_removed_after_the_new_set_is_written(warehouse: Warehouse, output: Path):
    warehouse.account("A1")
    warehouse.account("A2")
    group = warehouse.group("A1", missing=["Decision Maker", "Influencer"])
    warehouse.group("A2", si="old-interest")
    for number in range(5):
        warehouse.person(f"P{number}", f"p{number}@example.com")
        warehouse.member(group, f"P{number}")
    run(warehouse, output, max_rows_per_file=2)
    linkedin = output / "linkedin"
    assert (linkedin / SI / "contacts_part003.csv").is_file()
    assert (linkedin / SI / "companies_missing_influencer.csv").is_file()
    assert (linkedin / "old-interest" / "companies.csv").is_file()
    (linkedin / SI / "notes.txt").write_text("not ours")

    # Influencer filled, old-interest no longer exported, lists fit one file again.
    warehouse.con.execute("UPDATE marts.buying_groups SET missing_roles = ['Decision Maker']")
    export = run(warehouse, output, solution_interests=(SI,))
    assert sorted(p.name for p in (linkedin / SI).iterdir()) == [
        "companies.csv",
        "companies_missing_decision-maker.csv",
        "contacts.csv",
        "notes.txt",
    ]
    assert not (linkedin / "old-interest").exists()
    # 3 contact parts, the influencer list, old-interest's 3 lists
    assert len(export.removed) == 7
    assert verify_manifest(linkedin).passed


def test_a_configured_interest_without_groups_gets_empty_flagged_lists(warehouse: Warehouse, output: Path):
    run(warehouse, output, solution_interests=("cloud-analytics",))
    folder = output / "linkedin" / "cloud-analytics"
    assert read_csv(folder / "companies.csv") == [COMPANY_HEADER]
    assert read_csv(folder / "contacts.csv") == [CONTACT_HEADER]
    assert all(f["flags"] == ["below_linkedin_minimum"] for f in manifest(output)["files"])


def test_an_unsafe_solution_interest_id_is_refused(warehouse: Warehouse, output: Path):
    with pytest.raises(ValueError, match="folder name"):
        run(warehouse, output, solution_interests=("../../etc",))


# --------------------------------------------------------------------------- idempotence


def test_a_re_run_writes_byte_identical_files(warehouse: Warehouse, output: Path):
    warehouse.account("A1")
    warehouse.account("A2", 'Zeta, "Inc"')
    g1 = warehouse.group("A1", missing=["Decision Maker", "Influencer"])
    g2 = warehouse.group("A2", account_name="Zeta")
    for number in range(20):
        warehouse.person(
            f"P{number:02d}",
            f"p{number:02d}@example.com",
            account_key="A1" if number % 2 else "A2",
            country="Deutschland",
        )
        warehouse.member(g1 if number % 2 else g2, f"P{number:02d}")
    run(warehouse, output, max_rows_per_file=7)
    linkedin = output / "linkedin"
    first = {p: p.read_bytes() for p in sorted(linkedin.rglob("*")) if p.is_file()}
    run(warehouse, output, max_rows_per_file=7)
    second = {p: p.read_bytes() for p in sorted(linkedin.rglob("*")) if p.is_file()}
    assert first == second


# --------------------------------------------------------------------------- country, slugs


@pytest.mark.parametrize(
    ("raw", "alpha2"),
    [
        ("USA", "US"),
        ("U.S.", "US"),
        ("us", "US"),
        ("United States of America", "US"),
        ("United States", "US"),
        ("UK", "GB"),
        ("U.K.", "GB"),
        ("Great Britain", "GB"),
        ("Deutschland", "DE"),
        ("Germany", "DE"),
        ("deu", "DE"),
        ("  france ", "FR"),
        ("the Netherlands", "NL"),
        ("Holland", "NL"),
        ("Korea, Republic of", "KR"),
        ("Narnia", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_country_mapping(raw: str | None, alpha2: str):
    assert to_alpha2(raw) == alpha2


@pytest.mark.parametrize(
    ("role", "slug"),
    [
        ("Decision Maker", "decision-maker"),
        ("  C-Level / Exec ", "c-level-exec"),
        ("R&D Lead", "r-d-lead"),
        ("***", "role"),
    ],
)
def test_role_slug(role: str, slug: str):
    assert role_slug(role) == slug


# --------------------------------------------------------------------------- sales hand-off


def test_sales_handoff_table_and_csv(warehouse: Warehouse, output: Path):
    warehouse.account("A1", industry="Biotechnology", website="https://seeds.example", main_phone="555 0100")
    warehouse.account("A2")
    ready = warehouse.group("A1", completeness=87.6, stage="sales_ready", missing=["Champion", "User"])
    not_ready = warehouse.group("A2")
    warehouse.person("P1", "Boss@Acme.com", job_title="=CEO", phone="555 0101")
    warehouse.person("P2", "helper@acme.com", is_unsubscribed=True)
    warehouse.person("P3", "gone@acme.com", is_deleted=True)
    warehouse.person("P4", "left@acme.com")
    warehouse.person("P5", "other@acme.com", account_key="A2")
    warehouse.member(ready, "P1", role="Decision Maker")
    warehouse.member(ready, "P2", role="Influencer")
    warehouse.member(ready, "P3", role="Influencer")
    warehouse.member(ready, "P4", role="Influencer", removed=True)
    warehouse.member(not_ready, "P5")

    assert build_sales_handoff(warehouse.con) == 2
    written = write_sales_handoff_csv(warehouse.con, output)
    rows = read_dicts(written.path)
    # A member who may not be emailed keeps the row for sales, with the email blanked and
    # the reason spelled out rather than a silent blank.
    assert [(r["person_key"], r["role"], r["email"], r["may_email"], r["email_status"]) for r in rows] == [
        ("P1", "Decision Maker", "boss@acme.com", "true", "may be emailed"),
        ("P2", "Influencer", "", "false", "may not be emailed: unsubscribed"),
    ]
    assert rows[0]["job_title"] == "'=CEO"
    assert rows[0]["group_name"] == f"{SI} for Acme Corp"
    assert rows[0]["stage"] == "sales_ready"
    assert rows[0]["qualified_at"] == "2026-11-02"
    # What a seller needs to act: the account's details, the member's phone, the gaps.
    assert (rows[0]["industry"], rows[0]["website"], rows[0]["company_phone"], rows[0]["phone"]) == (
        "Biotechnology",
        "https://seeds.example",
        "555 0100",
        "555 0101",
    )
    assert rows[0]["missing_roles"] == "Champion; User"
    # Display rounding in the CSV (whole numbers), integer role weights; the table keeps floats.
    assert [(r["completeness_score"], r["engagement_score"], r["person_engagement_score"]) for r in rows] == [
        ("88", "40", "13"),
        ("88", "40", "13"),
    ]
    assert [r["role_weight"] for r in rows] == ["100", "80"]
    assert warehouse.con.execute(
        "SELECT DISTINCT completeness_score, person_engagement_score, typeof(role_weight) FROM marts.sales_handoff"
    ).fetchall() == [(87.6, 12.5, "INTEGER")]
    columns = set(read_csv(written.path)[0])
    assert {
        "buying_group_id",
        "group_name",
        "solution_interest_id",
        "account_key",
        "account_name",
        "completeness_score",
        "weighted_completeness_score",
        "engagement_score",
        "stage",
        "qualified_at",
        "newly_qualified",
        "person_key",
        "role",
        "assignment_source",
        "person_engagement_score",
        "email",
        "first_name",
        "last_name",
        "job_title",
        "as_of",
    } <= columns


# --------------------------------------------------------------------------- parquet


def test_every_mart_is_exported_to_parquet(warehouse: Warehouse, output: Path):
    warehouse.account("A1")
    warehouse.group("A1")
    marts = output / "marts"
    marts.mkdir(parents=True)
    # An earlier version exported a mart that no longer exists; its manifest says so.
    (marts / "dropped_mart.parquet").write_bytes(b"old")
    (marts / "manifest.json").write_text(json.dumps({"files": [{"path": "dropped_mart.parquet"}]}))
    (marts / "finance.parquet").write_bytes(b"another team's file")
    (marts / ".buying_groups.parquet.x.tmp").write_bytes(b"half")
    # what DuckDB's own temp file left when an earlier version was killed mid-write
    (marts / "tmp_.buying_group_members.parquet.y.tmp").write_bytes(b"half")
    (marts / "tmp_notes.tmp").write_bytes(b"not ours")
    (marts / ".finance.parquet.z.tmp").write_bytes(b"not ours either")

    exported = export_marts_parquet(warehouse.con, output)
    ours = [f"{spec.table}.parquet" for spec in MARTS]
    not_ours = [".finance.parquet.z.tmp", "finance.parquet", "tmp_notes.tmp"]
    assert sorted(p.name for p in marts.iterdir()) == sorted([*ours, *not_ours, "manifest.json"])
    listed = json.loads((marts / "manifest.json").read_text())["files"]
    assert [entry["path"] for entry in listed] == ours
    by_table = {e.table: e for e in exported}
    assert by_table["marts.buying_groups"].row_count == 1
    (count,) = warehouse.con.execute(
        "SELECT count(*) FROM read_parquet($path)", {"path": str(marts / "buying_groups.parquet")}
    ).fetchone()
    assert count == 1


# --------------------------------------------------------------------------- property


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.one_of(st.none(), st.text()), min_size=3, max_size=3), max_size=8))
def test_any_text_round_trips_and_never_starts_a_formula(tmp_path: Path, rows: list[list[str | None]]):
    directory = tmp_path / "prop"
    (written,) = write_csv_parts(directory, "x", ["a", "b", "c"], [frame(rows, 3)])
    back = read_csv(written.path)[1:]
    assert back == [[neutralise_cell(value) for value in row] for row in rows]
    assert verify_injection_safe([written.path]).passed
    assert written.sha256 == hashlib.sha256(written.path.read_bytes()).hexdigest()


def test_no_line_of_a_file_starts_a_formula_whatever_line_breaks_a_value_holds(tmp_path: Path):
    value = "a\r\n=1\r=2\n=3\x0b=4\x0c=5\x85=6\u2028=7\u2029=8"
    (written,) = write_csv_parts(tmp_path, "x", ["a"], [frame([[value]], 1)])
    lines = written.path.read_text("utf-8").splitlines()
    assert lines == ["a", "a =1 =2 =3 =4 =5 =6 =7 =8"]  # one row, for any line splitter


def test_deleted_accounts_are_not_targeted(warehouse: Warehouse, output: Path):
    warehouse.account("A1", "Live Co")
    warehouse.account("A2", "Deleted Co", is_deleted=True)
    warehouse.group("A1", account_name="Live Co")
    warehouse.group("A2", account_name="Deleted Co")
    run(warehouse, output)
    names = [r["companyname"] for r in read_dicts(output / "linkedin" / SI / "companies.csv")]
    assert names == ["Live Co"]


# --------------------------------------------------------------------------- one set, published whole


def _two_lists_changed(warehouse: Warehouse, output: Path) -> dict[Path, bytes]:
    """A first run, then data that changes every list: returns the first run's files."""
    _many_members(warehouse, 3)
    run(warehouse, output, min_rows=1)
    before = {p: p.read_bytes() for p in sorted((output / "linkedin").rglob("*")) if p.is_file()}
    warehouse.con.execute("UPDATE marts.buying_groups SET missing_roles = ['Decision Maker', 'Influencer']")
    warehouse.person("P999", "new@example.com")
    warehouse.member(f"{SI}:A1", "P999")
    return before


def test_a_failure_while_writing_publishes_nothing(warehouse: Warehouse, output: Path, monkeypatch):
    before = _two_lists_changed(warehouse, output)

    def fail_on_contacts(handle, data: bytes) -> None:
        if Path(handle.name).name.startswith(".contacts.csv"):
            raise OSError(28, "No space left on device")
        handle.write(data)

    monkeypatch.setattr(csv_files, "_write_bytes", fail_on_contacts)
    with pytest.raises(OSError, match="No space left"):
        run(warehouse, output, min_rows=1)

    # The company lists were complete, but the set was not: none of it is published.
    after = {p: p.read_bytes() for p in sorted((output / "linkedin").rglob("*")) if p.is_file()}
    assert after == before
    assert verify_manifest(output / "linkedin").passed


def test_a_publish_killed_half_way_is_completed_by_the_next_run(
    warehouse: Warehouse, output: Path, tmp_path: Path, monkeypatch
):
    _two_lists_changed(warehouse, output)
    real_replace = os.replace

    def killed_at_contacts(source: str | Path, target: str | Path) -> None:
        if Path(source).name.startswith(".contacts.csv"):
            raise KeyboardInterrupt  # the process dies between two renames
        real_replace(source, target)

    with monkeypatch.context() as patched:
        patched.setattr(os, "replace", killed_at_contacts)
        with pytest.raises(KeyboardInterrupt):
            run(warehouse, output, min_rows=1)
    assert not verify_manifest(output / "linkedin").passed  # companies new, manifest old

    finish_interrupted_publish(output / "linkedin")

    assert verify_manifest(output / "linkedin").passed
    reference = tmp_path / "reference"
    run(warehouse, reference, min_rows=1)
    assert manifest(output)["files"] == manifest(reference)["files"]
    assert sorted(p.relative_to(output) for p in output.rglob("*") if p.is_file()) == sorted(
        p.relative_to(reference) for p in reference.rglob("*") if p.is_file()
    )


def test_an_over_long_cell_is_cut_to_the_field_size(warehouse: Warehouse, output: Path):
    warehouse.account("A1")
    group = warehouse.group("A1")
    warehouse.person("P1", "long@example.com", job_title="=CEO " + "x" * 5_000_000)
    warehouse.member(group, "P1")
    export = run(warehouse, output, min_rows=1, max_bytes_per_file=LINKEDIN_MIN_BYTES_PER_FILE)
    (row,) = read_dicts(output / "linkedin" / SI / "contacts.csv")
    assert row["jobtitle"] == "'=CEO " + "x" * (LINKEDIN_MAX_CELL_CHARS - 6)
    assert export.cells_truncated == 1
    assert verify_manifest(output / "linkedin").passed


# --------------------------------------------------------------------------- disk full


@pytest.mark.parametrize(
    ("members", "free_bytes"),
    [
        # The rows fit the write buffer: the disk is found full when the file is flushed and
        # closed, and closing it again on the way out fails the same way.
        pytest.param(10, 0, id="full-at-close"),
        pytest.param(300, 12 * 1024, id="full-mid-write"),
    ],
)
def test_a_hand_off_write_that_fills_the_disk_leaves_no_temp_file(
    warehouse: Warehouse, tmp_path: Path, members: int, free_bytes: int
):
    warehouse.account("A1")
    ready = warehouse.group("A1", completeness=100.0, stage="sales_ready", missing=[])
    for number in range(members):
        warehouse.person(f"P{number:03d}", f"person{number:03d}@example.com", job_title="Chief Executive " * 4)
        warehouse.member(ready, f"P{number:03d}", role="Decision Maker")
    build_sales_handoff(warehouse.con)
    with small_filesystem(tmp_path / "small", 256 * 1024) as output:
        fill_filesystem(output, free_bytes)
        with pytest.raises(OSError, match="No space left on device"):
            write_sales_handoff_csv(warehouse.con, output)
        # The temp file holds names and emails: it must not outlive the failed write.
        assert sorted(p.name for p in output.iterdir()) == ["filler"]


def test_the_next_hand_off_sweeps_a_temp_file_a_killed_run_left(warehouse: Warehouse, output: Path):
    warehouse.account("A1")
    ready = warehouse.group("A1", completeness=100.0, stage="sales_ready", missing=[])
    warehouse.person("P1", "boss@acme.com")
    warehouse.member(ready, "P1", role="Decision Maker")
    build_sales_handoff(warehouse.con)
    output.mkdir()
    (output / ".sales_handoff.csv.k2x9a1b3.tmp").write_text("person_key,email\nP1,boss@acme.com\n")
    (output / ".budget.csv.k2x9a1b3.tmp").write_text("not ours")
    write_sales_handoff_csv(warehouse.con, output)
    assert sorted(p.name for p in output.iterdir()) == [".budget.csv.k2x9a1b3.tmp", "sales_handoff.csv"]


def test_lists_publish_under_a_relative_output_folder(warehouse: Warehouse, tmp_path: Path, monkeypatch):
    # The CLI's default output folder is the relative `output`: the publish journal takes every
    # path relative to the LinkedIn folder, whatever form the temp files come in.
    warehouse.account("A1")
    warehouse.group("A1")
    monkeypatch.chdir(tmp_path)
    export = run(warehouse, Path("output"))
    assert (tmp_path / "output" / "linkedin" / SI / "companies.csv").is_file()
    assert not list((tmp_path / "output" / "linkedin").rglob("*.tmp"))
    assert export.files
