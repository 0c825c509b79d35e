"""Consent never weakens: unknown means suppressed, an absent column keeps what is stored, a
suppressed address suppresses every copy a person would read as the same, and a quarantined
row's readable consent still counts. End to end through `buying-groups run`, on real files."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from buying_groups.sql_files import run_sql
from tests.conftest import (
    ACTIVITY_HEADER,
    COMPANY_HEADER,
    LEAD_HEADER,
    REPO,
    activity,
    company,
    lead,
    run_command,
    write_csv,
)

pytestmark = pytest.mark.slow

CONSENT = ("unsubscribed", "marketingSuspended", "emailInvalid")
HEADER_WITHOUT_CONSENT = [column for column in LEAD_HEADER if column not in CONSENT]
AS_OF = "2026-11-20"
SEEDS = "ai-driven-seeds"


def without_consent(row: list[object]) -> list[object]:
    return [value for column, value in zip(LEAD_HEADER, row, strict=True) if column not in CONSENT]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """The shipped config; one quarantined row in a small test file must not stop the run."""
    folder = tmp_path / "config"
    shutil.copytree(REPO / "config", folder)
    instance = folder / "instance.yaml"
    instance.write_text(instance.read_text() + "max_rejected_share: 0.5\n")
    return folder


class Run:
    def __init__(self, tmp_path: Path, landing: Path, config: Path) -> None:
        self.landing, self.config = landing, config
        self.warehouse, self.output = tmp_path / "warehouse.duckdb", tmp_path / "output"

    def __call__(self) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            run_command(self.landing, self.warehouse, self.output, as_of=AS_OF, config=self.config),
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done

    def contacts(self) -> set[str]:
        with (self.output / "linkedin" / SEEDS / "contacts.csv").open(encoding="utf-8") as handle:
            return {row["email"] for row in csv.DictReader(handle)}

    def handoff_emails(self) -> dict[str, str]:
        with (self.output / "sales_handoff.csv").open(encoding="utf-8") as handle:
            return {row["person_key"].split("@")[0]: row["email"] for row in csv.DictReader(handle)}

    def flags(self, lead_id: int) -> tuple[object, ...]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(
                "SELECT is_unsubscribed, is_marketing_suspended, is_email_invalid FROM b2b.persons "
                "WHERE person_key = $key",
                {"key": f"{lead_id}@123-ABC-456.Marketo"},
            ).fetchone()  # type: ignore[return-value]


@pytest.fixture
def run(tmp_path: Path, landing: Path, config: Path) -> Run:
    write_csv(landing / "2026-11-01" / "companies.csv", COMPANY_HEADER, [company(1), company(2, "Beta Farms")])
    return Run(tmp_path, landing, config)


def test_a_later_file_without_consent_columns_keeps_the_stored_flags(run: Run, landing: Path) -> None:
    write_csv(
        landing / "2026-11-01" / "leads.csv",
        LEAD_HEADER,
        [lead(1, "ann@acme.com", unsubscribed="true"), lead(2, "bob@acme.com"), lead(3, "cid@acme.com")],
    )
    run()
    assert run.contacts() == {"bob@acme.com", "cid@acme.com"}

    later = "2026-11-10T00:00:00Z"
    write_csv(
        landing / "2026-11-10" / "leads.csv",
        HEADER_WITHOUT_CONSENT,
        [without_consent(lead(i, f"{name}@acme.com", updated=later)) for i, name in ((1, "ann"), (2, "bob"))]
        + [without_consent(lead(4, "dan@acme.com", updated=later))],
    )
    done = run()

    assert run.flags(1) == (True, False, False)  # stored true survives a file that says nothing
    assert run.flags(2) == (False, False, False)
    assert run.flags(4) == (None, None, None)  # never delivered: unknown
    assert run.contacts() == {"bob@acme.com", "cid@acme.com"}  # dan is unknown, so suppressed
    assert "1 persons suppressed: consent unknown" in done.stderr


def test_a_first_load_without_consent_columns_or_with_empty_flags_exports_nobody(run: Run, landing: Path) -> None:
    write_csv(
        landing / "2026-11-01" / "leads.csv",
        LEAD_HEADER,
        [lead(1, "ann@acme.com", unsubscribed=""), lead(2, "bob@acme.com", unsubscribed="null")],
    )
    write_csv(
        landing / "2026-11-01" / "leads-2.csv",
        HEADER_WITHOUT_CONSENT,
        [without_consent(lead(3, "cid@acme.com"))],
    )
    done = run()
    assert [run.flags(i)[0] for i in (1, 2, 3)] == [None, None, None]
    assert run.contacts() == set()
    assert "3 persons suppressed: consent unknown" in done.stderr


DIRTY = {
    "kai": "kai@x.example\t",
    "ingrid": "ingrid@x.example\u200b",
    "vera": "mailto:vera@x.example",
    "alice": "alice@x.example.",
    "jonas": "jonas@x.example ,",
}


def test_a_suppressed_lead_with_a_dirty_email_suppresses_the_clean_copy(run: Run, landing: Path) -> None:
    # Account 2 holds the clean copies in an incomplete group (LinkedIn contacts); account 1 a
    # complete, engaged committee whose members reach the sales hand-off.
    committee = [
        lead(20, "vera@x.example", "CEO", company=1),
        lead(21, "dora@acme.com", "Director Sales", company=1),
        lead(22, "alice@x.example", "Director IT", company=1),
        lead(23, "mia@acme.com", "Product Manager", company=1),
    ]
    clean = [lead(30 + i, f"{name}@x.example", "CEO", company=2) for i, name in enumerate(DIRTY) if name != "vera"]
    clean = [row for row in clean if row[1] != "alice@x.example"]
    dirty = [lead(40 + i, email, "CEO", company=2, unsubscribed="true") for i, email in enumerate(DIRTY.values())]
    write_csv(landing / "2026-11-01" / "leads.csv", LEAD_HEADER, committee + clean + dirty)
    write_csv(
        landing / "2026-11-01" / "activities.csv",
        ACTIVITY_HEADER,
        [activity(f"g{i}", lead_id, "2026-11-15T10:00:00Z") for i, lead_id in enumerate((20, 21, 22, 23))],
    )
    run()

    assert run.contacts() == set()  # kai, ingrid, jonas: all suppressed through their dirty copies
    handoff = run.handoff_emails()
    assert handoff["20"] == "" and handoff["22"] == ""  # vera and alice: blanked for sales
    assert handoff["21"] == "dora@acme.com"


def test_a_quarantined_unsubscribe_still_suppresses_its_address(run: Run, landing: Path) -> None:
    write_csv(
        landing / "2026-11-01" / "leads.csv",
        LEAD_HEADER,
        [
            lead(1, "zed@acme.com", unsubscribed="true", updated="yesterday"),  # quarantined: bad updatedAt
            lead(2, "ZED@acme.com "),
            lead(3, "bob@acme.com"),
        ],
    )
    run()
    with duckdb.connect(str(run.warehouse), read_only=True) as con:
        quarantined = con.execute(
            "SELECT line_number, \"column\" FROM b2b.rejected_rows WHERE disposition = 'quarantined'"
        ).fetchall()
    assert quarantined == [(2, "updatedAt")]
    assert run.contacts() == {"bob@acme.com"}


# Pieces the normalisation treats specially (spaces of several kinds, invisible formatting, the
# `mailto:` prefix, trailing punctuation), upper and lower case, and others it keeps, so both
# branches of the shortcut are drawn often.
_EMAIL_PIECES = [
    *"aZ09._%+@-:,;",
    "mailto:",
    "MailTo:",
    "x.example",
    " ",
    "\t",
    "\n",
    "\u00a0",
    "\u200b",
    "\u2028",
    "\ufeff",
    "é",
    "\u0130",
]
_EMAILS = st.lists(st.sampled_from(_EMAIL_PIECES), max_size=8).map("".join)


@given(st.lists(_EMAILS, min_size=1, max_size=60))
@example(["mailto:kai@x.example", "Kai@X.Example", "kai@x.example.", "kai@x.example;", "kai@x.example\u200b", ""])
@settings(max_examples=150, deadline=None)
def test_the_email_shortcut_normalises_like_the_full_rule(emails: list[str]) -> None:
    with duckdb.connect() as con:
        run_sql(con, "activation/macros")
        differing = con.execute(
            "SELECT e, activation_normalised_email(e), activation_normalised_email_full(e) "
            "FROM unnest($emails || [NULL]) AS t(e) "
            "WHERE activation_normalised_email(e) IS DISTINCT FROM activation_normalised_email_full(e)",
            {"emails": emails},
        ).fetchall()
    assert differing == []
