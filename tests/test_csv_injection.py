"""CSV injection beyond ASCII: look-alike triggers, invisible characters before a trigger, and
formulas after a ';' (a cell of its own where ';' is the list separator). Every exported CSV
goes through the one function in ``activation.csv_safety``; the blocking checks re-read the
files with their own rules (``activation.verify``)."""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import subprocess
import unicodedata
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buying_groups.activation import (
    LinkedInOptions,
    build_linkedin_audiences,
    build_sales_handoff,
    neutralise_cell,
    verify,
    write_csv_parts,
    write_sales_handoff_csv,
)
from buying_groups.activation.verify import INJECTION_TRIGGERS, verify_injection_safe
from buying_groups.sample_data import generate_landing
from tests.activation_world import AS_OF, SI, Warehouse, frame, read_dicts
from tests.conftest import REPO, run_command, write_csv

# value -> the cell it must become
HOSTILE = {
    '\uff1dHYPERLINK("http://evil")': '\'\uff1dHYPERLINK("http://evil")',  # full-width =
    "\uff0b1+1": "'\uff0b1+1",  # full-width +
    "\uff0d1+1": "'\uff0d1+1",  # full-width -
    "\uff20SUM(A1)": "'\uff20SUM(A1)",  # full-width @
    "\ufe66cmd": "'\ufe66cmd",  # small form =
    "\u200b=cmd": "'\u200b=cmd",  # zero-width space before a trigger
    "\u3000=cmd": "'\u3000=cmd",  # ideographic space
    "\u00a0\u2060+1": "'\u00a0\u2060+1",  # no-break space, word joiner
    "\ufeff@SUM(1)": "'\ufeff@SUM(1)",  # a BOM
    "x;=cmd|' /C calc'!A0": "x;'=cmd|' /C calc'!A0",
    "Acme; @SUM(A1)": "Acme;' @SUM(A1)",
    "a;\u200b\uff0d1;b": "a;'\u200b\uff0d1;b",
    "R&D; Sales": "R&D; Sales",  # a ';' before plain text stays as it is
}


@pytest.fixture
def warehouse(tmp_path: Path):
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    yield Warehouse(con)
    con.close()


@pytest.mark.parametrize(("value", "expected"), list(HOSTILE.items()), ids=[repr(v)[:24] for v in HOSTILE])
def test_every_exported_csv_neutralises_look_alikes_invisibles_and_semicolons(
    warehouse: Warehouse, tmp_path: Path, value: str, expected: str
):
    output = tmp_path / "output"
    warehouse.account("A1", value, industry=value)
    warehouse.account("A2", "Ready Inc")
    group = warehouse.group("A1")
    ready = warehouse.group("A2", completeness=100.0, stage="sales_ready", missing=[], account_name="Ready Inc")
    warehouse.person("P1", "ok@example.com", first_name=value, job_title=value)
    warehouse.member(group, "P1")
    warehouse.person("P2", "boss@ready.com", account_key="A2", job_title=value)
    warehouse.member(ready, "P2", role="Decision Maker")

    build_linkedin_audiences(warehouse.con, output, LinkedInOptions(), as_of=AS_OF)
    build_sales_handoff(warehouse.con)
    handoff = write_sales_handoff_csv(warehouse.con, output).path

    folder = output / "linkedin" / SI
    company = read_dicts(folder / "companies.csv")[0]
    contact = read_dicts(folder / "contacts.csv")[0]
    assert (company["companyname"], company["industry"]) == (expected, expected)
    assert (contact["firstname"], contact["jobtitle"]) == (expected, expected)
    assert read_dicts(handoff)[0]["job_title"] == expected
    assert neutralise_cell(value) == expected
    assert verify_injection_safe([*sorted(folder.glob("*.csv")), handoff]).passed


@pytest.mark.parametrize("value", [v for v, expected in HOSTILE.items() if v != expected])
def test_the_blocking_check_catches_each_unneutralised_value(tmp_path: Path, value: str):
    path = tmp_path / "hand_made.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["jobtitle"], [value]])
    assert not verify_injection_safe([path]).passed


HOSTILE_TEXT = st.text(
    alphabet=st.sampled_from([*"=+-@;,'\" ax\t\r\n", "\uff1d", "\uff20", "\u200b", "\u3000", "\ufeff", "\ufe62"]),
    max_size=12,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(HOSTILE_TEXT, min_size=2, max_size=2), min_size=1, max_size=6))
def test_no_cell_of_hostile_text_starts_a_formula(tmp_path: Path, rows: list[list[str]]):
    (written,) = write_csv_parts(tmp_path / "prop", "x", ["a", "b"], [frame(rows, 2)])
    verification = verify_injection_safe([written.path])
    assert verification.passed, verification.problems


# --------------------------------------------------------------------------- end to end


@pytest.mark.slow
def test_cli_run_neutralises_a_hostile_title_in_the_linkedin_list_and_the_hand_off(tmp_path: Path):
    as_of = dt.date(2026, 11, 20)
    landing = tmp_path / "landing"
    generate_landing(out=landing, leads=500, seed=3, drops=1, end_date=as_of)
    env = {**os.environ, "DAGSTER_HOME": ""}
    args = run_command(landing, tmp_path / "warehouse.duckdb", tmp_path / "output", as_of=as_of.isoformat())
    first = subprocess.run(args, capture_output=True, text=True, cwd=REPO, env=env, timeout=300)
    assert first.returncode == 0, first.stderr[-3000:]
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        # One member on a contact list, one in a sales_ready group (the hand-off).
        leads = con.execute(
            """
            SELECT DISTINCT ON (g.stage = 'sales_ready')
                   split_part(p.person_key, '@', 1), p.work_email, p.job_title,
                   split_part(p.account_key, '.', 1)
            FROM marts.buying_group_members m
            JOIN marts.buying_groups g USING (buying_group_id)
            JOIN b2b.persons p USING (person_key)
            WHERE NOT m.is_removed AND m.assignment_source = 'rule' AND p.work_email IS NOT NULL
              AND NOT (p.is_unsubscribed OR p.is_marketing_suspended OR p.is_email_invalid)
            ORDER BY g.stage = 'sales_ready', p.person_key
            """
        ).fetchall()
    assert len(leads) == 2
    # The title keeps its start (the role rules still match), then a ';'-separated formula.
    rows = [[lead_id, email, f"{title};\uff1dcmd|' /C calc'!A0", company] for lead_id, email, title, company in leads]
    shutil.rmtree(landing)
    write_csv(
        landing / f"{as_of.isoformat()}T23" / "leads.csv",
        ["id", "email", "title", "contactCompany", "createdAt", "updatedAt"],
        [[*row, "2026-01-01T00:00:00Z", f"{as_of.isoformat()}T23:00:00Z"] for row in rows],
    )

    done = subprocess.run(args, capture_output=True, text=True, cwd=REPO, env=env, timeout=300)

    assert done.returncode == 0, done.stderr[-3000:]
    output = tmp_path / "output"
    exported = [*sorted((output / "linkedin").glob("*/contacts*.csv")), output / "sales_handoff.csv"]
    titles = [
        row.get("jobtitle", row.get("job_title", ""))
        for path in exported
        for row in read_dicts(path)
        if "cmd|" in row.get("jobtitle", row.get("job_title", ""))
    ]
    assert sorted(titles) == sorted(f"{title};'\uff1dcmd|' /C calc'!A0" for _, _, title, _ in leads)
    assert verify_injection_safe(exported).passed


def _formula_start_by_character(text: str) -> str | None:
    """The checker's rule spelled out character by character (no fast path)."""
    if text.startswith(INJECTION_TRIGGERS):
        return text[0]
    for character in text:
        if unicodedata.category(character) in {"Zs", "Zl", "Zp", "Cc", "Cf"}:
            continue
        if character in INJECTION_TRIGGERS or unicodedata.normalize("NFKC", character) in INJECTION_TRIGGERS[:4]:
            return character
        return None
    return None


def _as_read_by_character(email: str) -> str:
    visible = "".join(ch for ch in email if not (ch.isspace() or unicodedata.category(ch) in ("Cf", "Zs", "Zl", "Zp")))
    return visible.lower().removeprefix("mailto:").rstrip(".,;")


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(codec="ascii")) | st.text())
def test_the_checkers_shortcuts_agree_with_the_rule_character_by_character(text: str):
    assert verify._formula_start(text) == _formula_start_by_character(text)
    assert verify._as_read(text) == _as_read_by_character(text)
