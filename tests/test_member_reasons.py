"""marts.buying_group_member_reasons: a reason in words for every assignment source and every
removal cause, on a small world scored by the real stage functions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from buying_groups.config import load_config
from buying_groups.explain.stages import score_all
from tests.scoring_world import World, write_config

D1 = dt.date(2026, 3, 31)
D2 = dt.date(2026, 4, 7)
D3 = dt.date(2026, 4, 14)
HEADER = "solution_interest_id,account_key,person_key,action,role\n"


def reasons(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], tuple[str, str, bool, str]]:
    rows = con.execute(
        "SELECT buying_group_id, person_key, role, assignment_source, is_removed, reason, as_of "
        "FROM marts.buying_group_member_reasons"
    ).fetchall()
    as_of = {row[-1] for row in rows}
    assert len(as_of) == 1
    return {(g, p): (role, source, removed, reason) for g, p, role, source, removed, reason, _ in rows}


def test_reason_for_every_source_and_removal_cause(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    world = World(con)
    for key in ("acme", "globex", "initech"):
        world.account(key, industry="Agriculture")
    world.person("dm", "acme", title="VP Sales")
    world.person("buyer", "acme", title="Analyst")
    world.opportunity("opp-1", "acme", name="Big Deal")
    world.contact_role("opp-1", "buyer", "economic buyer")
    world.person("champ", "acme", title="Clerk")
    world.person("director", "acme", title="Director of Ops")
    world.person("mover", "acme", title="CTO")
    world.person("leaver", "acme", title="Sr Director IT")
    world.person("vetoed", "acme", title="CIO")
    world.person("ini", "initech", title="CEO")
    world.person("nobody", "acme", title="Intern")  # matches nothing: no row
    config_dir = write_config(tmp_path / "config", membership_overrides_csv=HEADER + "seeds,acme,champ,add,Champion\n")

    score_all(con, load_config(config_dir), D1)

    assert reasons(con) == {
        ("seeds:acme", "dm"): ("Decision Maker", "rule", False, r"job_title 'VP Sales' matches \b(CEO|CTO|CIO|VP)\b"),
        ("seeds:acme", "buyer"): (
            "Decision Maker",
            "crm",
            False,
            "CRM contact role 'economic buyer' on opportunity 'Big Deal' (opp-1)",
        ),
        ("seeds:acme", "champ"): ("Champion", "manual", False, "added manually (membership_overrides.csv line 2)"),
        ("seeds:acme", "director"): (
            "Influencer",
            "rule",
            False,
            "job_title 'Director of Ops' starts with 'Director' or 'Sr Director'",
        ),
        ("seeds:acme", "mover"): ("Decision Maker", "rule", False, r"job_title 'CTO' matches \b(CEO|CTO|CIO|VP)\b"),
        ("seeds:acme", "leaver"): (
            "Influencer",
            "rule",
            False,
            "job_title 'Sr Director IT' starts with 'Director' or 'Sr Director'",
        ),
        ("seeds:acme", "vetoed"): ("Decision Maker", "rule", False, r"job_title 'CIO' matches \b(CEO|CTO|CIO|VP)\b"),
        ("seeds:initech", "ini"): ("Decision Maker", "rule", False, r"job_title 'CEO' matches \b(CEO|CTO|CIO|VP)\b"),
    }

    # D2: every way of leaving a group.
    world.update_person("director", job_title="Office Manager")  # no longer matches
    world.update_person("mover", account_key="globex")  # moved account
    world.update_person("leaver", is_deleted=True)  # deleted
    world.update_account("initech", industry="Software")  # the group is gone
    con.execute("UPDATE b2b.opportunity_persons SET is_deleted = true")  # the CRM role is gone
    write_config(
        config_dir,
        membership_overrides_csv=HEADER + "seeds,acme,vetoed,remove,\n",  # champ's add withdrawn
    )

    score_all(con, load_config(config_dir), D2)

    removed = {key: value for key, value in reasons(con).items() if value[2]}
    assert removed == {
        ("seeds:acme", "buyer"): (
            "Decision Maker",
            "crm",
            True,
            "removed on 2026-04-07: no CRM contact role mapped to Decision Maker on an opportunity of the account "
            "any more",
        ),
        ("seeds:acme", "champ"): (
            "Champion",
            "manual",
            True,
            "removed on 2026-04-07: manual add withdrawn from membership_overrides.csv",
        ),
        ("seeds:acme", "director"): (
            "Influencer",
            "rule",
            True,
            "removed on 2026-04-07: no longer matches the Influencer rule: job_title starts with 'Director' or "
            "'Sr Director'",
        ),
        ("seeds:acme", "mover"): (
            "Decision Maker",
            "rule",
            True,
            "removed on 2026-04-07: moved to account 'Globex' (globex)",
        ),
        ("seeds:acme", "leaver"): ("Influencer", "rule", True, "removed on 2026-04-07: person deleted"),
        ("seeds:acme", "vetoed"): (
            "Decision Maker",
            "rule",
            True,
            "removed on 2026-04-07: removed manually (membership_overrides.csv line 2)",
        ),
        ("seeds:initech", "ini"): (
            "Decision Maker",
            "rule",
            True,
            "removed on 2026-04-07: group gone: account no longer in audience 'agtech'",
        ),
    }
    assert reasons(con)[("seeds:globex", "mover")] == (
        "Decision Maker",
        "rule",
        False,
        r"job_title 'CTO' matches \b(CEO|CTO|CIO|VP)\b",
    )

    # D3: what is true of a removed member today does not rewrite why it left.
    world.update_person("director", is_deleted=True)
    world.update_account("initech", is_deleted=True)
    score_all(con, load_config(config_dir), D3)
    after = reasons(con)
    for key, value in removed.items():
        assert after[key] == value
    # Every member row has exactly one reason row.
    (members,) = con.execute("SELECT count(*) FROM marts.buying_group_members").fetchone()  # type: ignore[misc]
    assert len(after) == members


def test_group_gone_when_account_deleted_or_interest_dropped(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    world = World(con)
    world.account("acme", industry="Agriculture")
    world.account("globex", industry="Agriculture")
    world.person("a", "acme", title="CEO")
    world.person("g", "globex", title="CEO")
    config_dir = write_config(tmp_path / "config")
    score_all(con, load_config(config_dir), D1)

    world.update_account("acme", is_deleted=True)
    score_all(con, load_config(config_dir), D2)
    assert reasons(con)[("seeds:acme", "a")][3] == "removed on 2026-04-07: group gone: account deleted"

    interests = (config_dir / "solution_interests.yaml").read_text().replace("id: seeds", "id: seeds-v2")
    write_config(config_dir, solution_interests_yaml=interests)
    score_all(con, load_config(config_dir), D3)
    assert reasons(con)[("seeds:globex", "g")][3] == (
        "removed on 2026-04-14: group gone: its solution interest is no longer configured"
    )


def test_require_interest_reason(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    world = World(con)
    world.account("acme", industry="Agriculture")
    world.person("dm", "acme", title="CEO")
    world.events("dm", dt.datetime(2026, 3, 30, 9), 2)
    interests = (
        write_config(tmp_path / "probe")
        .joinpath("solution_interests.yaml")
        .read_text()
        .replace(
            "    crm_role_map:",
            "    require_interest: true\n    interest_signals: [{activity_types: [2]}]\n    crm_role_map:",
        )
    )
    config_dir = write_config(tmp_path / "config", solution_interests_yaml=interests)
    score_all(con, load_config(config_dir), D1)
    assert reasons(con)[("seeds:acme", "dm")][3] == r"job_title 'CEO' matches \b(CEO|CTO|CIO|VP)\b and shows interest"

    score_all(con, load_config(config_dir), D1 + dt.timedelta(days=60))  # the signal is out of the window
    assert reasons(con)[("seeds:acme", "dm")][3] == (
        "removed on 2026-05-30: shows no interest in AI Seeds in the window (required for rule assignment)"
    )
