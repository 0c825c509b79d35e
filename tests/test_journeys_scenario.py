"""A hand-computed journey scenario over several days through ``buying-groups run``.

Five accounts of the ``ai-driven-seeds`` interest (audience: Agriculture/Biotechnology, 500+
employees) and two journeys:

``main`` (no re-entry)::

    route (split): stage = sales_ready -> alert | missing Champion -> champ | otherwise -> check2
    check2 (split): industry = Biotechnology -> nap            (no otherwise: exit)
    champ (action): update_stage Engaged, marketo_list champ-list (DM + Influencers) -> listen_form
    listen_form (listen): form fill (2), timeout 3 days -> done | on_timeout -> nap
    nap (wait 2 days) -> exit
    done (action): update_stage Engaged (already there)            (no next: completed)
    alert (action): update_stage Sales Ready (Target -> Sales Ready not allowed), sales_alert

``pulse`` (re-entry after 2 days, at most 2 entries): wait 1 day -> exit.

Accounts: A complete and engaged (sales_ready); B misses its Champion, one Influencer is
unsubscribed and the other shares an email with a marketing-suspended lead, its CEO fills a
form on 11-11; C misses its Champion and never acts; D complete, Biotechnology, no activity;
E complete, Agriculture, no activity. Days run: 11-10, 11-11 (twice), 11-13, 11-15, 11-17
(11-12, 11-14 and 11-16 skipped), then 11-12 out of order (refused).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from tests.conftest import (
    ACTIVITY_HEADER,
    COMPANY_HEADER,
    LEAD_HEADER,
    REPO,
    activity,
    cli,
    company,
    lead,
    run_command,
    write_csv,
)

GROUP = "ai-driven-seeds:{}.mkto_org@123-ABC-456.Marketo"
ACCOUNT = "{}.mkto_org@123-ABC-456.Marketo"

JOURNEYS = {
    "stage_model": {
        "stages": ["Target", "Engaged", "Sales Ready", "Won"],
        "entry": "Target",
        "success": "Won",
        "transitions": {"Target": ["Engaged"], "Engaged": ["Sales Ready"], "Sales Ready": ["Won"]},
    },
    "journeys": [
        {
            "id": "main",
            "name": "Main",
            "solution_interest": "ai-driven-seeds",
            "start_node": "route",
            "nodes": [
                {
                    "id": "route",
                    "type": "split",
                    "paths": [
                        {
                            "when": {"buying_group": {"field": "stage", "op": "equals", "value": "sales_ready"}},
                            "next": "alert",
                        },
                        {
                            "when": {"buying_group": {"field": "missing_roles", "op": "contains", "value": "Champion"}},
                            "next": "champ",
                        },
                    ],
                    "otherwise": "check2",
                },
                {
                    "id": "check2",
                    "type": "split",
                    "paths": [
                        {
                            "when": {"account": {"field": "industry", "op": "equals", "value": "Biotechnology"}},
                            "next": "nap",
                        }
                    ],
                },
                {
                    "id": "champ",
                    "type": "action",
                    "actions": [
                        {"update_stage": "Engaged"},
                        {"marketo_list": {"list": "champ-list", "people": {"roles": ["Decision Maker", "Influencer"]}}},
                    ],
                    "next": "listen_form",
                },
                {
                    "id": "listen_form",
                    "type": "listen",
                    "event": {"activity_types": [2]},
                    "timeout_days": 3,
                    "next": "done",
                    "on_timeout": "nap",
                },
                {"id": "nap", "type": "wait", "days": 2, "next": "exit"},
                {"id": "done", "type": "action", "actions": [{"update_stage": "Engaged"}]},
                {
                    "id": "alert",
                    "type": "action",
                    "actions": [{"update_stage": "Sales Ready"}, {"sales_alert": {"to": ["sales@example.com"]}}],
                },
            ],
        },
        {
            "id": "pulse",
            "name": "Pulse",
            "solution_interest": "ai-driven-seeds",
            "reentry": {"after_days": 2, "max_entries": 2},
            "start_node": "pause",
            "nodes": [{"id": "pause", "type": "wait", "days": 1, "next": "exit"}],
        },
    ],
}


def _world(landing: Path) -> None:
    drop = landing / "2026-11-09"
    write_csv(
        drop / "companies.csv",
        COMPANY_HEADER,
        [
            company(1, "Alpha Farms", employees=1000),
            company(2, "Beta Seeds", employees=1000),
            company(3, "Gamma Grain", employees=1000),
            company(4, "Delta Bio", industry="Biotechnology", employees=1000),
            company(5, "Epsilon Agro", employees=1000),
        ],
    )
    committee = [("CEO", 1), ("Director of Ops", 2), ("Director of R&D", 3), ("Farm Manager", 4)]
    leads = []
    for account in (1, 4, 5):
        leads += [lead(account * 10 + n, title=title, company=account) for title, n in committee]
    for account in (2, 3):
        leads += [lead(account * 10 + n, title=title, company=account) for title, n in committee[:3]]
    # B's first Influencer is unsubscribed; the second shares an email with a suspended lead of E.
    leads = [
        row if row[0] != 22 else lead(22, title="Director of Ops", company=2, unsubscribed="true") for row in leads
    ]
    leads = [row if row[0] != 23 else lead(23, "shared@beta.com", title="Director of R&D", company=2) for row in leads]
    suspended = lead(59, "Shared@Beta.com ", title="Analyst", company=5)
    suspended[LEAD_HEADER.index("marketingSuspended")] = "true"
    leads.append(suspended)
    write_csv(drop / "leads.csv", LEAD_HEADER, leads)
    events = [activity(f"a{i}", 11 + i % 4, f"2026-11-0{1 + i % 8}T10:00:00Z", 1) for i in range(40)]
    events.append(activity("b-form", 21, "2026-11-11T09:00:00Z", 2))
    write_csv(drop / "activities.csv", ACTIVITY_HEADER, events)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("journeys")
    landing, warehouse, output, config = root / "landing", root / "w.duckdb", root / "out", root / "config"
    shutil.copytree(REPO / "config", config)
    (config / "journeys.yaml").write_text(yaml.safe_dump(JOURNEYS, sort_keys=False))
    _world(landing)
    results: dict[str, object] = {"warehouse": warehouse, "output": output}

    def run(day: str) -> None:
        done = cli(run_command(landing, warehouse, output, as_of=day, config=config))
        results[day] = done
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    run("2026-11-10")
    run("2026-11-11")
    first = _day_snapshot(warehouse, output, "2026-11-11")
    day = output / "journeys" / "2026-11-11"
    leftover = day / ".sales_alerts.5eed0f00c0de.tmp"  # alerts a crashed run had staged
    leftover.mkdir()
    (leftover / "x.md").write_text("# Sales alert: a crashed run's\n")
    run("2026-11-11")
    results["rerun"] = (first, _day_snapshot(warehouse, output, "2026-11-11"))
    results["rerun_leftover_swept"] = not leftover.exists()
    for day in ("2026-11-13", "2026-11-15", "2026-11-17"):
        run(day)
    results["late"] = cli(run_command(landing, warehouse, output, as_of="2026-11-12", config=config))
    return results


def _day_snapshot(warehouse: Path, output: Path, day: str) -> tuple[object, ...]:
    folder = output / "journeys" / day
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {
            t: con.execute(f"SELECT * FROM marts.{t} ORDER BY ALL").fetchall()
            for t in ("journey_state", "journey_log", "journey_actions", "buying_group_stage_history")
        }
    return files, tables


def _query(scenario: dict[str, object], sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(scenario["warehouse"]), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_final_positions(scenario: dict[str, object]) -> None:
    rows = _query(
        scenario,
        "SELECT split_part(account_key, '.', 1), entry_number, node_id, status, entered_on::VARCHAR, "
        "left_on::VARCHAR FROM marts.journey_state WHERE journey_id = 'main' ORDER BY 1",
    )
    assert rows == [
        ("1", 1, "alert", "completed", "2026-11-10", "2026-11-10"),  # sales_ready path
        ("2", 1, "done", "completed", "2026-11-10", "2026-11-11"),  # listen satisfied on 11-11
        ("3", 1, "nap", "exited", "2026-11-10", "2026-11-15"),  # timed out 11-13, waited 2 days
        ("4", 1, "nap", "exited", "2026-11-10", "2026-11-13"),  # otherwise -> Biotechnology -> wait
        ("5", 1, "check2", "exited", "2026-11-10", "2026-11-10"),  # no path, no otherwise
    ]


def test_reentry_after_days_and_max_entries(scenario: dict[str, object]) -> None:
    rows = _query(
        scenario,
        "SELECT entry_number, status, entered_on::VARCHAR, left_on::VARCHAR, count(*) FROM marts.journey_state "
        "WHERE journey_id = 'pulse' GROUP BY ALL ORDER BY ALL",
    )
    # Exit 11-11; 11-13 is 2 days later: entry 2, exit 11-15; 11-17 would be a third entry.
    assert rows == [(1, "exited", "2026-11-10", "2026-11-11", 5), (2, "exited", "2026-11-13", "2026-11-15", 5)]


def test_log_of_each_path(scenario: dict[str, object]) -> None:
    def steps(account: int) -> list[tuple[object, ...]]:
        return _query(
            scenario,
            f"SELECT as_of::VARCHAR, node_id, event, detail ->> 'reason' FROM marts.journey_log "
            f"WHERE journey_id = 'main' AND account_key = '{ACCOUNT.format(account)}' ORDER BY as_of, seq",
        )

    no_stage_model_move = "the stage model does not allow Target -> Sales Ready"
    assert steps(1) == [
        ("2026-11-10", "route", "entered", None),
        ("2026-11-10", "route", "path", None),
        ("2026-11-10", "alert", "entered", None),
        ("2026-11-10", "alert", "ignored", no_stage_model_move),
        ("2026-11-10", "alert", "action", None),
        ("2026-11-10", "alert", "completed", None),
    ]
    assert [s[1:3] for s in steps(2)] == [
        ("route", "entered"),
        ("route", "path"),
        ("champ", "entered"),
        ("champ", "action"),
        ("champ", "action"),
        ("listen_form", "entered"),
        ("listen_form", "waiting"),
        ("listen_form", "path"),
        ("done", "entered"),
        ("done", "action"),
        ("done", "completed"),
    ]
    assert steps(2)[-2][3] == "already in this stage"
    assert [s[:3] for s in steps(3)][-6:] == [
        ("2026-11-10", "listen_form", "waiting"),
        ("2026-11-13", "listen_form", "timeout"),
        ("2026-11-13", "nap", "entered"),
        ("2026-11-13", "nap", "waiting"),
        ("2026-11-15", "nap", "path"),
        ("2026-11-15", "nap", "exited"),
    ]
    assert steps(5)[-1] == ("2026-11-10", "check2", "exited", "no path matched")
    assert [s[1:3] for s in steps(4)][-4:] == [
        ("nap", "entered"),
        ("nap", "waiting"),
        ("nap", "path"),
        ("nap", "exited"),
    ]


def test_stage_model(scenario: dict[str, object]) -> None:
    history = _query(
        scenario,
        "SELECT split_part(split_part(buying_group_id, ':', 2), '.', 1), as_of::VARCHAR, from_stage, to_stage, "
        "source, accepted FROM marts.buying_group_stage_history ORDER BY 1, as_of, seq",
    )
    assert history == [
        ("1", "2026-11-10", None, "Target", "entry", True),
        ("1", "2026-11-10", "Target", "Sales Ready", "journey", False),  # disallowed: ignored
        ("2", "2026-11-10", None, "Target", "entry", True),
        ("2", "2026-11-10", "Target", "Engaged", "journey", True),  # the same-stage move on 11-11 is no row
        ("3", "2026-11-10", None, "Target", "entry", True),
        ("3", "2026-11-10", "Target", "Engaged", "journey", True),
        ("4", "2026-11-10", None, "Target", "entry", True),
        ("5", "2026-11-10", None, "Target", "entry", True),
    ]
    stages = _query(
        scenario,
        "SELECT split_part(account_key, '.', 1), lifecycle_stage FROM marts.buying_groups ORDER BY 1",
    )
    assert stages == [("1", "Target"), ("2", "Engaged"), ("3", "Engaged"), ("4", "Target"), ("5", "Target")]


def test_actions_and_files(scenario: dict[str, object]) -> None:
    actions = _query(
        scenario,
        "SELECT as_of::VARCHAR, split_part(account_key, '.', 1), action_type, target, person_key "
        "FROM marts.journey_actions ORDER BY ALL",
    )
    assert actions == [
        ("2026-11-10", "1", "sales_alert", "sales@example.com", None),
        ("2026-11-10", "2", "marketo_list", "champ-list", "21@123-ABC-456.Marketo"),  # 22, 23 suppressed
        ("2026-11-10", "2", "update_stage", "Engaged", None),
        ("2026-11-10", "3", "marketo_list", "champ-list", "31@123-ABC-456.Marketo"),
        ("2026-11-10", "3", "marketo_list", "champ-list", "32@123-ABC-456.Marketo"),
        ("2026-11-10", "3", "marketo_list", "champ-list", "33@123-ABC-456.Marketo"),
        ("2026-11-10", "3", "update_stage", "Engaged", None),
    ]
    day = Path(str(scenario["output"])) / "journeys" / "2026-11-10"
    lines = (day / "marketo_list_adds.csv").read_text().splitlines()
    assert lines == [
        "list,lead_id,person_key,email",
        "champ-list,21,21@123-ABC-456.Marketo,person21@acme.com",
        "champ-list,31,31@123-ABC-456.Marketo,person31@acme.com",
        "champ-list,32,32@123-ABC-456.Marketo,person32@acme.com",
        "champ-list,33,33@123-ABC-456.Marketo,person33@acme.com",
    ]
    slug = "ai-driven-seeds-1-mkto-org-123-abc-456-marketo"
    alert = json.loads((day / "sales_alerts" / f"{slug}.json").read_text())
    assert alert["group_name"] == "AI Driven Seeds for Alpha Farms" and alert["recipients"] == ["sales@example.com"]
    assert alert["stage"] == "sales_ready" and alert["missing_roles"] == []
    assert len(alert["top_members"]) == 4 and all(len(m["last_activities"]) == 2 for m in alert["top_members"])
    assert "# Sales alert: AI Driven Seeds for Alpha Farms" in (day / "sales_alerts" / f"{slug}.md").read_text()
    manifest = json.loads((day / "manifest.json").read_text())
    listed = {f["path"] for f in manifest["files"]}
    assert listed == {
        "marketo_list_adds.csv",
        "linkedin_contact_adds.csv",
        "stage_changes.csv",
        f"sales_alerts/{slug}.json",
        f"sales_alerts/{slug}.md",
    }
    for f in manifest["files"]:
        assert hashlib.sha256((day / f["path"]).read_bytes()).hexdigest() == f["sha256"]
    changes = (day / "stage_changes.csv").read_text().splitlines()
    assert len(changes) == 1 + 8 and any(",false,the stage model does not allow" in c for c in changes)


def test_same_day_twice_is_identical(scenario: dict[str, object]) -> None:
    first, second = scenario["rerun"]  # type: ignore[misc]
    assert first == second
    assert scenario["rerun_leftover_swept"]
    ids = _query(scenario, "SELECT count(*), count(DISTINCT action_id) FROM marts.journey_actions")
    assert ids[0][0] == ids[0][1]


def test_node_counts(scenario: dict[str, object]) -> None:
    rows = _query(
        scenario,
        "SELECT node_id, accounts_waiting, accounts_passed FROM marts.journey_node_counts "
        "WHERE journey_id = 'main' AND as_of = '2026-11-13' ORDER BY node_id",
    )
    assert dict((n, (w, p)) for n, w, p in rows)["nap"] == (1, 1)  # C arrived, D left
    assert dict((n, (w, p)) for n, w, p in rows)["listen_form"] == (0, 0)


def test_out_of_order_day_is_refused(scenario: dict[str, object]) -> None:
    late = scenario["late"]
    assert late.returncode == 2  # type: ignore[attr-defined]
    # The CLI refuses any day before the latest scored one before a step runs (journeys included).
    assert "as_of 2026-11-12 is before 2026-11-17" in late.stderr  # type: ignore[attr-defined]
