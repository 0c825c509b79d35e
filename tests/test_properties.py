"""Invariants proven by property tests (hypothesis), each example on a real DuckDB file.

Scoring: scores in [0, 100], completeness monotone in members added, a person's raw engagement
never decreases when an in-window activity is added, the raw score equals a direct reading of
SPEC §5 (so the daily cap and the window bounds hold). Ingest: permuting the rows of a drop and
splitting a drop in two (ingested in two runs) give the same state.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import random
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buying_groups.engagement import compute_person_engagement
from buying_groups.ingest import register_landing_files
from buying_groups.model import ENTITIES
from buying_groups.validated import load_entity
from tests.conftest import ACTIVITY_HEADER, LEAD_HEADER, MUNCHKIN, activity, lead, write_csv
from tests.scoring_world import Role, World

AS_OF = dt.date(2026, 3, 31)
WINDOW, CAP = 30, 20
WEIGHTS = {1: 40.0, 2: 40.0, 10: 30.0, 46: 60.0}  # type 6 has no weight: counts 0
PROPERTY = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextlib.contextmanager
def warehouse() -> Iterator[duckdb.DuckDBPyConnection]:
    with tempfile.TemporaryDirectory() as directory:
        con = duckdb.connect(str(Path(directory) / "warehouse.duckdb"))
        con.execute("SET TimeZone = 'UTC'")
        try:
            yield con
        finally:
            con.close()


# --- scoring ------------------------------------------------------------------------------------

# (days before as_of, activity type, count): -2 and 30+ are outside the window on purpose.
events_strategy = st.lists(
    st.tuples(st.integers(-2, 33), st.sampled_from([1, 2, 6, 10, 46]), st.integers(1, 45)), max_size=6
)


def expected_raw(events: list[tuple[int, int, int]]) -> float:
    """SPEC §5 read directly: sum over (type, day) in (as_of - window, as_of] of min(count, cap) * weight."""
    per_day: Counter[tuple[int, int]] = Counter()
    for days_before, type_id, count in events:
        if 0 <= days_before < WINDOW:
            per_day[(days_before, type_id)] += count
    return sum(min(count, CAP) * WEIGHTS.get(type_id, 0.0) for (_, type_id), count in per_day.items())


def engagement_world(con: duckdb.DuckDBPyConnection, people: list[list[tuple[int, int, int]]]) -> World:
    world = World(con)
    world.weights(dict(WEIGHTS))
    world.account("a0")
    for index, events in enumerate(people):
        person = world.person(f"p{index}", "a0")
        add_events(world, person, events)
    return world


def add_events(world: World, person: str, events: list[tuple[int, int, int]]) -> None:
    for days_before, type_id, count in events:
        # 00:00:00, noon and 23:59:59 all belong to their UTC day: the window edges are days.
        when = (dt.time(0), dt.time(12), dt.time(23, 59, 59))[days_before % 3]
        world.events(person, dt.datetime.combine(AS_OF - dt.timedelta(days=days_before), when), type_id, count)


def raw_scores(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    return dict(con.execute("SELECT person_key, raw_score FROM marts.person_engagement").fetchall())


@PROPERTY
@given(people=st.lists(events_strategy, min_size=1, max_size=4))
def test_raw_engagement_is_spec_formula_so_daily_cap_and_window_hold(people):
    with warehouse() as con:
        engagement_world(con, people)
        compute_person_engagement(con, AS_OF, WINDOW, CAP)
        scores = raw_scores(con)
        for index, events in enumerate(people):
            assert scores[f"p{index}"] == expected_raw(events)
            # The cap per (type, day) bounds the whole raw score.
            assert scores[f"p{index}"] <= WINDOW * CAP * sum(WEIGHTS.values())
        query = "SELECT person_engagement_score FROM marts.person_engagement"
        normalised = [score for (score,) in con.execute(query).fetchall()]
        assert all(0 <= score <= 100 for score in normalised)
        assert max(normalised) in (0.0, 100.0)


@PROPERTY
@given(
    people=st.lists(events_strategy, min_size=1, max_size=3),
    who=st.integers(0, 2),
    added=st.tuples(st.integers(0, WINDOW - 1), st.sampled_from([1, 2, 6, 10, 46]), st.integers(1, 30)),
)
def test_adding_an_in_window_activity_never_lowers_raw_engagement(people, who, added):
    with warehouse() as con:
        world = engagement_world(con, people)
        compute_person_engagement(con, AS_OF, WINDOW, CAP)
        before = raw_scores(con)
        person = f"p{who % len(people)}"
        add_events(world, person, [added])
        compute_person_engagement(con, AS_OF, WINDOW, CAP)
        after = raw_scores(con)
        assert after[person] >= before[person]
        assert {k: v for k, v in after.items() if k != person} == {k: v for k, v in before.items() if k != person}


ROLE_NAMES = ("Decision Maker", "Influencer", "Champion", "User")
template_strategy = st.lists(
    st.tuples(st.sampled_from([20, 40, 60, 80, 100]), st.booleans(), st.integers(1, 3)),
    min_size=1,
    max_size=len(ROLE_NAMES),
)
member_strategy = st.tuples(st.integers(0, 1), st.sets(st.integers(0, len(ROLE_NAMES) - 1), max_size=2))


def score_groups(
    template: list[Role], members: list[tuple[int, set[int]]]
) -> dict[str, tuple[float, float, float, str]]:
    with warehouse() as con:
        world = World(con)
        world.weights({2: 40})
        accounts = [world.account(f"a{i}") for i in range(2)]
        world.audience("aud", *accounts)
        world.solution_interest("si", "SI", "aud", template, min_completeness=70, min_engagement=0)
        for index, (account, roles) in enumerate(members):
            person = world.person(f"p{index}", accounts[account])
            matched = [template[r][0] for r in roles if r < len(template)]
            if matched:
                world.rule("si", person, *matched)
            world.events(person, dt.datetime.combine(AS_OF, dt.time(9)), 2, count=1 + index % 3)
        world.run(AS_OF)
        return {
            row["buying_group_id"]: (
                row["completeness_score"],
                row["weighted_completeness_score"],
                row["engagement_score"],
                row["stage"],
            )
            for row in world.rows("marts.buying_groups")
        }


@PROPERTY
@given(template=template_strategy, members=st.lists(member_strategy, max_size=6), extra=member_strategy)
def test_completeness_is_monotone_in_members_added_and_scores_stay_in_range(template, members, extra):
    roles: list[Role] = [(ROLE_NAMES[i], w, required, n) for i, (w, required, n) in enumerate(template)]
    before = score_groups(roles, members)
    after = score_groups(roles, [*members, extra])
    assert before.keys() == after.keys()
    for group, (completeness, weighted, engagement, _) in after.items():
        assert 0 <= completeness <= 100 and 0 <= weighted <= 100 and 0 <= engagement <= 100
        assert completeness >= before[group][0] - 1e-9
        assert weighted >= before[group][1] - 1e-9


# --- ingest: order and drop boundaries do not matter ------------------------------------------

TIMES = [f"2026-10-{day:02d}T08:00:00Z" for day in range(1, 8)]

# A lead row: id from a small pool (so keys repeat), a title, an email that may be invalid, an
# updatedAt that may be unreadable (quarantined), a delete flag.
lead_strategy = st.tuples(
    st.integers(1, 5),
    st.sampled_from(["CEO", "CTO", "Director IT", "Intern", ""]),
    st.sampled_from(["ok", "bad@", "null"]),
    st.sampled_from([*TIMES, "yesterday"]),
    st.sampled_from(["false", "false", "TRUE"]),
)
activity_strategy = st.integers(1, 12)  # a GUID number; GUIDs repeat on purpose


def lead_rows(specs: list[tuple[int, str, str, str, str]]) -> list[list[object]]:
    rows = []
    for lead_id, title, email, updated, deleted in specs:
        address = f"p{lead_id}@acme.com" if email == "ok" else email
        rows.append(lead(lead_id, address, title, updated=updated, deleted=deleted))
    return rows


def activity_rows(guids: list[int]) -> list[list[object]]:
    # A GUID always carries the same content (a Marketo GUID identifies one activity), so a
    # repeated GUID is a true duplicate.
    return [
        activity(f"g{guid}", guid % 5 + 1, f"2026-10-{guid:02d}T10:00:00Z", [1, 2, 10, 46][guid % 4]) for guid in guids
    ]


def ingest_all(con: duckdb.DuckDBPyConnection, landing: Path) -> None:
    register_landing_files(con, landing)
    for spec in ENTITIES:
        load_entity(con, spec, MUNCHKIN, 1.0)


def state(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[object, ...]]]:
    """Every b2b table without lineage (which file and line a row came from is allowed to differ)."""
    tables = {}
    for spec in ENTITIES:
        tables[spec.table] = con.execute(
            f"SELECT * EXCLUDE (source_drop, source_file, source_line) FROM {spec.qualified_table} ORDER BY ALL"
        ).fetchall()
    tables["rejected_rows"] = con.execute(
        'SELECT entity, "column", "check", "value", disposition, raw_record FROM b2b.rejected_rows ORDER BY ALL'
    ).fetchall()
    return tables


def unambiguous(specs: list[tuple[int, str, str, str, str]]) -> list[tuple[int, str, str, str, str]]:
    """Keep one row per (id, updatedAt): two different rows with the same key *and* the same
    updatedAt in one file are ordered by line (the later line wins), so permuting them may
    legitimately change the winner. Unreadable timestamps are quarantined, never ambiguous."""
    seen, kept = set(), []
    for spec in specs:
        key = (spec[0], spec[3])
        if spec[3] == "yesterday" or key not in seen:
            seen.add(key)
            kept.append(spec)
    return kept


@PROPERTY
@given(
    leads=st.lists(lead_strategy, max_size=12),
    activities=st.lists(activity_strategy, max_size=12),
    seed=st.integers(0, 2**16),
)
def test_permuting_rows_changes_nothing(tmp_path_factory, leads, activities, seed):
    leads = unambiguous(leads)
    rows_l, rows_a = lead_rows(leads), activity_rows(activities)
    shuffled_l, shuffled_a = rows_l[:], rows_a[:]
    random.Random(seed).shuffle(shuffled_l)
    random.Random(seed + 1).shuffle(shuffled_a)
    states = []
    for lead_rows_, activity_rows_ in ((rows_l, rows_a), (shuffled_l, shuffled_a)):
        root = tmp_path_factory.mktemp("permute")
        write_csv(root / "landing" / "2026-11-01" / "leads.csv", LEAD_HEADER, lead_rows_)
        write_csv(root / "landing" / "2026-11-01" / "activities.csv", ACTIVITY_HEADER, activity_rows_)
        with duckdb.connect(str(root / "w.duckdb")) as con:
            con.execute("SET TimeZone = 'UTC'")
            ingest_all(con, root / "landing")
            states.append(state(con))
    assert states[0] == states[1]


@PROPERTY
@given(
    leads=st.lists(lead_strategy, max_size=12),
    activities=st.lists(activity_strategy, max_size=12),
    split=st.floats(0, 1),
)
def test_splitting_a_drop_in_two_gives_the_same_state(tmp_path_factory, leads, activities, split):
    # No de-ambiguation needed: the split keeps the row order, and a later drop wins a tie just
    # as a later line does.
    rows_l, rows_a = lead_rows(leads), activity_rows(activities)
    cut_l, cut_a = math.floor(split * len(rows_l)), math.floor(split * len(rows_a))

    whole = tmp_path_factory.mktemp("whole")
    write_csv(whole / "landing" / "2026-11-01" / "leads.csv", LEAD_HEADER, rows_l)
    write_csv(whole / "landing" / "2026-11-01" / "activities.csv", ACTIVITY_HEADER, rows_a)
    with duckdb.connect(str(whole / "w.duckdb")) as con:
        con.execute("SET TimeZone = 'UTC'")
        ingest_all(con, whole / "landing")
        expected = state(con)

    halves = tmp_path_factory.mktemp("halves")
    with duckdb.connect(str(halves / "w.duckdb")) as con:
        con.execute("SET TimeZone = 'UTC'")
        # Two drops in two runs: the second drop arrives after the first was ingested.
        for drop, part_l, part_a in (
            ("2026-11-01", rows_l[:cut_l], rows_a[:cut_a]),
            ("2026-11-02", rows_l[cut_l:], rows_a[cut_a:]),
        ):
            write_csv(halves / "landing" / drop / "leads.csv", LEAD_HEADER, part_l)
            write_csv(halves / "landing" / drop / "activities.csv", ACTIVITY_HEADER, part_a)
            ingest_all(con, halves / "landing")
        assert state(con) == expected
