"""The first hour with the CLI, as a new user meets it: every command run as a subprocess
(`python -m buying_groups.cli`), mistakes included, progress read off a pseudo-terminal."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from buying_groups.cli import build_parser
from buying_groups.model.entities import ENTITIES
from buying_groups.sample_data import generate_landing
from tests.conftest import LEAD_HEADER, REPO, lead, run_command, write_csv

END = dt.date(2026, 11, 20)
CLI = [sys.executable, "-m", "buying_groups.cli"]
ENV = {**os.environ, "DAGSTER_HOME": ""}


def cli(args: list[str], env: dict[str, str] | None = None, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, env={**ENV, **(env or {})}, cwd=cwd, timeout=600)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    landing = tmp_path_factory.mktemp("generated") / "landing"
    generate_landing(out=landing, leads=300, seed=3, drops=2, end_date=END)
    return landing


# --------------------------------------------------------------------------- bad inputs


def _landing_missing(tmp: Path, landing: Path) -> dict[str, Path]:
    return {"landing": tmp / "data" / "landin"}


def _landing_is_a_file(tmp: Path, landing: Path) -> dict[str, Path]:
    return {"landing": landing / "2026-11-19" / "leads.csv"}


def _landing_is_a_drop(tmp: Path, landing: Path) -> dict[str, Path]:
    return {"landing": landing / "2026-11-19"}


def _config_missing(tmp: Path, landing: Path) -> dict[str, Path]:
    return {"config": tmp / "conf"}


def _config_is_a_file(tmp: Path, landing: Path) -> dict[str, Path]:
    return {"config": REPO / "config" / "instance.yaml"}


def _warehouse_is_a_folder(tmp: Path, landing: Path) -> dict[str, Path]:
    (tmp / "wh").mkdir()
    return {"warehouse": tmp / "wh"}


def _warehouse_is_not_duckdb(tmp: Path, landing: Path) -> dict[str, Path]:
    (tmp / "notes.txt").write_text("not a database\n")
    return {"warehouse": tmp / "notes.txt"}


def _output_is_a_file(tmp: Path, landing: Path) -> dict[str, Path]:
    (tmp / "out.csv").write_text("a,b\n")
    return {"output": tmp / "out.csv"}


def _output_under_a_file(tmp: Path, landing: Path) -> dict[str, Path]:
    (tmp / "out.csv").write_text("a,b\n")
    return {"output": tmp / "out.csv" / "nested"}


BAD_PATHS = {
    "landing missing": (
        _landing_missing,
        r"landing zone .*/data/landin does not exist \(--landing or BG_LANDING_DIR\)",
    ),
    "landing is a file": (_landing_is_a_file, r"landing zone .*/leads\.csv is a file, not a folder of drop folders"),
    "drop folder as landing": (
        _landing_is_a_drop,
        r"landing zone .*/2026-11-19 holds entity files itself "
        r"\(activities\.csv, [a-z_, .]+\): it looks like a drop folder; "
        r"give the folder that holds the drop folders \(here .*/landing\)",
    ),
    "config missing": (_config_missing, r"config folder .*/conf does not exist \(--config or BG_CONFIG_DIR\)"),
    "config is a file": (_config_is_a_file, r"config folder .*/instance\.yaml is a file, not a folder"),
    "warehouse is a folder": (_warehouse_is_a_folder, r"warehouse .*/wh is a folder, not a DuckDB file"),
    "warehouse is not DuckDB": (_warehouse_is_not_duckdb, r"warehouse .*/notes\.txt is not a DuckDB database file"),
    "output is a file": (_output_is_a_file, r"output folder .*/out\.csv is a file, not a folder"),
    "output under a file": (_output_under_a_file, r"cannot create output folder .*/nested: .*/out\.csv is a file"),
}


@pytest.mark.parametrize("case", BAD_PATHS)
def test_a_bad_path_is_one_error_line_and_exit_2_before_anything_is_touched(case, tmp_path, generated):
    make, expected = BAD_PATHS[case]
    paths = {
        "landing": generated,
        "warehouse": tmp_path / "new" / "warehouse.duckdb",
        "output": tmp_path / "new" / "output",
        "config": REPO / "config",
    }
    paths.update(make(tmp_path, generated))
    done = cli(
        [*CLI, "run", "--landing", str(paths["landing"]), "--warehouse", str(paths["warehouse"]),
         "--output", str(paths["output"]), "--config", str(paths["config"]), "--as-of", END.isoformat()]
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    (line,) = error_lines(done.stderr)
    assert re.fullmatch(f"error: {expected}.*", line), line
    assert not (tmp_path / "new").exists()  # no warehouse, no lock file, no output folder


def test_every_path_problem_is_reported_at_once(tmp_path):
    done = cli(run_command(tmp_path / "nope", tmp_path / "w.duckdb", tmp_path / "o", config=tmp_path / "conf"))
    assert done.returncode == 2
    assert [line.split(" ")[1] for line in error_lines(done.stderr)] == ["landing", "config"]


def test_bad_as_of_in_the_environment_is_one_error_line(tmp_path, generated):
    env = {
        "BG_LANDING_DIR": str(generated),
        "BG_WAREHOUSE": str(tmp_path / "w.duckdb"),
        "BG_OUTPUT_DIR": str(tmp_path / "o"),
        "BG_CONFIG_DIR": str(REPO / "config"),
        "BG_AS_OF": "yesterday",
    }
    done = cli([*CLI, "run"], env=env)
    assert done.returncode == 2
    assert error_lines(done.stderr) == ["error: as_of must be a date YYYY-MM-DD, got 'yesterday' (--as-of or BG_AS_OF)"]
    assert not (tmp_path / "w.duckdb").exists()


BAD_ARGUMENTS = {
    "replay entity": (
        ["replay", "--drop", "2026-11-19", "--entity", "contacts"],
        "argument --entity: invalid choice: 'contacts' (choose from "
        + ", ".join(repr(name) for name in sorted(spec.entity for spec in ENTITIES))
        + ")",
    ),
    "replay lock timeout": (["replay", "--drop", "x", "--lock-timeout", "soon"], "'soon' is not a number of seconds"),
    "run as-of": (["run", "--as-of", "2026-02-30"], "argument --as-of: '2026-02-30' is not a date YYYY-MM-DD"),
    "run negative lock timeout": (["run", "--lock-timeout", "-1"], "'-1' is not allowed; must be 0 or more seconds"),
    "run infinite lock timeout": (["run", "--lock-timeout", "nan"], "'nan' is not allowed"),
    "run log level": (["run", "--log-level", "LOUD"], "argument --log-level: invalid choice: 'LOUD'"),
    "generate leads": (["generate", "--leads", "0"], "argument --leads: 0 is not allowed; must be 1 or more"),
    "generate leads text": (["generate", "--leads", "ten"], "argument --leads: 'ten' is not a whole number"),
    "generate drops": (["generate", "--drops", "0"], "argument --drops: 0 is not allowed"),
    "generate seed": (["generate", "--seed", "1.5"], "argument --seed: '1.5' is not a whole number"),
    "generate split": (["generate", "--split-rows", "-3"], "argument --split-rows: -3 is not allowed"),
    "generate end date": (["generate", "--end-date", "20261120"], "argument --end-date: '20261120' is not a date"),
    "unknown command": (
        ["ingest"],
        "invalid choice: 'ingest' (choose from 'generate', 'run', 'replay', 'explain', 'diff')",
    ),
}


@pytest.mark.parametrize("case", BAD_ARGUMENTS)
def test_every_argument_is_checked(case, tmp_path):
    args, expected = BAD_ARGUMENTS[case]
    done = cli([*CLI, *args], cwd=tmp_path)  # cwd: a default path that would be written is in tmp_path
    assert done.returncode == 2, done.stdout + done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith("error: ") and expected in line, line
    assert not any(tmp_path.iterdir())


def test_generate_refuses_an_output_that_is_a_file_and_too_many_leads(tmp_path):
    (tmp_path / "landing").write_text("")
    done = cli([*CLI, "generate", "--out", str(tmp_path / "landing"), "--leads", "10"])
    assert (done.returncode, error_lines(done.stderr)) == (
        2,
        [f"error: output folder {tmp_path / 'landing'} is a file, not a folder (--out or BG_LANDING_DIR)"],
    )
    done = cli([*CLI, "generate", "--out", str(tmp_path / "big"), "--leads", "100000000"])
    assert (done.returncode, error_lines(done.stderr)) == (
        2,
        ["error: leads must be below 100,000,000, got 100,000,000"],
    )
    assert not (tmp_path / "big").exists()


def test_an_empty_landing_zone_is_a_no_op_run_that_creates_its_outputs(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    warehouse, output = tmp_path / "new" / "data" / "warehouse.duckdb", tmp_path / "new" / "output"
    done = cli(run_command(landing, warehouse, output))
    assert done.returncode == 0, done.stderr
    assert "no new files in the landing zone" in done.stdout
    assert warehouse.is_file() and output.is_dir()


# --------------------------------------------------------------------------- a failed run


def test_a_failed_run_prints_one_error_line_and_points_to_the_full_log(tmp_path):
    landing = tmp_path / "landing"
    write_csv(landing / "2026-11-01" / "leads.csv", [h for h in LEAD_HEADER if h != "email"], [lead(1)])
    done = cli(run_command(landing, tmp_path / "w.duckdb", tmp_path / "out", "--log-level", "ERROR"))
    assert done.returncode == 1
    (line,) = error_lines(done.stderr)
    assert line == (
        f"error: landing__drops: {landing / '2026-11-01' / 'leads.csv'}:1: missing required column(s) email "
        "for leads; header has: " + ", ".join(h for h in LEAD_HEADER if h != "email")
    )
    assert "Traceback" not in done.stderr and "Stack Trace" not in done.stderr and "dagster._core" not in done.stderr
    assert len(done.stderr.splitlines()) == 2, done.stderr
    pointer = re.search(r"full log: (\S+\.log)", done.stderr)
    assert pointer, done.stderr
    log = Path(pointer[1]).read_text(encoding="utf-8")
    assert Path(pointer[1]).parent == tmp_path / "logs"
    assert "Stack Trace" in log and "UnusableFileError" in log and "STEP_FAILURE" in log

    debug = cli(run_command(landing, tmp_path / "w.duckdb", tmp_path / "out", "--log-level", "DEBUG"))
    assert debug.returncode == 1
    assert "Stack Trace" in debug.stderr and "STEP_FAILURE" in debug.stderr
    assert len(error_lines(debug.stderr)) == 1


# --------------------------------------------------------------------------- progress and summary


def run_on_a_terminal(args: list[str], timeout: float = 600) -> tuple[int, str]:
    """Run ``args`` with stdout and stderr on a pseudo-terminal; return exit code and output."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(args, stdout=terminal, stderr=terminal, cwd=REPO, env=ENV)
    os.close(terminal)
    chunks, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 1)
        if ready:
            try:
                data = os.read(controller, 65536)
            except OSError:  # the terminal closed: every writer has exited
                break
            if not data:
                break
            chunks.append(data)
        elif process.poll() is not None:
            break
    os.close(controller)
    return process.wait(timeout=60), b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.slow
def test_progress_on_a_terminal_and_a_summary(tmp_path, generated):
    warehouse, output = tmp_path / "warehouse.duckdb", tmp_path / "output"
    code, shown = run_on_a_terminal(run_command(generated, warehouse, output, as_of=END.isoformat()))
    assert code == 0, shown[-3000:]
    # One line per asset as it is done: its rows (files for the landing zone) and elapsed time.
    assert re.search(r"done landing/drops +\d+ new files +\d+\.\ds", shown), shown[-3000:]
    assert re.search(r"done b2b/persons +[\d,]+ rows +\d+\.\ds", shown)
    assert re.search(r"done marts/buying_groups +[\d,]+ rows +\d+\.\ds", shown)
    assert re.search(r"\.\.\. b2b__\w+ \d+\.\ds", shown)  # the running step, with its clock
    assert "dagster - INFO" not in shown and "{'" not in shown  # no Dagster log lines, no dicts

    with duckdb.connect(str(warehouse), read_only=True) as con:
        stages = dict(con.execute("SELECT stage, count(*) FROM marts.buying_groups GROUP BY 1").fetchall())
        members = con.execute("SELECT count(*) FROM marts.buying_group_members WHERE NOT is_removed").fetchone()[0]
        handoff = con.execute("SELECT count(*) FROM marts.sales_handoff").fetchone()[0]
    by_stage = ", ".join(f"{stages.get(s, 0):,} {s}" for s in ("sales_ready", "complete", "incomplete"))
    assert f"{sum(stages.values()):,} groups: {by_stage}" in shown
    assert f"{members:,} active members" in shown
    assert f"{output / 'sales_handoff.csv'}: {handoff:,} rows" in shown
    assert re.search(rf"{re.escape(str(output / 'linkedin'))}: \d+ files, [\d,]+ rows", shown)
    assert re.search(rf"{re.escape(str(output / 'marts'))}: \d+ Parquet files, [\d,]+ rows", shown)
    assert f"full log: {tmp_path / 'logs'}/" in shown

    # Piped (not a terminal): the same run prints no progress, only its summary.
    piped = cli(run_command(generated, warehouse, output, as_of=END.isoformat()))
    assert piped.returncode == 0
    assert "done " not in piped.stdout and "\r" not in piped.stdout
    assert "no new files in the landing zone" in piped.stdout


def test_generate_shows_progress_on_a_terminal_only(tmp_path):
    args = [
        *CLI,
        "generate",
        "--out",
        str(tmp_path / "t"),
        "--leads",
        "500",
        "--drops",
        "2",
        "--end-date",
        "2026-11-20",
    ]
    code, shown = run_on_a_terminal(args)
    assert code == 0, shown
    assert re.search(r"done 2026-11-19 +[\d,]+ rows +\d+\.\ds", shown), shown
    assert re.search(r"done 2026-11-20 +[\d,]+ rows +\d+\.\ds", shown), shown
    args[args.index("--out") + 1] = str(tmp_path / "p")
    piped = cli(args)
    assert piped.returncode == 0 and "done " not in piped.stdout and "Generated" in piped.stdout


# --------------------------------------------------------------------------- the UI's view of CLI runs


@pytest.mark.slow
def test_cli_runs_are_tagged_in_the_dagster_instance(tmp_path, generated):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    warehouse = tmp_path / "warehouse.duckdb"
    done = cli(
        run_command(generated, warehouse, tmp_path / "out", as_of=END.isoformat()), env={"DAGSTER_HOME": str(home)}
    )
    assert done.returncode == 0, done.stderr[-3000:]
    with dg.DagsterInstance.from_config(str(home)) as instance:
        (run,) = instance.get_runs()
    assert run.tags["buying_groups/trigger"] == "cli"
    assert run.tags["buying_groups/as_of"] == END.isoformat()
    assert run.tags["buying_groups/landing"] == str(generated.resolve())
    assert run.tags["buying_groups/warehouse"] == str(warehouse.resolve())
    assert f"run {run.run_id} in the Dagster UI" in done.stdout


# --------------------------------------------------------------------------- help


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def test_help_is_complete_and_plain_text():
    parser = build_parser()
    for name, command in _subparsers(parser).items():
        assert command.description, f"{name} has no summary"
        for action in command._actions:
            assert action.help, f"{name} {action.option_strings} has no help"
        text = command.format_help()
        assert "``" not in text and "SPEC" not in text, name
    top = cli([*CLI, "--help"]).stdout
    assert "``" not in top and "SPEC" not in top and ":class:" not in top
    for name in ("generate", "run", "replay"):
        assert name in top
    run_help = cli([*CLI, "run", "--help"]).stdout
    assert "Ingest every new drop" in run_help and "logs/" in run_help


def test_an_unexpected_error_names_where_in_the_code_it_was_raised():
    from dagster._utils.error import serializable_error_info_from_exc_info

    from buying_groups.cli import _one_line
    from buying_groups.settings import parse_as_of

    try:
        parse_as_of("someday")
    except ValueError:
        error = serializable_error_info_from_exc_info(sys.exc_info())
    line = _one_line(error)
    assert re.fullmatch(
        r"ValueError: as_of must be a date YYYY-MM-DD, got 'someday' \(raised at buying_groups/settings\.py:\d+\)", line
    ), line
