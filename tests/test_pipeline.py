"""The whole pipeline through Dagster on generated data: CLI, materialize, re-runs, history."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from buying_groups.definitions import ALL_ASSETS, ALL_CHECKS
from buying_groups.resources import build_resources
from buying_groups.sample_data import generate_landing
from buying_groups.settings import Settings
from tests.conftest import LEAD_HEADER, cli, run_command, write_csv

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
END = dt.date(2026, 11, 20)
MARTS = [
    "account_audience_members",
    "buying_groups",
    "buying_group_members",
    "buying_group_roles",
    "person_engagement",
    "buying_group_history",
    "sales_handoff",
    "accounts",
    "persons",
]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    landing = tmp_path_factory.mktemp("generated") / "landing"
    generate_landing(out=landing, leads=3000, seed=11, drops=2, end_date=END)
    return landing


def settings_for(tmp_path: Path, landing: Path, as_of: dt.date = END, config: Path | None = None) -> Settings:
    return Settings(
        landing_dir=landing,
        warehouse=tmp_path / "warehouse.duckdb",
        output_dir=tmp_path / "output",
        config_dir=config or REPO / "config",
        as_of=as_of.isoformat(),
    )


def materialize(settings: Settings) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [*ALL_ASSETS, *ALL_CHECKS], resources=build_resources(settings), instance=dg.DagsterInstance.ephemeral()
    )


def marts_snapshot(warehouse: Path) -> dict[str, list[tuple[object, ...]]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {table: con.execute(f"SELECT * FROM marts.{table} ORDER BY ALL").fetchall() for table in MARTS}


def test_cli_run_builds_every_table_and_file(tmp_path, generated):
    warehouse, output = tmp_path / "wh" / "warehouse.duckdb", tmp_path / "out"
    done = cli(run_command(generated, warehouse, output, as_of=END.isoformat()))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "run succeeded" in done.stdout and re.search(r"buying groups +\d+ groups: ", done.stdout)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in ["persons", "accounts", "opportunities", "opportunity_persons", "experience_events"]:
            assert con.execute(f"SELECT count(*) FROM b2b.{table}").fetchone()[0] > 0, table
        stages = con.execute(
            "SELECT solution_interest_id, stage, count(*) FROM marts.buying_groups GROUP BY ALL"
        ).fetchall()
        assert {(si, stage) for si, stage, _ in stages} == {
            (si, stage)
            for si in ("ai-driven-seeds", "cloud-analytics")
            for stage in ("incomplete", "complete", "sales_ready")
        }
        ingested = con.execute("SELECT count(*) FROM meta.landing_files WHERE status = 'ingested'").fetchone()[0]
        assert ingested == len(list(generated.rglob("*.csv")))
        tables_doc = (REPO / "docs" / "tables.md").read_text(encoding="utf-8")
        for table in MARTS:
            section = tables_doc.split(f"#### `marts.{table}`", 1)[1].split("####", 1)[0]
            columns = con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'marts' AND table_name = $t",
                {"t": table},
            ).fetchall()
            undocumented = [name for (name,) in columns if f"| `{name}` |" not in section]
            assert not undocumented, f"docs/tables.md lacks marts.{table} columns {undocumented}"
    assert (output / "linkedin" / "manifest.json").is_file()
    with (output / "linkedin" / "ai-driven-seeds" / "contacts.csv").open(newline="") as handle:
        assert next(csv.reader(handle)) == [
            "email",
            "firstname",
            "lastname",
            "jobtitle",
            "employeecompany",
            "country",
            "googleaid",
        ]
    assert {p.stem for p in (output / "marts").glob("*.parquet")} >= set(MARTS)


def test_environment_variables_configure_the_run(tmp_path, generated):
    env = {
        "BG_LANDING_DIR": str(generated),
        "BG_WAREHOUSE": str(tmp_path / "env.duckdb"),
        "BG_OUTPUT_DIR": str(tmp_path / "env-out"),
        "BG_CONFIG_DIR": str(REPO / "config"),
        "BG_AS_OF": END.isoformat(),
    }
    done = cli([sys.executable, "-m", "buying_groups.cli", "run"], env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"as_of={END.isoformat()}" in done.stdout
    assert (tmp_path / "env.duckdb").is_file() and (tmp_path / "env-out" / "sales_handoff.csv").is_file()


def test_bad_config_fails_before_any_data_is_touched(tmp_path, generated):
    config = tmp_path / "config"
    shutil.copytree(REPO / "config", config)
    path = config / "roles_templates.yaml"
    path.write_text(path.read_text().replace("weight: Vital", "weight: Huge", 1))
    warehouse = tmp_path / "warehouse.duckdb"
    done = cli(run_command(generated, warehouse, tmp_path / "out", as_of=END.isoformat(), config=config))
    assert done.returncode == 2
    assert "roles_templates.yaml: roles_templates[0].roles[0].weight: 'Huge' is not allowed" in done.stderr
    assert "Vital" in done.stderr
    assert not warehouse.exists()


def test_unusable_file_fails_the_run_naming_file_line_and_reason(tmp_path):
    landing = tmp_path / "landing"
    write_csv(landing / "2026-11-01" / "leads.csv", [h for h in LEAD_HEADER if h != "email"], [])
    done = cli(run_command(landing, tmp_path / "w.duckdb", tmp_path / "out", as_of=END.isoformat()))
    assert done.returncode == 1
    assert f"{landing / '2026-11-01' / 'leads.csv'}:1: missing required column(s) email for leads" in done.stderr


def test_rerun_with_same_inputs_and_as_of_changes_nothing(tmp_path, generated):
    settings = settings_for(tmp_path, generated)
    assert materialize(settings).success
    first = marts_snapshot(settings.warehouse)
    files = {p: p.read_bytes() for p in (settings.output_dir / "linkedin").rglob("*.csv")}
    assert materialize(settings).success
    assert marts_snapshot(settings.warehouse) == first
    assert {p: p.read_bytes() for p in (settings.output_dir / "linkedin").rglob("*.csv")} == files


def test_second_run_keeps_history_and_removed_members(tmp_path, generated):
    landing = tmp_path / "landing"
    shutil.copytree(generated, landing)
    settings = settings_for(tmp_path, landing)
    assert materialize(settings).success

    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        # Two rule members of one group: one changes title, one is deleted in a new drop.
        group_id, account_key = con.execute(
            "SELECT buying_group_id, account_key FROM marts.buying_groups WHERE member_count >= 3 ORDER BY 1 LIMIT 1"
        ).fetchone()
        members = con.execute(
            "SELECT m.person_key FROM marts.buying_group_members m WHERE buying_group_id = $g "
            "AND assignment_source = 'rule' AND NOT is_removed ORDER BY 1 LIMIT 2",
            {"g": group_id},
        ).fetchall()
        outsider = con.execute(
            "SELECT person_key FROM b2b.persons WHERE account_key = $a AND NOT is_deleted AND person_key NOT IN "
            "(SELECT person_key FROM marts.buying_group_members WHERE buying_group_id = $g) LIMIT 1",
            {"a": account_key, "g": group_id},
        ).fetchone()
        groups_first = con.execute("SELECT count(*) FROM marts.buying_groups").fetchone()[0]
    retitled, deleted = (key for (key,) in members)
    later = END + dt.timedelta(days=1)
    rows = []
    for person_key, title, flag in ((retitled, "Office Plant Whisperer", "false"), (deleted, "CEO", "true")):
        lead_id = person_key.split("@")[0]
        rows.append(
            [
                lead_id,
                f"p{lead_id}@example.com",
                "A",
                "B",
                title,
                "Acme",
                account_key.split(".")[0],
                "US",
                "false",
                "false",
                "false",
                flag,
                "2026-01-01T00:00:00Z",
                "2026-11-21T08:00:00Z",
            ]
        )
    write_csv(landing / later.isoformat() / "leads.csv", LEAD_HEADER, rows)
    config = tmp_path / "config"
    shutil.copytree(REPO / "config", config)
    if outsider:
        with (config / "membership_overrides.csv").open("a") as handle:
            handle.write(f"{group_id.split(':')[0]},{account_key},{outsider[0]},add,Other\n")

    assert materialize(settings_for(tmp_path, landing, later, config)).success
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        removed = dict(
            con.execute(
                "SELECT person_key, removed_at FROM marts.buying_group_members "
                "WHERE buying_group_id = $g AND is_removed",
                {"g": group_id},
            ).fetchall()
        )
        assert removed == {retitled: later, deleted: later}
        history = con.execute("SELECT as_of, count(*) FROM marts.buying_group_history GROUP BY 1 ORDER BY 1").fetchall()
        assert [as_of for as_of, _ in history] == [END, later]
        assert history[0][1] == groups_first
        per_group = con.execute(
            "SELECT max(n) FROM (SELECT count(*) AS n FROM marts.buying_group_history GROUP BY buying_group_id)"
        ).fetchone()
        assert per_group == (2,)
        if outsider:
            assert con.execute(
                "SELECT role, assignment_source, is_removed FROM marts.buying_group_members "
                "WHERE buying_group_id = $g AND person_key = $p",
                {"g": group_id, "p": outsider[0]},
            ).fetchone() == ("Other", "manual", False)
