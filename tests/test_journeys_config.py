"""``journeys.yaml``: the shipped example loads; every kind of mistake is reported at once with
file, path, value and what is allowed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from buying_groups.conditions import Leaf, SqlParams, compile_condition, evaluate3
from buying_groups.conditions.compile import CompileContext
from buying_groups.config import ConfigError, load_config
from buying_groups.config.journeys import ScopedCondition, SplitNode, WhenAll, buying_group_scope

EXAMPLE = Path(__file__).resolve().parents[1] / "config"


def write_journeys(config_dir: Path, data: dict[str, Any]) -> None:
    (config_dir / "journeys.yaml").write_text(yaml.safe_dump(data, sort_keys=False))


def problems(config_dir: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(config_dir)
    return [str(p) for p in info.value.problems]


STAGE_MODEL = {
    "stages": ["Target", "Engaged", "Sales Ready"],
    "entry": "Target",
    "transitions": {"Target": ["Engaged"], "Engaged": ["Sales Ready"]},
}


def journey(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "j1",
        "name": "J1",
        "solution_interest": "ai-driven-seeds",
        "start_node": "route",
        "nodes": [
            {
                "id": "route",
                "type": "split",
                "paths": [
                    {"when": {"buying_group": {"field": "stage", "op": "equals", "value": "complete"}}, "next": "act"}
                ],
                "otherwise": "wait",
            },
            {"id": "act", "type": "action", "actions": [{"update_stage": "Engaged"}]},
            {"id": "wait", "type": "wait", "days": 3, "next": "route"},
        ],
    }
    base.update(overrides)
    return base


def test_example_journeys_load() -> None:
    config = load_config(EXAMPLE)
    journeys = config.journeys
    assert journeys.stage_model is not None and journeys.stage_model.entry == "Target"
    assert journeys.stage_model.allows("Target", "Engaged") and not journeys.stage_model.allows("Target", "Won")
    assert [j.id for j in journeys.journeys] == ["seeds-abm", "cloud-evaluation"]
    route = journeys.journeys[0].node("route")
    assert isinstance(route, SplitNode)
    when = route.paths[1].when
    assert when == ScopedCondition("buying_group", Leaf("missing_roles", "contains", ("Champion",)))
    check = journeys.journeys[1].node("check")
    assert isinstance(check, SplitNode) and isinstance(check.paths[0].when, WhenAll)


def test_absent_file_means_no_journeys(config_dir: Path) -> None:
    (config_dir / "journeys.yaml").unlink()
    config = load_config(config_dir)
    assert config.journeys.stage_model is None and config.journeys.journeys == []


def test_missing_roles_contains_means_holds_the_role() -> None:
    """``missing_roles`` is a list: ``contains`` matches a whole role name, not a substring,
    in SQL and in the Python evaluator alike."""
    import duckdb

    scope = buying_group_scope()
    cases = [
        (["Decision Maker", "Champion"], "champion", True),
        (["Decision Maker"], "Decision", False),
        ([], "Champion", False),
    ]
    for roles, value, expected in cases:
        leaf = Leaf("missing_roles", "contains", (value,))
        params = SqlParams()
        sql = compile_condition(leaf, CompileContext(scope, "g"), params)
        (got,) = duckdb.sql(  # type: ignore[misc]
            f"SELECT {sql} FROM (SELECT $roles::VARCHAR[] AS missing_roles) AS g",
            params={**params.values, "roles": roles},
        ).fetchone()
        assert got is expected
        assert evaluate3(leaf, {"missing_roles": roles}, scope) is expected


def test_every_problem_reported_at_once(config_dir: Path) -> None:
    bad = journey(
        solution_interest="no-such-interest",
        start_node="nowhere",
        nodes=[
            {
                "id": "route",
                "type": "split",
                "paths": [
                    {"when": {"buying_group": {"field": "stagee", "op": "equals", "value": "x"}}, "next": "ghost"}
                ],
            },
            {"id": "act", "type": "action", "actions": [{"update_stage": "Won"}], "next": "exit"},
        ],
    )
    write_journeys(config_dir, {"stage_model": {**STAGE_MODEL, "entry": "Lead"}, "journeys": [bad]})
    found = problems(config_dir)
    label = str(config_dir / "journeys.yaml")
    assert all(p.startswith(label + ": ") for p in found)
    text = "\n".join(found)
    # A bad condition field is a shape error: reported for its own path...
    assert "journeys[0].nodes[0].paths[0].when.buying_group.field: 'stagee' is not a field of buying_groups" in text
    assert "allowed: stage, lifecycle_stage" in text
    # ...while the cross checks of the other values run once the file parses.
    write_journeys(
        config_dir,
        {
            "stage_model": {**STAGE_MODEL, "entry": "Lead"},
            "journeys": [
                journey(
                    solution_interest="no-such-interest",
                    start_node="nowhere",
                    nodes=[
                        {
                            "id": "route",
                            "type": "split",
                            "paths": [
                                {
                                    "when": {"account": {"field": "industry", "op": "equals", "value": "x"}},
                                    "next": "ghost",
                                }
                            ],
                        },
                        {"id": "act", "type": "action", "actions": [{"update_stage": "Won"}], "next": "exit"},
                    ],
                )
            ],
        },
    )
    text = "\n".join(problems(config_dir))
    assert (
        "stage_model.entry: 'Lead' is not allowed; not a stage of the model; allowed: Target, Engaged, Sales Ready"
        in text
    )
    assert "journeys[0].solution_interest: 'no-such-interest' is not allowed; no such solution interest" in text
    assert "journeys[0].start_node: 'nowhere' is not allowed; no such node; allowed: route, act" in text
    assert "journeys[0].nodes[0].paths[0].next: 'ghost' is not allowed; no such node; allowed: route, act, exit" in text
    assert "journeys[0].nodes[1].actions[0].update_stage: 'Won' is not allowed; not a stage of the model" in text


def test_unreachable_node_and_loop_without_wait(config_dir: Path) -> None:
    loop = journey(
        nodes=[
            {
                "id": "route",
                "type": "split",
                "paths": [{"when": {"buying_group": {"field": "member_count", "op": "gt", "value": 2}}, "next": "act"}],
                "otherwise": "exit",
            },
            {"id": "act", "type": "action", "actions": [{"update_stage": "Engaged"}], "next": "route"},
            {"id": "island", "type": "wait", "days": 2},
        ]
    )
    write_journeys(config_dir, {"stage_model": STAGE_MODEL, "journeys": [loop]})
    text = "\n".join(problems(config_dir))
    assert "journeys[0].nodes[2]: 'island' is not allowed; unreachable from start_node 'route'" in text
    assert (
        "journeys[0].nodes: loop route -> act -> route is not allowed; "
        "allowed: a loop that passes a wait or listen node" in text
    )


def test_loop_through_wait_is_fine(config_dir: Path) -> None:
    write_journeys(config_dir, {"stage_model": STAGE_MODEL, "journeys": [journey()]})
    assert load_config(config_dir).journeys.journeys[0].id == "j1"


def test_unknown_role_unsafe_names_and_bad_actions(config_dir: Path) -> None:
    bad = journey(
        nodes=[
            {
                "id": "route",
                "type": "action",
                "actions": [
                    {"marketo_list": {"list": "../etc/passwd", "people": {"roles": ["Champion", "Janitor"]}}},
                    {"linkedin_audience": {"audience": ".hidden"}},
                    {
                        "linkedin_contacts": {
                            "audience": "ok-name",
                            "people": {"where": {"field": "shoe_size", "op": "gt", "value": 1}},
                        }
                    },
                    {"sales_alert": {"to": ["not an email"]}},
                    {"update_stage": "Engaged", "sales_alert": {"to": ["a@example.com"]}},
                    {"send_fax": {"to": "x"}},
                ],
            }
        ]
    )
    write_journeys(config_dir, {"stage_model": STAGE_MODEL, "journeys": [bad]})
    text = "\n".join(problems(config_dir))
    here = "journeys[0].nodes[0].actions"
    assert f"{here}[0].marketo_list.list: '../etc/passwd' is not allowed" in text
    assert f"{here}[1].linkedin_audience.audience: '.hidden' is not allowed" in text
    assert f"{here}[2].linkedin_contacts.people.where.field: 'shoe_size' is not a field of persons" in text
    assert f"{here}[3].sales_alert: 'not an email' is not allowed" in text
    assert f"{here}[4]: ['update_stage', 'sales_alert'] is not allowed (give exactly one action kind)" in text
    assert f"{here}[5].send_fax: unknown field 'send_fax'" in text
    # Roles are checked once the shapes are right.
    fixed = journey(
        nodes=[
            {
                "id": "route",
                "type": "action",
                "actions": [{"marketo_list": {"list": "nurture", "people": {"roles": ["Champion", "Janitor"]}}}],
            }
        ]
    )
    write_journeys(config_dir, {"stage_model": STAGE_MODEL, "journeys": [fixed]})
    (only,) = problems(config_dir)
    assert only.endswith(
        "journeys[0].nodes[0].actions[0].marketo_list.people.roles[1]: 'Janitor' is not allowed; "
        "not a role of solution interest 'ai-driven-seeds'; allowed: Decision Maker, Influencer, Champion, Other"
    )


def test_node_shapes(config_dir: Path) -> None:
    bad = journey(
        nodes=[
            {"id": "route", "type": "teleport"},
            {"id": "w", "type": "wait", "days": 0},
            {"id": "l", "type": "listen", "event": {"activity_types": []}, "timeout_days": 5},
        ]
    )
    write_journeys(config_dir, {"journeys": [bad], "stage_model": STAGE_MODEL})
    text = "\n".join(problems(config_dir))
    assert "journeys[0].nodes[0]: " in text and "'teleport' found using 'type'" in text
    assert "expected tags: 'split', 'action', 'wait', 'listen'" in text
    assert "journeys[0].nodes[1].days: 0 is not allowed; Input should be greater than or equal to 1" in text
    assert "journeys[0].nodes[2].event.activity_types: [] is not allowed" in text


def test_update_stage_needs_a_stage_model_and_dates_in_order(config_dir: Path) -> None:
    write_journeys(config_dir, {"journeys": [journey(start="2026-11-10", end="2026-11-01")]})
    text = "\n".join(problems(config_dir))
    assert "journeys[0].nodes[1].actions[0].update_stage: is not allowed without a stage_model" in text
    assert "journeys[0].end: '2026-11-01' is not allowed; allowed: on or after start" in text


def test_duplicate_ids_and_reserved_exit(config_dir: Path) -> None:
    nodes = journey()["nodes"] + [{"id": "exit", "type": "wait", "days": 1}, {"id": "act", "type": "wait", "days": 1}]
    write_journeys(config_dir, {"stage_model": STAGE_MODEL, "journeys": [journey(nodes=nodes), journey()]})
    text = "\n".join(problems(config_dir))
    assert "journeys[1].id: 'j1' is not allowed; duplicate journey id (first at index 0)" in text
    assert "journeys[0].nodes[3].id: 'exit' is not allowed; it is the reserved exit target" in text
    assert "journeys[0].nodes[4].id: 'act' is not allowed; duplicate node id (first at index 1)" in text
