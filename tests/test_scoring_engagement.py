"""Person engagement (SPEC §5) on a real DuckDB file, with hand-computed numbers."""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import pytest

from buying_groups.engagement import compute_person_engagement
from tests.scoring_world import World

AS_OF = dt.date(2026, 3, 31)  # window_days 30 -> UTC dates 2026-03-02 .. 2026-03-31


@pytest.fixture
def world(con: duckdb.DuckDBPyConnection) -> World:
    world = World(con)
    world.account("acme")
    world.weights({1: 40, 2: 40, 10: 30})
    return world


def scores(world: World) -> dict[str, tuple[float, float]]:
    return {
        row["person_key"]: (row["raw_score"], row["person_engagement_score"])
        for row in world.rows("marts.person_engagement")
    }


def test_daily_cap_per_type_per_day_and_normalisation(world: World) -> None:
    day = dt.datetime(2026, 3, 10, 9, 0)
    world.person("capped", "acme")
    world.events("capped", day, 1, count=25)  # min(25, 20) * 40 = 800
    world.person("reader", "acme")
    world.events("reader", day, 10, count=5)  # 5 * 30 = 150
    world.person("two_types", "acme")
    world.events("two_types", day, 1, count=15)  # cap is per type: 15*40 + 15*40 = 1200
    world.events("two_types", day, 2, count=15)
    world.person("two_days", "acme")
    world.events("two_days", day, 1, count=13)  # cap is per day: (13 + 12) * 40 = 1000
    world.events("two_days", day + dt.timedelta(days=1), 1, count=12)

    result = compute_person_engagement(world.con, AS_OF, window_days=30, daily_cap=20)

    got = scores(world)
    assert got["two_types"] == (1200.0, 100.0)  # the top person is exactly 100
    assert got["capped"][0] == 800.0
    assert got["capped"][1] == pytest.approx(100 * math.sqrt(800 / 1200))  # 81.6497
    assert got["reader"][0] == 150.0
    assert got["reader"][1] == pytest.approx(100 * math.sqrt(150 / 1200))  # 35.3553
    assert got["two_days"][0] == 1000.0
    assert got["two_days"][1] == pytest.approx(91.28709291752769)
    assert result.persons == 4 and result.persons_with_activity == 4
    assert result.max_raw_score == 1200.0
    assert {row["as_of"] for row in world.rows("marts.person_engagement")} == {AS_OF}


def test_window_edges_on_utc_dates(world: World) -> None:
    world.person("p", "acme")
    world.events("p", dt.datetime(2026, 3, 1, 23, 59, 59), 2)  # day before the window: out
    world.events("p", dt.datetime(2026, 3, 2, 0, 0, 0), 2)  # first day of the window: in
    world.events("p", dt.datetime(2026, 3, 31, 23, 59, 59), 2)  # as_of itself: in
    world.events("p", dt.datetime(2026, 4, 1, 0, 0, 0), 2)  # after as_of: out

    compute_person_engagement(world.con, AS_OF, window_days=30, daily_cap=20)

    assert scores(world)["p"] == (80.0, 100.0)


def test_types_without_weight_count_zero(world: World) -> None:
    world.person("unweighted_only", "acme")
    world.events("unweighted_only", dt.datetime(2026, 3, 20), 6, count=10)  # 6 has no weight
    world.person("mixed", "acme")
    world.events("mixed", dt.datetime(2026, 3, 20), 6, count=10)
    world.events("mixed", dt.datetime(2026, 3, 20), 10, count=2)  # 2 * 30

    compute_person_engagement(world.con, AS_OF, window_days=30, daily_cap=20)

    got = scores(world)
    assert got["unweighted_only"] == (0.0, 0.0)
    assert got["mixed"] == (60.0, 100.0)


def test_every_current_person_gets_a_row_and_only_current_persons_count(world: World) -> None:
    world.person("active", "acme")
    world.events("active", dt.datetime(2026, 3, 20), 1, count=1)  # 40
    world.person("idle", "acme")
    world.person("gone", "acme", deleted=True)
    world.events("gone", dt.datetime(2026, 3, 20), 1, count=20)  # deleted: ignored
    world.events("stranger", dt.datetime(2026, 3, 20), 1, count=20)  # unknown: ignored

    compute_person_engagement(world.con, AS_OF, window_days=30, daily_cap=20)

    assert scores(world) == {"active": (40.0, 100.0), "idle": (0.0, 0.0)}


def test_nobody_active_scores_zero_and_rerun_replaces_snapshot(world: World) -> None:
    world.person("idle", "acme")
    world.events("idle", dt.datetime(2026, 1, 1), 1)  # long before window

    compute_person_engagement(world.con, AS_OF, window_days=30, daily_cap=20)
    assert scores(world) == {"idle": (0.0, 0.0)}

    # A later as_of replaces the snapshot (one row per person, the new as_of).
    compute_person_engagement(world.con, dt.date(2026, 1, 5), window_days=30, daily_cap=20)
    assert scores(world) == {"idle": (40.0, 100.0)}
    assert {row["as_of"] for row in world.rows("marts.person_engagement")} == {dt.date(2026, 1, 5)}


def test_window_days_and_cap_are_parameters(world: World) -> None:
    world.person("p", "acme")
    # window_days 7 -> dates 03-25 .. 03-31
    world.events("p", dt.datetime(2026, 3, 25), 1, count=5)  # first day: in, capped to 3
    world.events("p", dt.datetime(2026, 3, 31), 1, count=5)  # as_of: in, capped to 3
    world.events("p", dt.datetime(2026, 3, 24), 1, count=5)  # day before: out

    compute_person_engagement(world.con, AS_OF, window_days=7, daily_cap=3)

    assert scores(world)["p"] == (2 * 3 * 40.0, 100.0)  # two days, capped at 3 each


def test_rejects_nonsense_window(world: World) -> None:
    with pytest.raises(ValueError, match="window_days"):
        compute_person_engagement(world.con, AS_OF, window_days=0, daily_cap=20)


def test_duplicate_person_keys_write_nothing(world: World) -> None:
    # The mart has no PRIMARY KEY (see model/marts.py); one row per person is asserted
    # before commit, so a persons table that repeats a key leaves the previous snapshot.
    world.person("p", "acme")
    world.events("p", dt.datetime(2026, 3, 20), 1)
    compute_person_engagement(world.con, AS_OF, window_days=30, daily_cap=20)
    world.con.execute("INSERT INTO b2b.persons SELECT * FROM b2b.persons")

    with pytest.raises(ValueError, match="1 duplicate person_key rows"):
        compute_person_engagement(world.con, dt.date(2026, 3, 21), window_days=30, daily_cap=20)

    assert scores(world) == {"p": (40.0, 100.0)}
    assert {row["as_of"] for row in world.rows("marts.person_engagement")} == {AS_OF}
