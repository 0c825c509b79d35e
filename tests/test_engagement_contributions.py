"""marts.person_engagement_contributions: what makes up each raw score, and that it adds up."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buying_groups.engagement import compute_person_engagement, contribution_mismatches
from tests.scoring_world import World

AS_OF = dt.date(2026, 3, 31)


def test_contributions_per_type_hand_computed(con: duckdb.DuckDBPyConnection) -> None:
    world = World(con, window_days=30, daily_cap=5)
    world.weights({1: 40, 2: 25.5, 10: 0})
    world.account("acme")
    world.person("ann", "acme")
    world.person("bob", "acme")
    world.person("gone", "acme", deleted=True)
    day = dt.datetime(2026, 3, 20, 9)
    world.events("ann", day, 1, count=8)  # capped at 5
    world.events("ann", day + dt.timedelta(days=1), 1, count=2)
    world.events("ann", day, 2, count=3)
    world.events("ann", day, 6, count=4)  # no weight: not a contribution
    world.events("ann", dt.datetime(2026, 3, 1, 9), 1, count=3)  # outside (as_of - 30, as_of]
    world.events("bob", day, 10, count=2)  # weight 0: a contribution of 0 points
    world.events("gone", day, 1, count=2)  # deleted person: nothing

    compute_person_engagement(con, AS_OF, 30, 5)

    rows = con.execute(
        "SELECT person_key, activity_type_id, days_active, capped_count, points, as_of "
        "FROM marts.person_engagement_contributions ORDER BY ALL"
    ).fetchall()
    assert rows == [
        ("ann", 1, 2, 7, 280.0, AS_OF),
        ("ann", 2, 1, 3, 76.5, AS_OF),
        ("bob", 10, 1, 2, 0.0, AS_OF),
    ]
    raw = dict(con.execute("SELECT person_key, raw_score FROM marts.person_engagement").fetchall())
    assert raw == {"ann": 356.5, "bob": 0.0}
    assert contribution_mismatches(con) == (0, 0, 2)


def test_mismatch_is_detected(con: duckdb.DuckDBPyConnection) -> None:
    world = World(con)
    world.weights({1: 40})
    world.account("acme")
    world.person("ann", "acme")
    world.events("ann", dt.datetime(2026, 3, 30, 9), 1, count=2)
    compute_person_engagement(con, AS_OF, 30, 20)
    con.execute("UPDATE marts.person_engagement SET raw_score = raw_score + 1e-9")
    con.execute("INSERT INTO marts.person_engagement_contributions VALUES ('nobody', 1, 1, 1, 40, ?)", [AS_OF])
    assert contribution_mismatches(con) == (1, 1, 2)


events_strategy = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=5),  # person
        st.integers(min_value=-3, max_value=45),  # days before as_of (some outside the window)
        st.integers(min_value=0, max_value=23),  # hour
        st.sampled_from([1, 2, 3, 6, 10, 11, 46]),  # activity type (6 has no weight)
        st.integers(min_value=1, max_value=40),  # events at that moment
    ),
    max_size=25,
)
weights_strategy = st.dictionaries(
    st.sampled_from([1, 2, 3, 10, 11, 46]),
    st.floats(min_value=0, max_value=100, allow_nan=False, allow_infinity=False),
    min_size=1,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    events=events_strategy,
    weights=weights_strategy,
    window_days=st.integers(min_value=1, max_value=40),
    daily_cap=st.integers(min_value=1, max_value=25),
    deleted=st.sets(st.integers(min_value=0, max_value=5), max_size=2),
)
def test_contributions_sum_to_raw_score(
    events: list[tuple[int, int, int, int, int]],
    weights: dict[int, float],
    window_days: int,
    daily_cap: int,
    deleted: set[int],
) -> None:
    with tempfile.TemporaryDirectory() as tmp, duckdb.connect(str(Path(tmp) / "w.duckdb")) as con:
        world = World(con, window_days=window_days, daily_cap=daily_cap)
        world.weights(weights)
        world.account("acme")
        for index in range(6):
            world.person(f"p{index}", "acme", deleted=index in deleted)
        for person, days_before, hour, activity_type, count in events:
            when = dt.datetime.combine(AS_OF - dt.timedelta(days=days_before), dt.time(hour))
            world.events(f"p{person}", when, activity_type, count=count)

        compute_person_engagement(con, AS_OF, window_days, daily_cap)

        mismatched, orphaned, _ = contribution_mismatches(con)
        assert (mismatched, orphaned) == (0, 0)
        # And the sum is the SPEC's definition, recomputed here from the events in Python.
        expected: dict[str, float] = {}
        per_day: dict[tuple[str, int, dt.date], int] = {}
        for person, days_before, _hour, activity_type, count in events:
            if person in deleted or not (0 <= days_before < window_days) or activity_type not in weights:
                continue
            key = (f"p{person}", activity_type, AS_OF - dt.timedelta(days=days_before))
            per_day[key] = per_day.get(key, 0) + count
        for (person_key, activity_type, _day), count in per_day.items():
            expected[person_key] = expected.get(person_key, 0) + min(count, daily_cap) * weights[activity_type]
        raw = dict(con.execute("SELECT person_key, raw_score FROM marts.person_engagement").fetchall())
        assert set(raw) == {f"p{i}" for i in range(6) if i not in deleted}
        for person_key, score in raw.items():
            assert abs(score - expected.get(person_key, 0)) <= 1e-9 * max(1.0, expected.get(person_key, 0))
