"""Property: whatever the world looks like, scores stay in [0, 100] and stages are consistent."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.scoring_world import Role, World

AS_OF = dt.date(2026, 3, 31)
ROLE_NAMES = ("Decision Maker", "Influencer", "Champion", "User", "Other")

roles_strategy = st.lists(
    st.tuples(
        st.sampled_from([20, 40, 60, 80, 100]),  # weight
        st.booleans(),  # required
        st.integers(min_value=1, max_value=3),  # members_required
    ),
    min_size=1,
    max_size=len(ROLE_NAMES),
)

person_strategy = st.fixed_dictionaries(
    {
        "account": st.integers(min_value=0, max_value=2),
        "deleted": st.booleans(),
        "role_matches": st.sets(st.integers(min_value=0, max_value=len(ROLE_NAMES) - 1), max_size=3),
        # (days before as_of, activity type, count): some outside the window, some unweighted
        "events": st.lists(
            st.tuples(
                st.integers(min_value=-2, max_value=40),
                st.sampled_from([1, 2, 6, 10]),
                st.integers(min_value=1, max_value=30),
            ),
            max_size=3,
        ),
        "manual_role": st.none() | st.integers(min_value=0, max_value=len(ROLE_NAMES) - 1),
    }
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    roles=roles_strategy,
    persons=st.lists(person_strategy, max_size=8),
    min_completeness=st.floats(min_value=0, max_value=100),
    min_engagement=st.floats(min_value=0, max_value=100),
)
def test_scores_are_always_between_0_and_100(
    roles: list[tuple[int, bool, int]],
    persons: list[dict],
    min_completeness: float,
    min_engagement: float,
) -> None:
    template: list[Role] = [
        (ROLE_NAMES[index], weight, required, members_required)
        for index, (weight, required, members_required) in enumerate(roles)
    ]
    with tempfile.TemporaryDirectory() as directory:
        con = duckdb.connect(str(Path(directory) / "warehouse.duckdb"))
        try:
            world = World(con)
            world.weights({1: 40, 2: 40, 10: 30})
            accounts = [world.account(f"a{index}") for index in range(3)]
            world.audience("agtech", *accounts)
            world.solution_interest(
                "seeds",
                "AI Seeds",
                "agtech",
                template,
                min_completeness=min_completeness,
                min_engagement=min_engagement,
            )
            for index, spec in enumerate(persons):
                person = world.person(f"p{index}", accounts[spec["account"]], deleted=spec["deleted"])
                matched = [template[r][0] for r in spec["role_matches"] if r < len(template)]
                if matched:
                    world.rule("seeds", person, *matched)
                for days_before, activity_type, count in spec["events"]:
                    when = dt.datetime.combine(AS_OF - dt.timedelta(days=days_before), dt.time(12))
                    world.events(person, when, activity_type, count=count)
                if spec["manual_role"] is not None and spec["manual_role"] < len(template):
                    world.override("seeds", accounts[spec["account"]], person, "add", template[spec["manual_role"]][0])

            result = world.run(AS_OF)

            groups = world.rows("marts.buying_groups")
            assert len(groups) == 3 == result.groups
            for group in groups:
                for score in ("completeness_score", "weighted_completeness_score", "engagement_score"):
                    assert 0 <= group[score] <= 100, (score, group)
                expected_stage = (
                    "sales_ready"
                    if group["completeness_score"] >= min_completeness and group["engagement_score"] >= min_engagement
                    else "complete"
                    if group["completeness_score"] >= 100
                    else "incomplete"
                )
                assert group["stage"] == expected_stage
            engagement = [group["engagement_score"] for group in groups]
            assert max(engagement) in (0.0, 100.0)  # normalised to the top group
            for role in world.rows("marts.buying_group_roles"):
                assert 0 <= role["role_completeness"] <= 100
            person_scores = [row["person_engagement_score"] for row in world.rows("marts.person_engagement")]
            assert all(0 <= score <= 100 for score in person_scores)
            assert not person_scores or max(person_scores) in (0.0, 100.0)
        finally:
            con.close()
