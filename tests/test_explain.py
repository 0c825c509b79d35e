# ruff: noqa: E501  (the golden texts are terminal output, line for line)
"""`buying-groups explain` and `buying-groups diff` on a fixed world (tests/explain_world.py),
through the CLI as a user runs them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.explain_world import (
    AS_OF,
    CLOUD_INITECH,
    SEEDS_ACME,
    SEEDS_GLOBEX,
    SEEDS_INITECH,
    person_key,
    run_pipeline,
    tree_hashes,
)

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return run_pipeline(tmp_path_factory.mktemp("explain-world"), REPO / "config")


def cli(world: tuple[Path, Path], *args: str) -> subprocess.CompletedProcess[str]:
    warehouse, output = world
    return subprocess.run(
        [sys.executable, "-m", "buying_groups.cli", *args, "--warehouse", str(warehouse), "--output", str(output)],
        capture_output=True,
        text=True,
        check=False,
    )


GROUP_TEXT = r"""
Buying group ai-driven-seeds:1.mkto_org@123-ABC-456.Marketo: AI Driven Seeds for Acme Seeds
  solution interest ai-driven-seeds (AI Driven Seeds), account Acme Seeds (1.mkto_org@123-ABC-456.Marketo), as of 2026-11-20
  stage sales_ready; completeness 83 (weighted 83); engagement 67; 3 members, 1 showing interest

Stage (the first whose thresholds all hold):
  sales_ready  completeness_score 83 >= min_completeness 70  held by 13.3
  sales_ready  engagement_score 67 >= min_engagement 30      held by 37.2
  complete     completeness_score 83 >= complete at 100      failed by 16.7

Roles (completeness = 100 x min(assigned, required) / required):
  role            weight  required  members needed  assigned  completeness
  Decision Maker  100     yes       1               1         100
  Influencer      80      yes       2               1         50
  Champion        60      yes       1               1         100
  Other           20      no        1               0         0
  missing: Influencer

Members (person, role, source, engagement) and why:
  1@123-ABC-456.Marketo (Ann Avery, CEO)  Decision Maker  rule  45
      job_title 'CEO' matches \b(CEO|CTO|CIO|CFO|COO|VP|Chief)\b
  2@123-ABC-456.Marketo (Bob Burns, Director of Sales)  Influencer  rule  19
      job_title 'Director of Sales' starts with 'Director' or 'Sr Director' or 'Head of'
  3@123-ABC-456.Marketo (Cat Cole, Sales Manager)  Champion  rule  0
      job_title 'Sales Manager' contains 'Manager'

Engagement (group raw = sum of role score x weight / sum of weights of roles present):
  role            members  sum of person scores  weight
  Decision Maker  1        45                    100
  Influencer      1        19                    80
  Champion        1        0                     60
  group raw 25.1; engagement_score = 100 x sqrt(25.1) / sqrt(top group raw 55.6) = 67

Lifecycle and journeys:
  lifecycle stage Sales Ready
  journey seeds-abm entry 1: completed at node alert since 2026-11-20

Output files:
  linkedin/ai-driven-seeds/companies.csv                     account
  linkedin/ai-driven-seeds/companies_missing_influencer.csv  account
  sales_handoff.csv                                          sales hand-off of ai-driven-seeds:1.mkto_org@123-ABC-456.Marketo (3 rows)
"""

PERSON_TEXT = r"""
Person 1@123-ABC-456.Marketo: Ann Avery, CEO
  account Acme Seeds (1.mkto_org@123-ABC-456.Marketo)

Engagement (points = capped count x weight; capped count = sum over days of min(count, daily cap)):
  activity type  days active  capped count  points
  2              1            3             120
  1              1            1             40
  raw score 160; person_engagement_score = 100 x sqrt(160) / sqrt(top raw 800) = 45

Buying groups (group, role, source, group stage) and why:
  ai-driven-seeds:1.mkto_org@123-ABC-456.Marketo  Decision Maker  rule  sales_ready
      job_title 'CEO' matches \b(CEO|CTO|CIO|CFO|COO|VP|Chief)\b

Output files:
  sales_handoff.csv  sales hand-off of ai-driven-seeds:1.mkto_org@123-ABC-456.Marketo (1 row)
"""


def test_explain_group_golden_text(world: tuple[Path, Path]) -> None:
    result = cli(world, "explain", "--group", SEEDS_ACME)
    assert result.returncode == 0, result.stderr
    assert result.stdout == GROUP_TEXT.removeprefix("\n")


def test_explain_person_golden_text(world: tuple[Path, Path]) -> None:
    result = cli(world, "explain", "--person", person_key(1))
    assert result.returncode == 0, result.stderr
    assert result.stdout == PERSON_TEXT.removeprefix("\n")


def test_explain_json_and_parquet_export(world: tuple[Path, Path]) -> None:
    result = cli(world, "explain", "--group", SEEDS_GLOBEX, "--json")
    assert result.returncode == 0, result.stderr
    explanation = json.loads(result.stdout)
    assert explanation["group"]["stage"] == "incomplete"
    assert [(t["stage"], t["held"], round(t["margin"], 6)) for t in explanation["stage_tests"]] == [
        ("sales_ready", False, -20.0),
        ("sales_ready", True, 70.0),
        ("complete", False, -50.0),
    ]
    assert [(m["person_key"], m["role"], m["reason"]) for m in explanation["members"]] == [
        (person_key(5), "Decision Maker", r"job_title 'VP Operations' matches \b(CEO|CTO|CIO|CFO|COO|VP|Chief)\b"),
        (person_key(6), "Influencer", "job_title 'Director IT' starts with 'Director' or 'Sr Director' or 'Head of'"),
    ]
    assert {f["path"] for f in explanation["files"]} == {
        "linkedin/ai-driven-seeds/companies.csv",
        "linkedin/ai-driven-seeds/companies_missing_champion.csv",
        "linkedin/ai-driven-seeds/companies_missing_influencer.csv",
        "linkedin/ai-driven-seeds/contacts.csv",
    }
    # The new marts are exported with the others.
    _, output = world
    exported = {path.stem for path in (output / "marts").glob("*.parquet")}
    assert {"person_engagement_contributions", "buying_group_member_reasons"} <= exported


def test_explain_unknown_ids_exit_2(world: tuple[Path, Path]) -> None:
    group = cli(world, "explain", "--group", "ai-driven-seeds:nope")
    assert (group.returncode, group.stdout) == (2, "")
    assert group.stderr == "error: no buying group 'ai-driven-seeds:nope' in the warehouse\n"
    person = cli(world, "explain", "--person", "42@nowhere")
    assert (person.returncode, person.stderr) == (2, "error: no person '42@nowhere' in the warehouse\n")
    missing = subprocess.run(
        [sys.executable, "-m", "buying_groups.cli", "explain", "--group", SEEDS_ACME, "--warehouse", "/nonexistent.db"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 2
    assert "does not exist" in missing.stderr


def test_explain_shows_journeys_when_present(world: tuple[Path, Path], tmp_path: Path) -> None:
    warehouse, output = world
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        # The shipped journeys ran with the world; put the group somewhere else by hand.
        con.execute("UPDATE marts.buying_groups SET lifecycle_stage = 'Engaged'")
        con.execute("DELETE FROM marts.journey_state")
        con.execute(
            "INSERT INTO marts.journey_state VALUES ('seeds-abm', 'a', $g, 1, 'wait_form', DATE '2026-11-18', "
            "'active', DATE '2026-11-01', NULL, DATE '2026-11-20')",
            {"g": SEEDS_ACME},
        )
    result = cli((copy, output), "explain", "--group", SEEDS_ACME)
    assert result.returncode == 0, result.stderr
    assert (
        "Lifecycle and journeys:\n"
        "  lifecycle stage Engaged\n"
        "  journey seeds-abm entry 1: active at node wait_form since 2026-11-18\n"
    ) in result.stdout


# --- diff ------------------------------------------------------------------------------------


def changed_config(tmp_path: Path, file: str, old: str, new: str) -> Path:
    config = tmp_path / "new-config"
    shutil.copytree(REPO / "config", config)
    text = (config / file).read_text()
    assert text.count(old) == 1, old
    (config / file).write_text(text.replace(old, new))
    return config


def diff(world: tuple[Path, Path], config: Path, *extra: str) -> dict[str, Any]:
    warehouse, output = world
    before = tree_hashes(warehouse.parent)
    result = cli(world, "diff", "--config", str(config), "--json", *extra)
    assert result.returncode == 0, result.stderr
    # The warehouse, its folder and every output file are byte for byte what they were.
    assert tree_hashes(warehouse.parent) == before
    assert str(output) in " ".join(before)
    return json.loads(result.stdout)


def test_diff_of_the_same_config_is_empty(world: tuple[Path, Path]) -> None:
    assert diff(world, REPO / "config") == {
        "as_of": AS_OF,
        "groups_added": [],
        "groups_removed": [],
        "stage_changes": [],
        "member_changes": [],
        "file_changes": [],
    }


def test_diff_threshold_change(world: tuple[Path, Path], tmp_path: Path) -> None:
    config = changed_config(
        tmp_path,
        "solution_interests.yaml",
        "qualification: {min_completeness: 70, min_engagement: 30}",
        "qualification: {min_completeness: 90, min_engagement: 30}",
    )
    assert diff(world, config) == {
        "as_of": AS_OF,
        "groups_added": [],
        "groups_removed": [],
        "stage_changes": [{"buying_group_id": SEEDS_ACME, "from": "sales_ready", "to": "incomplete"}],
        "member_changes": [],
        # Acme's three members join the contact list of groups that are not sales-ready.
        "file_changes": [{"path": "linkedin/ai-driven-seeds/contacts.csv", "rows_before": 2, "rows_after": 5}],
    }


def test_diff_role_condition_change_moves_members(world: tuple[Path, Path], tmp_path: Path) -> None:
    config = changed_config(
        tmp_path,
        "roles_templates.yaml",
        r"'\b(CEO|CTO|CIO|CFO|COO|VP|Chief)\b'",
        r"'\b(CEO|CTO|CIO|CFO|COO|VP|Chief|Director)\b'",
    )
    assert diff(world, config) == {
        "as_of": AS_OF,
        "groups_added": [],
        "groups_removed": [],
        # Acme loses its only Influencer: completeness (100 + 0 + 100) / 3 = 67 < 70.
        "stage_changes": [{"buying_group_id": SEEDS_ACME, "from": "sales_ready", "to": "incomplete"}],
        "member_changes": [
            {
                "buying_group_id": SEEDS_ACME,
                "person_key": person_key(2),
                "from_role": "Influencer",
                "to_role": "Decision Maker",
            },
            {
                "buying_group_id": SEEDS_GLOBEX,
                "person_key": person_key(6),
                "from_role": "Influencer",
                "to_role": "Decision Maker",
            },
        ],
        "file_changes": [{"path": "linkedin/ai-driven-seeds/contacts.csv", "rows_before": 2, "rows_after": 5}],
    }


def test_diff_audience_change_adds_and_removes_groups(world: tuple[Path, Path], tmp_path: Path) -> None:
    config = changed_config(
        tmp_path,
        "account_audiences.yaml",
        """        - {field: industry, op: in, value: [Agriculture, Biotechnology]}
        - {field: employee_count, op: gte, value: 500}""",
        """        - {field: industry, op: in, value: [Agriculture, Biotechnology, Software]}
        - {field: employee_count, op: between, value: [150, 700]}""",
    )
    assert diff(world, config) == {
        "as_of": AS_OF,
        "groups_added": [SEEDS_INITECH],  # Initech (Software, 200 employees) joins the audience
        "groups_removed": [SEEDS_GLOBEX],  # Globex (800 employees) leaves it
        "stage_changes": [],
        "member_changes": [],
        # Globex's two contacts leave the list; Initech's CTO (Decision Maker) joins it.
        # The company lists keep two accounts each (Acme and Initech instead of Acme and Globex).
        "file_changes": [{"path": "linkedin/ai-driven-seeds/contacts.csv", "rows_before": 2, "rows_after": 1}],
    }


def test_diff_bad_config_exits_2(world: tuple[Path, Path], tmp_path: Path) -> None:
    config = changed_config(tmp_path, "engagement.yaml", "window_days: 30", "window_days: 0")
    warehouse, _ = world
    before = tree_hashes(warehouse.parent)
    result = cli(world, "diff", "--config", str(config), "--json")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith(f"error: {config / 'engagement.yaml'}: window_days: 0 is not allowed")
    assert tree_hashes(warehouse.parent) == before


def test_diff_text(world: tuple[Path, Path], tmp_path: Path) -> None:
    config = changed_config(
        tmp_path,
        "solution_interests.yaml",
        "qualification: {min_completeness: 70, min_engagement: 30}",
        "qualification: {min_completeness: 90, min_engagement: 30}",
    )
    result = cli(world, "diff", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"Configuration diff as of {AS_OF}\n"
        "groups added: 0\n"
        "groups removed: 0\n"
        "stage changes: 1\n"
        f"  {SEEDS_ACME}: sales_ready -> incomplete\n"
        "member changes: 0\n"
        "LinkedIn files: 1 changed\n"
        "  linkedin/ai-driven-seeds/contacts.csv: 2 -> 5 rows\n"
    )
    assert CLOUD_INITECH not in result.stdout


def test_explain_another_day_is_rescored_in_memory(world: tuple[Path, Path]) -> None:
    warehouse, _ = world
    before = tree_hashes(warehouse.parent)
    # The 30-day window of 2026-12-11 starts on 2026-11-12: lead 1's downloads of 2026-11-10
    # fall out, the visit of 2026-11-12 stays (raw 160 -> 40).
    result = cli(world, "explain", "--person", person_key(1), "--as-of", "2026-12-11", "--config", str(REPO / "config"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("(re-scored for 2026-12-11 in memory under ")
    assert "raw score 40; person_engagement_score" in result.stdout
    assert tree_hashes(warehouse.parent) == before
