"""A validated table's Pandera check runs in the table's own step, right after its load, and
still blocks: a duplicate account key (planted in the warehouse, as a bug would leave it)
fails `pandera_schema` on `b2b/accounts`, and `b2b/persons`, which reads the accounts, does
not run."""

import datetime as dt
from pathlib import Path

import dagster as dg
import duckdb

from buying_groups.assets import keys
from buying_groups.definitions import build_definitions
from tests.conftest import cli, generated_project, run_command

END = dt.date(2026, 11, 20)


def test_a_failed_pandera_check_stops_the_tables_downstream(tmp_path: Path) -> None:
    settings = generated_project(tmp_path, leads=200, seed=23, drops=1, end_date=END)
    accounts_then_persons = dg.define_asset_job(
        "accounts_then_persons",
        selection=dg.AssetSelection.assets(keys.LANDING_DROPS, keys.ACCOUNTS, keys.PERSONS)
        | dg.AssetSelection.checks_for_assets(keys.ACCOUNTS, keys.PERSONS),
    )
    definitions = dg.Definitions.merge(build_definitions(settings), dg.Definitions(jobs=[accounts_then_persons]))
    instance = dg.DagsterInstance.ephemeral()
    first = definitions.resolve_job_def("accounts_then_persons").execute_in_process(instance=instance)
    assert first.success
    passed = {(e.asset_key, e.check_name): e.passed for e in first.get_asset_check_evaluations()}
    assert passed == {(keys.ACCOUNTS, "pandera_schema"): True, (keys.PERSONS, "pandera_schema"): True}

    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("INSERT INTO b2b.accounts SELECT * FROM b2b.accounts ORDER BY account_key LIMIT 1")

    second = definitions.resolve_job_def("accounts_then_persons").execute_in_process(
        instance=instance, raise_on_error=False
    )

    evaluations = {(e.asset_key, e.check_name): e for e in second.get_asset_check_evaluations()}
    failed = evaluations[(keys.ACCOUNTS, "pandera_schema")]
    assert failed.passed is False
    assert failed.metadata["duplicate_keys"].value == 1
    assert (keys.PERSONS, "pandera_schema") not in evaluations
    assert keys.PERSONS not in {e.asset_key for e in second.get_asset_materialization_events()}
    assert not second.success


def test_the_events_check_covers_the_rows_a_run_appended_unless_asked_for_all(tmp_path: Path) -> None:
    settings = generated_project(tmp_path, leads=200, seed=29, drops=2, end_date=END)
    first_drop, second_drop = sorted(p for p in settings.landing_dir.iterdir() if p.is_dir())
    held = tmp_path / "held"
    held.mkdir()
    second_drop.rename(held / second_drop.name)
    events_job = dg.define_asset_job(
        "events",
        selection=dg.AssetSelection.assets(keys.LANDING_DROPS, keys.ACCOUNTS, keys.PERSONS, keys.EXPERIENCE_EVENTS)
        | dg.AssetSelection.checks_for_assets(keys.EXPERIENCE_EVENTS),
    )
    job = dg.Definitions.merge(build_definitions(settings), dg.Definitions(jobs=[events_job])).resolve_job_def("events")
    instance = dg.DagsterInstance.ephemeral()

    def events_check(run_config: dict | None = None) -> dg.AssetCheckEvaluation:
        result = job.execute_in_process(instance=instance, run_config=run_config or {})
        assert result.success
        (evaluation,) = [e for e in result.get_asset_check_evaluations() if e.asset_key == keys.EXPERIENCE_EVENTS]
        return evaluation

    first = events_check()
    assert first.metadata["scope"].value == f"rows appended from drops: {first_drop.name}"
    (held / second_drop.name).rename(second_drop)
    second = events_check()
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        (appended,) = con.execute(  # type: ignore[misc]
            "SELECT count(*) FROM b2b.experience_events WHERE source_drop = $drop", {"drop": second_drop.name}
        ).fetchone()
        (total,) = con.execute("SELECT count(*) FROM b2b.experience_events").fetchone()  # type: ignore[misc]
    assert second.metadata["scope"].value == f"rows appended from drops: {second_drop.name}"
    assert second.metadata["rows_checked_in_sql"].value == appended < total

    nothing_new = events_check()
    assert nothing_new.passed and nothing_new.metadata["rows_checked_in_sql"].value == 0

    full = events_check({"ops": {"b2b__experience_events": {"config": {"full_check": True}}}})
    assert full.metadata["scope"].value == "whole table"
    assert full.metadata["rows_checked_in_sql"].value == total


def test_the_cli_asks_for_the_whole_events_check(tmp_path: Path) -> None:
    settings = generated_project(tmp_path, leads=100, seed=31, drops=1, end_date=END)
    command = run_command(
        settings.landing_dir, settings.warehouse, settings.output_dir, "--full-checks", as_of=END.isoformat()
    )
    # Dagster refuses run config for an op the job does not have, so success means the flag
    # reached the events step.
    done = cli(command, env={"DAGSTER_HOME": ""})
    assert done.returncode == 0, done.stderr[-3000:]
    assert "run succeeded" in done.stdout
