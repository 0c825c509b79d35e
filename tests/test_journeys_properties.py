"""Property: random small journeys over random small worlds never put an account on two nodes
of one journey at once and never emit an action for a suppressed person.

The world is one small generated warehouse (scored once through ``buying-groups run``), varied
per example by marking random persons unsubscribed / suspended / email-invalid / deleted; the
journeys are random valid graphs of split, action, wait and listen nodes run over a few days.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buying_groups.config import load_config
from buying_groups.config.journeys import JourneysConfig, journey_problems
from buying_groups.journeys import run_journeys
from buying_groups.sql_files import load_sql
from tests.conftest import REPO, cli, run_command

AS_OF = dt.date(2026, 11, 20)
STAGES = ["Target", "Engaged", "Sales Ready", "Won"]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("journey-world")
    config = root / "config"
    shutil.copytree(REPO / "config", config)
    (config / "journeys.yaml").unlink()
    subprocess.run(
        [sys.executable, "-m", "buying_groups.cli", "generate", "--out", str(root / "landing"), "--leads", "400",
         "--seed", "5", "--end-date", AS_OF.isoformat()],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    done = cli(run_command(root / "landing", root / "w.duckdb", root / "out", as_of=AS_OF.isoformat(), config=config))
    assert done.returncode == 0, done.stderr[-2000:]
    return root / "w.duckdb", config


WHENS = [
    {"buying_group": {"field": "stage", "op": "equals", "value": "sales_ready"}},
    {"buying_group": {"field": "missing_roles", "op": "contains", "value": "Champion"}},
    {"buying_group": {"field": "lifecycle_stage", "op": "equals", "value": "Engaged"}},
    {"buying_group": {"field": "completeness_score", "op": "gte", "value": 50}},
    {"account": {"has_activity": {"activity_types": [2, 11], "within_days": 10}}},
    {"not": {"account": {"field": "industry", "op": "equals", "value": "Agriculture"}}},
]


ROLES = {
    "ai-driven-seeds": [["Decision Maker"], ["Influencer", "Champion"]],
    "cloud-analytics": [["Technical Buyer"], ["Evaluator", "End User"]],
}


@st.composite
def action(draw: st.DrawFn, interest: str) -> dict[str, Any]:
    people = draw(st.sampled_from([{}, {"has_interest": True}, *({"roles": r} for r in ROLES[interest])]))
    return draw(
        st.sampled_from(
            [
                {"update_stage": draw(st.sampled_from(STAGES))},
                {"marketo_list": {"list": "l1", "people": people}},
                {"linkedin_contacts": {"audience": "c1", "people": people}},
                {"sales_alert": {"to": ["s@example.com"]}},
                {"linkedin_audience": {"audience": "a1"}},
                {"linkedin_audience_remove": {"audience": "a1"}},
            ]
        )
    )


@st.composite
def journey(draw: st.DrawFn, index: int) -> dict[str, Any]:
    interest = draw(st.sampled_from(sorted(ROLES)))
    count = draw(st.integers(2, 5))
    ids = [f"n{i}" for i in range(count)]
    nodes = []
    for i, node_id in enumerate(ids):
        forward = ids[i + 1] if i + 1 < count else draw(st.sampled_from(["exit", None]))
        later = [*ids[i + 1 :], "exit"]
        kind = draw(st.sampled_from(["split", "action", "wait", "listen"]))
        # Only a wait/listen node may point back (a loop must pass one).
        anywhere = [*ids, "exit"] if kind in ("wait", "listen") else later
        node: dict[str, Any] = {"id": node_id, "type": kind}
        if kind == "split":
            extra = draw(st.lists(st.sampled_from(later), max_size=2))
            targets = [forward or "exit", *extra]
            node["paths"] = [{"when": draw(st.sampled_from(WHENS)), "next": t} for t in targets]
            if draw(st.booleans()):
                node["otherwise"] = draw(st.sampled_from(later))
        elif kind == "action":
            node["actions"] = draw(st.lists(action(interest), min_size=1, max_size=3))
            if forward:
                node["next"] = forward
        elif kind == "wait":
            node["days"] = draw(st.integers(1, 3))
            if forward:
                node["next"] = forward
        else:
            node["event"] = {"activity_types": draw(st.sampled_from([[2], [1, 11], [2, 37, 118]]))}
            node["timeout_days"] = draw(st.integers(1, 4))
            if forward:
                node["next"] = forward
            node["on_timeout"] = draw(st.sampled_from(anywhere))
        if kind in ("wait", "listen") and i + 1 == count and draw(st.booleans()):
            node["next"] = draw(st.sampled_from(anywhere))  # the last node may loop back
        nodes.append(node)
    journey = {
        "id": f"j{index}",
        "name": f"J{index}",
        "solution_interest": interest,
        "start_node": "n0",
        "nodes": nodes,
    }
    if draw(st.booleans()):
        journey["reentry"] = {"after_days": draw(st.integers(0, 2)), "max_entries": draw(st.integers(1, 3))}
    return journey


def _invariants(con: duckdb.DuckDBPyConnection) -> tuple[int, int, int]:
    (twice,) = con.execute(
        "SELECT count(*) FROM (SELECT journey_id, account_key FROM marts.journey_state WHERE status = 'active' "
        "GROUP BY ALL HAVING count(*) > 1)"
    ).fetchone()  # type: ignore[misc]
    suppressed_sql = load_sql("activation/check_suppressed_emails").rstrip().rstrip(";")
    (suppressed,) = con.execute(
        f"""
        WITH suppressed AS (SELECT * FROM ({suppressed_sql}) AS s(email))
        SELECT count(*) FROM marts.journey_actions AS x JOIN b2b.persons AS p USING (person_key)
        WHERE p.is_unsubscribed IS NOT false OR p.is_marketing_suspended IS NOT false
           OR p.is_email_invalid IS NOT false OR p.is_deleted IS NOT false
           OR lower(trim(p.work_email)) IN (SELECT lower(trim(email)) FROM suppressed)
        """
    ).fetchone()  # type: ignore[misc]
    (duplicates,) = con.execute("SELECT count(*) - count(DISTINCT action_id) FROM marts.journey_actions").fetchone()  # type: ignore[misc]
    return int(twice), int(suppressed), int(duplicates)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    journeys=st.lists(st.integers(0, 1000), min_size=1, max_size=2).flatmap(
        lambda seeds: st.tuples(*(journey(i) for i in range(len(seeds))))
    ),
    suppress_share=st.integers(0, 60),
    flag=st.sampled_from(["is_unsubscribed", "is_marketing_suspended", "is_email_invalid", "is_deleted"]),
    days=st.lists(st.integers(0, 4), min_size=1, max_size=4),
)
def test_random_journeys_keep_the_invariants(
    world: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory, journeys, suppress_share, flag, days
) -> None:
    warehouse, config_dir = world
    base = load_config(config_dir)
    raw = {"stage_model": {"stages": STAGES, "entry": "Target", "transitions": {"Target": ["Engaged"]}}}
    journeys_config = JourneysConfig.model_validate({**raw, "journeys": list(journeys)})
    config = base.model_copy(update={"journeys": journeys_config})
    assert journey_problems(config, "journeys.yaml") == []
    copy = tmp_path_factory.mktemp("example") / "w.duckdb"
    shutil.copyfile(warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        # The flag column is one of four fixed names (never user input).
        con.execute(
            f"UPDATE b2b.persons SET {flag} = true WHERE hash(person_key) % 100 < $share", {"share": suppress_share}
        )
        day = AS_OF
        for step in days:
            day += dt.timedelta(days=step)
            run_journeys(con, config, day)
            assert _invariants(con) == (0, 0, 0)
