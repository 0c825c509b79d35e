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
from tests.conftest import generated_project

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
