"""The output folder is shared: the pipeline removes only what it wrote, publishes its LinkedIn
set whole, and a failed check says which check and which file.

End to end through ``buying-groups run`` (a subprocess) over generated extracts.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from buying_groups.activation.verify import verify_manifest
from buying_groups.sample_data import generate_landing
from tests.conftest import cli, run_command, write_csv

pytestmark = pytest.mark.slow

AS_OF = dt.date(2026, 11, 20)
SI = "ai-driven-seeds"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    landing = tmp_path_factory.mktemp("generated") / "landing"
    generate_landing(out=landing, leads=500, seed=3, drops=1, end_date=AS_OF)
    return landing


def run_cli(landing: Path, root: Path, as_of: dt.date = AS_OF) -> subprocess.CompletedProcess[str]:
    return cli(
        run_command(landing, root / "warehouse.duckdb", root / "output", as_of=as_of.isoformat()),
        env={"DAGSTER_HOME": ""},
        timeout=300,
    )


def error_lines(done: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in done.stderr.splitlines() if line.startswith("error: ")]


def test_sweeps_delete_only_files_the_pipeline_wrote(tmp_path: Path, generated: Path) -> None:
    first = run_cli(generated, tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    output = tmp_path / "output"
    contacts = output / "linkedin" / SI / "contacts.csv"
    foreign = {
        output / "marts" / "finance.parquet": b"PAR1 the finance team's file",
        output / "linkedin" / "team-notes" / "notes.txt": b"campaign notes",
        # Named like one of ours, but in a folder the pipeline never wrote.
        output / "linkedin" / "team-notes" / "contacts.csv": b"email\r\nboss@example.com\r\n",
        output / "linkedin" / SI / "contacts (copy).csv": contacts.read_bytes(),
        output / "linkedin" / SI / "notes.txt": b"which lists went where",
    }
    for path, data in foreign.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    empty_folder = output / "linkedin" / "team-drafts"
    empty_folder.mkdir()

    for _ in range(2):  # the stray copy must not fail this run, nor the next
        again = run_cli(generated, tmp_path)
        assert again.returncode == 0, "\n".join(error_lines(again)) or again.stderr[-3000:]

    assert {path: path.read_bytes() for path in foreign} == foreign
    assert empty_folder.is_dir()
    assert contacts.is_file()


def test_a_failed_blocking_check_names_the_check_and_the_file(tmp_path: Path, generated: Path) -> None:
    first = run_cli(generated, tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    # A file named like one of the pipeline's lists, in its folder, that no run of it wrote
    # (restored from a backup, say): it would be uploaded with the others, so the run stops.
    folder = tmp_path / "output" / "linkedin" / SI
    shutil.copy(folder / "contacts.csv", folder / "contacts_part007.csv")

    done = run_cli(generated, tmp_path)

    assert done.returncode == 1
    expected = (
        "error: check linkedin_manifest_checksums on activation/linkedin_audiences failed: "
        f"{SI}/contacts_part007.csv: on disk but not in the manifest"
    )
    assert any(line.startswith(expected) for line in error_lines(done)), done.stderr[-3000:]
    assert "DagsterAssetCheckFailedError" not in done.stderr.split("run FAILED", 1)[1]


def test_a_21_mb_title_is_cut_and_the_set_published_whole(tmp_path: Path, generated: Path) -> None:
    first = run_cli(generated, tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        # A contact on a LinkedIn list: an active member of a group that is not sales_ready.
        person_key, title = con.execute(
            """
            SELECT p.person_key, p.job_title FROM marts.buying_group_members m
            JOIN marts.buying_groups g USING (buying_group_id)
            JOIN b2b.persons p USING (person_key)
            WHERE g.solution_interest_id = $si AND g.stage <> 'sales_ready' AND NOT m.is_removed
              AND m.assignment_source = 'rule'
            ORDER BY p.person_key LIMIT 1
            """,
            {"si": SI},
        ).fetchone()
        lead_row = con.execute(
            """
            SELECT split_part(person_key, '@', 1), work_email, split_part(account_key, '.', 1)
            FROM b2b.persons WHERE person_key = $key
            """,
            {"key": person_key},
        ).fetchone()
    # The same lead again in a later drop, its title now 21 MB (the role rules still match
    # its start, so it stays on the contact list).
    long_title = f"{title} " + "x" * (21 * 1024 * 1024)
    landing = tmp_path / "landing"
    shutil.copytree(generated, landing)
    lead_id, email, company_id = lead_row
    write_csv(
        landing / f"{AS_OF.isoformat()}T23" / "leads.csv",
        ["id", "email", "title", "contactCompany", "createdAt", "updatedAt"],
        [[lead_id, email, long_title, company_id, "2026-01-01T00:00:00Z", f"{AS_OF.isoformat()}T23:00:00Z"]],
    )

    done = run_cli(landing, tmp_path)

    assert done.returncode == 0, "\n".join(error_lines(done)) or done.stderr[-3000:]
    linkedin = tmp_path / "output" / "linkedin"
    with (linkedin / SI / "contacts.csv").open(newline="", encoding="utf-8") as handle:
        titles = [row["jobtitle"] for row in csv.DictReader(handle)]
    assert f"{title} " + "x" * (255 - len(title) - 1) in titles
    assert max(len(t) for t in titles) == 255
    assert verify_manifest(linkedin).passed
    assert json.loads((linkedin / "manifest.json").read_text())["as_of"] == AS_OF.isoformat()
    assert "cut to fit LinkedIn's field size" in done.stderr + done.stdout
