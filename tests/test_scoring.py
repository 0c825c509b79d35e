"""Buying-group scoring (SPEC §5) on a real DuckDB file, with hand-computed numbers."""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import pytest

from buying_groups.buying_groups import StaleInputsError, member_problems, score_buying_groups
from buying_groups.engagement import compute_person_engagement
from tests.scoring_world import Role, World

D1 = dt.date(2026, 3, 31)
D2 = dt.date(2026, 4, 7)
D3 = dt.date(2026, 4, 14)
EVENT_DAY = dt.datetime(2026, 3, 20, 10, 0)  # inside the 30-day window of D1, D2 and D3

# Weights chosen so person scores are round: raw 400 -> 100, 100 -> 50, 25 -> 25.
WEIGHTS = {1: 100, 2: 25}

CORE: list[Role] = [
    ("Decision Maker", 100, True, 1),
    ("Influencer", 80, True, 2),
    ("User", 60, True, 3),
    ("Other", 20, False, 1),
]


@pytest.fixture
def world(con: duckdb.DuckDBPyConnection) -> World:
    world = World(con)
    world.weights(WEIGHTS)
    return world


def engaged(world: World, person: str, raw: int) -> None:
    """Give the person this raw engagement score (400, 100, 25 or 0)."""
    counts = {400: (1, 4), 100: (1, 1), 25: (2, 1), 0: (1, 0)}
    activity_type, count = counts[raw]
    world.events(person, EVENT_DAY, activity_type, count=count)


def ruled(world: World, si: str, person: str, account: str, *roles: str, raw: int = 0) -> str:
    world.person(person, account)
    world.rule(si, person, *roles)
    engaged(world, person, raw)
    return person


# --- completeness, engagement, stage ----------------------------------------------------------


def test_completeness_engagement_and_stage_hand_computed(world: World) -> None:
    for account in ("acme", "globex", "initech"):
        world.account(account)
    world.audience("agtech", "acme", "globex", "initech")
    world.solution_interest("seeds", "AI Seeds", "agtech", CORE, min_completeness=70, min_engagement=90)
    ruled(world, "seeds", "dm1", "acme", "Decision Maker", raw=400)  # person score 100
    ruled(world, "seeds", "inf1", "acme", "Influencer", raw=100)  # 50
    ruled(world, "seeds", "u1", "acme", "User", raw=25)  # 25
    ruled(world, "seeds", "u2", "acme", "User")  # 0
    ruled(world, "seeds", "dm2", "globex", "Decision Maker", raw=100)  # 50
    world.person("bystander", "initech")  # matches no rule

    result = world.run(D1)

    acme = world.group("seeds:acme")
    assert acme["name"] == "AI Seeds for Acme"
    assert (acme["solution_interest_id"], acme["account_key"], acme["account_name"]) == ("seeds", "acme", "Acme")
    assert acme["member_count"] == 4
    # rc: DM 100, Influencer 1/2 -> 50, User 2/3 -> 66.67; Other is not required.
    assert acme["completeness_score"] == pytest.approx((100 + 50 + 200 / 3) / 3)  # 72.22
    assert acme["weighted_completeness_score"] == pytest.approx(
        (100 * 100 + 50 * 80 + 200 / 3 * 60) / (100 + 80 + 60)
    )  # 75.0
    assert acme["missing_roles"] == ["Influencer", "User"]
    # Present roles DM, Influencer, User (Other absent, not in the denominator):
    acme_raw = (100 * 100 + 50 * 80 + (25 + 0) * 60) / (100 + 80 + 60)  # 64.58
    assert acme["engagement_score"] == 100.0  # the max
    assert acme["stage"] == "sales_ready"
    assert (acme["qualified_at"], acme["created_at"], acme["as_of"]) == (D1, D1, D1)
    assert acme["newly_qualified"] is True

    globex = world.group("seeds:globex")
    assert globex["completeness_score"] == pytest.approx(100 / 3)
    assert globex["weighted_completeness_score"] == pytest.approx(100 * 100 / 240)
    globex_raw = 50 * 100 / 100
    assert globex["engagement_score"] == pytest.approx(100 * math.sqrt(globex_raw / acme_raw))
    assert globex["engagement_score"] == pytest.approx(87.98826901)
    assert globex["stage"] == "incomplete"
    assert globex["qualified_at"] is None and globex["newly_qualified"] is False

    empty = world.group("seeds:initech")
    assert (empty["member_count"], empty["completeness_score"], empty["engagement_score"]) == (0, 0, 0)
    assert empty["weighted_completeness_score"] == 0
    assert empty["missing_roles"] == ["Decision Maker", "Influencer", "User"]
    assert empty["stage"] == "incomplete"

    roles = world.roles("seeds:acme")
    assert {role: (r["members_assigned"], r["role_completeness"]) for role, r in roles.items()} == {
        "Decision Maker": (1, 100.0),
        "Influencer": (1, 50.0),
        "User": (2, pytest.approx(200 / 3)),
        "Other": (0, 0.0),
    }
    assert roles["Influencer"]["weight"] == 80 and roles["Influencer"]["members_required"] == 2
    assert roles["Other"]["required"] is False and roles["Other"]["role_order"] == 3
    assert len(world.rows("marts.buying_group_roles")) == 3 * 4

    member = world.member("seeds:acme", "inf1")
    assert member["person_engagement_score"] == 50.0
    assert (member["role"], member["assignment_source"], member["is_removed"]) == ("Influencer", "rule", False)
    assert (member["added_at"], member["removed_at"], member["has_interest"]) == (D1, None, False)

    assert result.groups == 3
    assert result.groups_by_stage == {"sales_ready": 1, "complete": 0, "incomplete": 2}
    assert result.newly_qualified == 1
    assert (result.members_active, result.members_removed) == (5, 0)
    assert result.members_added_this_run == 5 and result.ignored_overrides == 0
    assert result.as_metadata()["groups_sales_ready"] == 1


@pytest.mark.parametrize(
    ("members_required", "members", "expected_rc"),
    [
        (1, 0, 0.0),
        (1, 1, 100.0),
        (1, 2, 100.0),
        (2, 1, 50.0),
        (2, 2, 100.0),
        (3, 1, 100 / 3),
        (3, 2, 200 / 3),
        (3, 3, 100.0),
        (3, 4, 100.0),
    ],
)
def test_role_completeness_caps_at_members_required(
    world: World, members_required: int, members: int, expected_rc: float
) -> None:
    world.account("acme")
    world.audience("agtech", "acme")
    world.solution_interest("seeds", "AI Seeds", "agtech", [("User", 60, True, members_required)])
    for index in range(members):
        ruled(world, "seeds", f"u{index}", "acme", "User")

    world.run(D1)

    role = world.roles("seeds:acme")["User"]
    assert role["members_assigned"] == members
    assert role["role_completeness"] == pytest.approx(expected_rc)
    assert world.group("seeds:acme")["completeness_score"] == pytest.approx(expected_rc)


def test_no_required_roles_scores_over_all_roles(world: World) -> None:
    world.account("acme")
    world.audience("agtech", "acme")
    world.solution_interest("seeds", "AI Seeds", "agtech", [("Analyst", 40, False, 1), ("Buyer", 80, False, 2)])
    ruled(world, "seeds", "b1", "acme", "Buyer")

    world.run(D1)

    group = world.group("seeds:acme")
    assert group["completeness_score"] == pytest.approx((0 + 50) / 2)
    assert group["weighted_completeness_score"] == pytest.approx((0 * 40 + 50 * 80) / 120)
    assert group["missing_roles"] == []  # only required roles can be missing


def test_filled_optional_role_does_not_change_completeness(world: World) -> None:
    world.account("acme")
    world.audience("agtech", "acme")
    world.solution_interest("seeds", "AI Seeds", "agtech", CORE)
    ruled(world, "seeds", "dm", "acme", "Decision Maker")
    ruled(world, "seeds", "other", "acme", "Other")

    world.run(D1)

    group = world.group("seeds:acme")
    assert group["completeness_score"] == pytest.approx(100 / 3)
    assert group["weighted_completeness_score"] == pytest.approx(100 * 100 / 240)


@pytest.mark.parametrize(("min_engagement", "stage_of_weak_group"), [(50.0, "sales_ready"), (50.01, "complete")])
def test_stage_thresholds_are_inclusive(world: World, min_engagement: float, stage_of_weak_group: str) -> None:
    for account in ("strong", "weak", "empty"):
        world.account(account)
    world.audience("agtech", "strong", "weak", "empty")
    world.solution_interest(
        "seeds",
        "AI Seeds",
        "agtech",
        [("Decision Maker", 100, True, 1)],
        min_completeness=100,
        min_engagement=min_engagement,
    )
    ruled(world, "seeds", "dm_strong", "strong", "Decision Maker", raw=400)  # group raw 100
    ruled(world, "seeds", "dm_weak", "weak", "Decision Maker", raw=25)  # group raw 25

    world.run(D1)

    weak = world.group("seeds:weak")
    assert weak["engagement_score"] == 50.0  # 100 * sqrt(25) / sqrt(100)
    assert weak["completeness_score"] == 100.0
    assert weak["stage"] == stage_of_weak_group
    assert world.group("seeds:strong")["stage"] == "sales_ready"
    assert world.group("seeds:empty")["stage"] == "incomplete"


def test_sales_ready_needs_both_thresholds_not_completeness_100(world: World) -> None:
    for account in ("half", "full"):
        world.account(account)
    world.audience("agtech", "half", "full")
    world.solution_interest(
        "seeds",
        "AI Seeds",
        "agtech",
        [("Decision Maker", 100, True, 1), ("Influencer", 80, True, 1)],
        min_completeness=50,
        min_engagement=50,
    )
    ruled(world, "seeds", "dm_half", "half", "Decision Maker", raw=400)  # group raw 100 -> 100
    ruled(world, "seeds", "dm_full", "full", "Decision Maker", raw=25)  # person 25
    ruled(world, "seeds", "inf_full", "full", "Influencer")  # person 0

    world.run(D1)

    half = world.group("seeds:half")
    assert (half["completeness_score"], half["engagement_score"], half["stage"]) == (50.0, 100.0, "sales_ready")
    full = world.group("seeds:full")
    full_raw = (25 * 100 + 0 * 80) / 180
    assert full["engagement_score"] == pytest.approx(100 * math.sqrt(full_raw / 100))  # 37.27
    assert (full["completeness_score"], full["stage"]) == (100.0, "complete")


# --- membership --------------------------------------------------------------------------------


def test_person_in_two_groups_of_two_solution_interests(world: World) -> None:
    world.account("acme")
    world.audience("agtech", "acme")
    world.solution_interest("seeds", "AI Seeds", "agtech", CORE)
    world.solution_interest("drones", "Crop Drones", "agtech", [("Champion", 60, True, 1)])
    ruled(world, "seeds", "dm1", "acme", "Decision Maker", raw=100)
    world.rule("drones", "dm1", "Champion")

    result = world.run(D1)

    assert world.active_roles("seeds:acme") == {"dm1": ("Decision Maker", "rule")}
    assert world.active_roles("drones:acme") == {"dm1": ("Champion", "rule")}
    assert world.group("drones:acme")["name"] == "Crop Drones for Acme"
    assert world.member("drones:acme", "dm1")["person_engagement_score"] == 100.0
    assert result.members_active == 2


def test_role_precedence_manual_over_crm_over_rules(world: World) -> None:
    world.account("acme")
    world.account("globex")
    world.audience("agtech", "acme", "globex")
    world.solution_interest(
        "seeds",
        "AI Seeds",
        "agtech",
        CORE,
        crm_role_map={
            "Economic Buyer": "Decision Maker",
            "Technical Evaluator": "Influencer",
            "End User": "User",
        },
    )
    deal = world.opportunity("deal", "acme")
    second_deal = world.opportunity("deal2", "acme")
    dead_deal = world.opportunity("dead", "acme", deleted=True)
    globex_deal = world.opportunity("gdeal", "globex")

    ruled(world, "seeds", "crm_beats_rule", "acme", "Influencer")
    world.contact_role(deal, "crm_beats_rule", "Economic Buyer")
    world.person("two_crm_roles", "acme")  # mapped Influencer < User
    world.contact_role(deal, "two_crm_roles", "End User")
    world.contact_role(second_deal, "two_crm_roles", "Technical Evaluator")
    world.person("manual_beats_crm", "acme")
    world.contact_role(deal, "manual_beats_crm", "Economic Buyer")
    world.override("seeds", "acme", "manual_beats_crm", "add", "Other")
    ruled(world, "seeds", "other_account_deal", "acme", "User")  # CRM on globex's deal: ignored
    world.contact_role(globex_deal, "other_account_deal", "Economic Buyer")
    world.person("dead_deal_only", "acme")
    world.contact_role(dead_deal, "dead_deal_only", "Economic Buyer")
    world.person("dead_role_only", "acme")
    world.contact_role(deal, "dead_role_only", "Economic Buyer", deleted=True)
    world.person("unmapped_crm_role", "acme")
    world.contact_role(deal, "unmapped_crm_role", "Legal")
    world.person("crm_case", "acme")
    world.contact_role(deal, "crm_case", " economic BUYER ")
    ruled(world, "seeds", "first_rule_role", "acme", "User", "Influencer")
    ruled(world, "seeds", "removed", "acme", "Decision Maker")
    world.override("seeds", "acme", "removed", "add", "Influencer")
    world.override("seeds", "acme", "removed", "remove")  # later row wins
    world.person("readded", "acme")
    world.contact_role(deal, "readded", "Economic Buyer")
    world.override("seeds", "acme", "readded", "remove")
    world.override("seeds", "acme", "readded", "add", "user")  # template spelling is kept

    world.run(D1)

    assert world.active_roles("seeds:acme") == {
        "crm_beats_rule": ("Decision Maker", "crm"),
        "two_crm_roles": ("Influencer", "crm"),
        "manual_beats_crm": ("Other", "manual"),
        "other_account_deal": ("User", "rule"),
        "crm_case": ("Decision Maker", "crm"),
        "first_rule_role": ("Influencer", "rule"),
        "readded": ("User", "manual"),
    }
    # The acme person on globex's opportunity is no candidate of globex's group either.
    assert world.active_roles("seeds:globex") == {}
    assert world.rows("marts.buying_group_members", "person_key = 'removed'") == []


def test_ignored_overrides_are_counted_by_reason(world: World) -> None:
    world.account("acme")
    world.account("globex")
    world.account("umbrella")  # not in the audience
    world.audience("agtech", "acme", "globex")
    world.solution_interest("seeds", "AI Seeds", "agtech", CORE)
    world.person("a1", "acme")
    world.person("g1", "globex")
    world.person("gone", "acme", deleted=True)
    world.person("u1", "umbrella")
    world.override("seeds", "acme", "g1", "add", "User")  # person of another account
    world.override("seeds", "acme", "gone", "add", "User")  # deleted person
    world.override("seeds", "acme", "nobody", "add", "User")  # unknown person
    world.override("seeds", "umbrella", "u1", "add", "User")  # account not in audience
    world.override("nope", "acme", "a1", "add", "User")  # unknown solution interest
    world.override("seeds", "acme", "a1", "add", "Janitor")  # role not in the template
    world.override("seeds", "globex", "g1", "promote", "User")  # unknown action

    result = world.run(D1)

    assert world.rows("marts.buying_group_members") == []
    assert result.ignored_overrides == 7
    assert result.ignored_overrides_by_reason == {
        "person_not_in_account": 3,
        "unknown_group": 2,
        "unknown_role": 1,
        "unknown_action": 1,
    }
    assert result.as_metadata()["ignored_overrides_unknown_group"] == 2


def test_require_interest_gates_rules_only(world: World) -> None:
    world.account("acme")
    world.audience("agtech", "acme")
    roles: list[Role] = [("Decision Maker", 100, True, 1), ("Influencer", 80, True, 1)]
    world.solution_interest(
        "drones", "Crop Drones", "agtech", roles, require_interest=True, crm_role_map={"Economic Buyer": "Influencer"}
    )
    world.solution_interest("seeds", "AI Seeds", "agtech", roles)  # no interest needed
    deal = world.opportunity("deal", "acme")
    ruled(world, "drones", "keen", "acme", "Decision Maker")
    world.interest("drones", "keen")
    ruled(world, "drones", "cold", "acme", "Decision Maker")
    world.interest("seeds", "cold")  # interest elsewhere only
    world.rule("seeds", "cold", "Decision Maker")
    world.person("crm_cold", "acme")
    world.contact_role(deal, "crm_cold", "Economic Buyer")
    world.person("manual_cold", "acme")
    world.override("drones", "acme", "manual_cold", "add", "Decision Maker")

    world.run(D1)

    assert world.active_roles("drones:acme") == {
        "keen": ("Decision Maker", "rule"),
        "crm_cold": ("Influencer", "crm"),
        "manual_cold": ("Decision Maker", "manual"),
    }
    assert world.member("drones:acme", "keen")["has_interest"] is True
    assert world.member("drones:acme", "crm_cold")["has_interest"] is False
    drones = world.group("drones:acme")
    assert (drones["member_count"], drones["interested_members"]) == (3, 1)
    assert world.active_roles("seeds:acme") == {"cold": ("Decision Maker", "rule")}
    assert world.member("seeds:acme", "cold")["has_interest"] is True
    assert world.group("seeds:acme")["interested_members"] == 1


def test_groups_only_for_current_accounts_in_the_audience(world: World) -> None:
    world.account("acme")
    world.account("closed", deleted=True)
    world.account("elsewhere")
    world.audience("agtech", "acme", "closed")
    world.audience("other", "elsewhere")
    world.solution_interest("seeds", "AI Seeds", "agtech", CORE)
    ruled(world, "seeds", "p_closed", "closed", "User")  # no group to join

    world.run(D1)

    assert [row["buying_group_id"] for row in world.rows("marts.buying_groups")] == ["seeds:acme"]
    assert world.rows("marts.buying_group_members") == []


# --- history across runs -------------------------------------------------------------------


def build_two_run_world(world: World) -> None:
    world.account("acme")
    world.account("globex")
    world.audience("agtech", "acme", "globex")
    world.solution_interest("seeds", "AI Seeds", "agtech", CORE, min_completeness=70, min_engagement=50)
    ruled(world, "seeds", "dm1", "acme", "Decision Maker", raw=400)
    ruled(world, "seeds", "inf1", "acme", "Influencer", raw=100)
    ruled(world, "seeds", "inf2", "acme", "Influencer")
    for user in ("u1", "u2", "u3", "mover"):
        ruled(world, "seeds", user, "acme", "User")
    world.person("o1", "acme")
    world.override("seeds", "acme", "o1", "add", "Other")  # manual, matches no rule
    ruled(world, "seeds", "dm2", "globex", "Decision Maker", raw=100)


def test_two_runs_keep_removed_members_history_and_qualified_at(world: World) -> None:
    build_two_run_world(world)

    first = world.run(D1)
    acme = world.group("seeds:acme")
    assert (acme["completeness_score"], acme["stage"], acme["qualified_at"]) == (100.0, "sales_ready", D1)
    assert first.members_active == 9

    # Between the runs: a title change drops u1's rule match, u2 is deleted in Marketo,
    # inf1 is removed by hand, and "mover" moves to globex.
    world.drop_rule("seeds", "u1")
    world.update_person("u2", is_deleted=True)
    world.override("seeds", "acme", "inf1", "remove")
    world.update_person("mover", account_key="globex")
    second = world.run(D2)

    assert world.active_roles("seeds:acme") == {
        "dm1": ("Decision Maker", "rule"),
        "inf2": ("Influencer", "rule"),
        "u3": ("User", "rule"),
        "o1": ("Other", "manual"),  # never removed by rules
    }
    for person in ("u1", "u2", "inf1", "mover"):
        member = world.member("seeds:acme", person)
        assert (member["is_removed"], member["added_at"], member["removed_at"]) == (True, D1, D2)
    assert world.member("seeds:acme", "inf1")["role"] == "Influencer"  # role when it left
    moved = world.member("seeds:globex", "mover")
    assert (moved["is_removed"], moved["added_at"], moved["role"]) == (False, D2, "User")
    assert (second.members_removed, second.members_removed_this_run) == (4, 4)
    assert second.members_added_this_run == 1

    acme = world.group("seeds:acme")
    # rc: DM 100, Influencer 1/2 = 50, User 1/3 = 33.33
    assert acme["completeness_score"] == pytest.approx((100 + 50 + 100 / 3) / 3)
    assert acme["stage"] == "incomplete"
    assert (acme["qualified_at"], acme["created_at"], acme["as_of"]) == (D1, D1, D2)
    assert acme["newly_qualified"] is False

    history = world.rows("marts.buying_group_history")
    assert [(row["buying_group_id"], row["as_of"], row["stage"]) for row in history] == [
        ("seeds:acme", D1, "sales_ready"),
        ("seeds:acme", D2, "incomplete"),
        ("seeds:globex", D1, "incomplete"),
        ("seeds:globex", D2, "incomplete"),
    ]
    assert history[1]["completeness_score"] == acme["completeness_score"]

    # Re-running D2 with the same inputs changes nothing at all.
    before = world.snapshot()
    again = world.run(D2)
    assert world.snapshot() == before
    assert again.members_removed_this_run == 4

    # A later run: u1's title matches again -> re-activated with its original added_at;
    # removed_at of those still removed is not overwritten.
    world.rule("seeds", "u1", "User")
    world.run(D3)
    u1 = world.member("seeds:acme", "u1")
    assert (u1["is_removed"], u1["added_at"], u1["removed_at"]) == (False, D1, None)
    u2 = world.member("seeds:acme", "u2")
    assert (u2["is_removed"], u2["removed_at"]) == (True, D2)
    assert len(world.rows("marts.buying_group_history", "buying_group_id = 'seeds:acme'")) == 3
    assert world.group("seeds:acme")["qualified_at"] == D1


def test_rerun_same_as_of_is_idempotent(world: World) -> None:
    build_two_run_world(world)
    world.run(D1)
    before = world.snapshot()

    world.run(D1)

    assert world.snapshot() == before


def test_group_that_no_longer_exists_keeps_its_members_as_removed(world: World) -> None:
    build_two_run_world(world)
    world.run(D1)

    world.leave_audience("globex")
    result = world.run(D2)

    assert [row["buying_group_id"] for row in world.rows("marts.buying_groups")] == ["seeds:acme"]
    dm2 = world.member("seeds:globex", "dm2")
    assert (dm2["is_removed"], dm2["removed_at"]) == (True, D2)
    assert world.rows("marts.buying_group_roles", "buying_group_id = 'seeds:globex'") == []
    assert len(world.rows("marts.buying_group_history", "buying_group_id = 'seeds:globex'")) == 1
    assert result.groups == 1


def test_qualified_at_is_set_when_first_reached(world: World) -> None:
    world.account("acme")
    world.audience("agtech", "acme")
    world.solution_interest(
        "seeds", "AI Seeds", "agtech", [("Decision Maker", 100, True, 1)], min_completeness=100, min_engagement=0
    )
    world.person("dm", "acme")

    world.run(D1)  # nobody: incomplete
    assert world.group("seeds:acme")["qualified_at"] is None

    world.rule("seeds", "dm", "Decision Maker")
    result = world.run(D2)
    group = world.group("seeds:acme")
    assert (group["stage"], group["qualified_at"], group["newly_qualified"]) == ("sales_ready", D2, True)
    assert (group["created_at"], result.newly_qualified) == (D1, 1)


def test_failed_run_leaves_previous_state(world: World) -> None:
    build_two_run_world(world)
    world.run(D1)
    world.publish_audiences(D2)
    compute_person_engagement(world.con, D2, window_days=30, daily_cap=20)
    before = world.snapshot()

    world.con.execute("DROP TABLE work.crm_role_map")  # a step fails mid-run
    with pytest.raises(duckdb.CatalogException):
        score_buying_groups(world.con, D2)

    assert world.snapshot() == before


def test_refuses_engagement_of_another_as_of(world: World) -> None:
    build_two_run_world(world)
    world.publish_audiences(D2)
    compute_person_engagement(world.con, D1, window_days=30, daily_cap=20)

    with pytest.raises(StaleInputsError, match=r"marts.person_engagement holds 2026-03-31, .* as_of 2026-04-07"):
        score_buying_groups(world.con, D2)


def test_refuses_audiences_of_another_as_of(world: World) -> None:
    build_two_run_world(world)
    world.publish_audiences(D1)
    compute_person_engagement(world.con, D2, window_days=30, daily_cap=20)

    with pytest.raises(StaleInputsError, match=r"marts.account_audience_members holds 2026-03-31, .* as_of 2026-04-07"):
        score_buying_groups(world.con, D2)


def test_marts_columns_match_the_spec(world: World) -> None:
    build_two_run_world(world)
    world.run(D1)

    def columns(table: str) -> list[str]:
        return [row[0] for row in world.con.execute(f"DESCRIBE {table}").fetchall()]

    assert columns("marts.buying_groups") == [
        "buying_group_id",
        "name",
        "solution_interest_id",
        "account_key",
        "account_name",
        "member_count",
        "interested_members",
        "completeness_score",
        "weighted_completeness_score",
        "engagement_score",
        "missing_roles",
        "stage",
        "qualified_at",
        "created_at",
        "as_of",
        "newly_qualified",
        "lifecycle_stage",  # the stage model's position, set by the journeys
    ]
    assert columns("marts.buying_group_members") == [
        "buying_group_id",
        "person_key",
        "role",
        "assignment_source",
        "person_engagement_score",
        "has_interest",
        "is_removed",
        "added_at",
        "removed_at",
    ]
    assert columns("marts.buying_group_roles") == [
        "buying_group_id",
        "role",
        "weight",
        "required",
        "members_required",
        "members_assigned",
        "role_completeness",
        "role_order",
    ]
    assert columns("marts.person_engagement") == ["person_key", "raw_score", "person_engagement_score", "as_of"]
    assert columns("marts.buying_group_history") == [
        "buying_group_id",
        "as_of",
        "completeness_score",
        "engagement_score",
        "stage",
    ]


def test_member_problems_finds_an_active_member_who_is_no_longer_a_person(world: World) -> None:
    # What the blocking check `members_are_current_persons` reports.
    world.account("acme")
    world.audience("agtech", "acme")
    world.solution_interest("seeds", "AI Seeds", "agtech", CORE, min_completeness=70, min_engagement=90)
    ruled(world, "seeds", "dm1", "acme", "Decision Maker", raw=400)
    ruled(world, "seeds", "u1", "acme", "User")
    world.run(D1)
    assert member_problems(world.con) == (0, 0)

    world.con.execute("UPDATE b2b.persons SET is_deleted = true WHERE person_key = 'u1'")  # behind scoring's back
    assert member_problems(world.con) == (1, 0)
