"""Evaluate the account journeys for one ``as_of``: set-based, one round per node hop.

Every account of every journey advances in SQL. A run is: stage entry rows for new groups,
accounts entering their journeys, then rounds. In a round each configured node runs one
statement over *all* accounts pending on it (a split picks a path, an action node runs its
actions, a wait or listen node passes, times out or keeps the account), and one statement
applies the round's moves (a node no account is pending on is skipped). Accounts that
reached a new node are pending in the next round; the rounds end when no account moved,
which the config check bounds by the longest chain of split/action nodes (a loop must pass a
wait or listen node, and reaching one blocks for at least a day). Python loops over rounds
and over the configured nodes, never over accounts.

Idempotent by ``as_of``: the state before the latest day is kept, so re-running that day
starts from it again after deleting the day's rows; an earlier day than the latest is
refused (:class:`JourneyOrderError`) because later days were computed from it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import duckdb

from buying_groups.activation.linkedin import prepare_session
from buying_groups.conditions import (
    PERSON_ENGAGEMENT_FIELD,
    CompileContext,
    SqlParams,
    account_scope,
    compile_condition,
    event_scope,
    referenced_fields,
    role_person_scope,
)
from buying_groups.config import ProjectConfig
from buying_groups.config.journeys import (
    EXIT,
    Action,
    ActionNode,
    Journey,
    ListenNode,
    People,
    ScopedCondition,
    SplitNode,
    WaitNode,
    When,
    WhenAll,
    WhenAny,
    WhenNot,
    buying_group_scope,
    longest_non_blocking_path,
)
from buying_groups.journeys.tables import ensure_journey_tables
from buying_groups.sql_files import quote_identifier, run_sql, transaction

# The persons columns every person action writes into its payload (person_action.sql).
_PAYLOAD_PERSON_COLUMNS = frozenset({"person_key", "first_name", "last_name", "job_title", "country", "company_name"})


class JourneyOrderError(RuntimeError):
    """A day earlier than the latest day the journeys ran for."""


@dataclass(frozen=True)
class JourneyRunResult:
    as_of: dt.date
    rerun: bool
    rounds: int
    entered: int
    active: int
    actions_by_type: dict[str, int] = field(default_factory=dict)
    stage_moves_accepted: int = 0
    stage_moves_ignored: int = 0

    def as_metadata(self) -> dict[str, object]:
        return {
            "as_of": self.as_of.isoformat(),
            "rerun_of_same_day": self.rerun,
            "rounds": self.rounds,
            "accounts_entered": self.entered,
            "accounts_active": self.active,
            "stage_moves_accepted": self.stage_moves_accepted,
            "stage_moves_ignored": self.stage_moves_ignored,
            **{f"actions_{kind}": count for kind, count in sorted(self.actions_by_type.items())},
        }


def last_run_as_of(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    ensure_journey_tables(con)
    (last,) = con.execute("SELECT max(as_of) FROM journeys.runs").fetchone()  # type: ignore[misc]
    return last


def order_problem(as_of: dt.date, last: dt.date | None) -> str | None:
    """Why journeys cannot run for ``as_of`` after ``last``, or None."""
    if last is None or as_of >= last:
        return None
    return (
        f"journeys already ran for {last.isoformat()}; {as_of.isoformat()} is earlier. Journeys move "
        "forward one day at a time (each day starts from the state the previous run left): run "
        f"{last.isoformat()} again or a later day"
    )


def run_journeys(con: duckdb.DuckDBPyConnection, config: ProjectConfig, as_of: dt.date) -> JourneyRunResult:
    """Evaluate every journey of ``config`` as of ``as_of`` on the current marts, in one
    transaction. Needs ``marts.buying_groups`` / ``buying_group_members`` scored for
    ``as_of`` and the ``b2b`` tables."""
    last = last_run_as_of(con)
    if problem := order_problem(as_of, last):
        raise JourneyOrderError(problem)
    rerun = last == as_of
    journeys = config.journeys
    with transaction(con):
        run_sql(con, "journeys/rerun" if rerun else "journeys/begin_run", {"as_of": as_of})
        prepare_session(con)  # activation macros, country map, suppressed emails
        run_sql(con, "journeys/work_tables", identifiers={"person_columns": _member_person_columns(journeys.journeys)})
        nodes = [(j.id, n.id, n.type, order) for j in journeys.journeys for order, n in enumerate(j.nodes)]
        if nodes:
            con.executemany("INSERT INTO jw_nodes VALUES (?, ?, ?, ?)", nodes)
        model = journeys.stage_model
        if model is not None:
            transitions = [(source, target) for source, targets in model.transitions.items() for target in targets]
            if transitions:
                con.executemany("INSERT INTO jw_transitions VALUES (?, ?)", transitions)
            run_sql(con, "journeys/stage_entry", {"as_of": as_of, "entry_stage": model.entry})
        else:
            run_sql(con, "journeys/no_stage_model")
        run_sql(con, "journeys/vanished")
        run_sql(con, "journeys/apply_moves", {"as_of": as_of, "round": 0})
        for journey in journeys.journeys:
            if (journey.start and as_of < journey.start) or (journey.end and as_of > journey.end):
                continue
            run_sql(
                con,
                "journeys/enter",
                {
                    "journey_id": journey.id,
                    "start_node": journey.start_node,
                    "as_of": as_of,
                    "solution_interest_id": journey.solution_interest,
                    "max_entries": journey.max_entries,
                    "after_days": journey.reentry.after_days if journey.reentry else 0,
                },
            )
        round_limit = max((longest_non_blocking_path(j) for j in journeys.journeys), default=0)
        rounds = 0
        step = _Counter()
        while pending := _pending_nodes(con):
            rounds += 1
            if rounds > round_limit:  # the config check makes this unreachable
                raise RuntimeError(f"journeys still moving after {round_limit} rounds: a loop without wait/listen?")
            for journey in journeys.journeys:
                for node in journey.nodes:
                    # Every node statement reads only the accounts pending on that node, so a
                    # node without any has nothing to do; its joins would scan for nothing.
                    if (journey.id, node.id) in pending:
                        _evaluate_node(con, config, journey, node, as_of, rounds, step)
            run_sql(con, "journeys/apply_moves", {"as_of": as_of, "round": rounds})
        run_sql(con, "journeys/publish", {"as_of": as_of})
        return _summarise(con, as_of, rerun, rounds)


class _Counter:
    """Orders the actions and stage moves of one run (``seq``); stage entry rows are 0."""

    def __init__(self) -> None:
        self.value = 0

    def next(self) -> int:
        self.value += 1
        return self.value


def _pending_nodes(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    """The (journey, node) pairs with an account to evaluate this round."""
    return set(con.execute("SELECT DISTINCT journey_id, node_id FROM jw_pos WHERE pending").fetchall())


def _evaluate_node(
    con: duckdb.DuckDBPyConnection,
    config: ProjectConfig,
    journey: Journey,
    node: SplitNode | ActionNode | WaitNode | ListenNode,
    as_of: dt.date,
    round_number: int,
    step: _Counter,
) -> None:
    base = {"journey_id": journey.id, "node_id": node.id, "as_of": as_of}
    if isinstance(node, SplitNode):
        params = SqlParams(values=dict(base))
        cases = " ".join(
            f"WHEN {_when_sql(path.when, config, as_of, params)} THEN {index}" for index, path in enumerate(node.paths)
        )
        params.values |= {"targets": [p.next for p in node.paths], "otherwise": node.otherwise}
        run_sql(con, "journeys/split", params.values, identifiers={"path_cases": cases})
    elif isinstance(node, WaitNode):
        run_sql(con, "journeys/wait", {**base, "days": node.days, "next": node.next})
    elif isinstance(node, ListenNode):
        params = SqlParams(values=dict(base))
        where = ""
        if node.event.where is not None:
            where = "AND " + compile_condition(node.event.where, CompileContext(event_scope(), "e"), params)
        params.values |= {
            "activity_types": list(node.event.activity_types),
            "timeout_days": node.timeout_days,
            "next": node.next,
            "on_timeout": node.on_timeout,
        }
        run_sql(con, "journeys/listen", params.values, identifiers={"event_where": where})
    else:
        for index, action in enumerate(node.actions):
            _run_action(con, config, action, {**base, "action_index": index, "round": round_number}, step)
        run_sql(con, "journeys/action_next", {**base, "next": node.next})


def _run_action(
    con: duckdb.DuckDBPyConnection, config: ProjectConfig, action: Action, base: dict[str, Any], step: _Counter
) -> None:
    kind = action.kind
    base = {**base, "seq": step.next()}
    if action.update_stage is not None:
        run_sql(con, "journeys/update_stage", {**base, "stage": action.update_stage})
    elif action.marketo_list is not None or action.linkedin_contacts is not None:
        body = action.marketo_list or action.linkedin_contacts
        assert body is not None
        params = SqlParams(values=dict(base))
        people_filter = _people_sql(body.people, params)
        params.values |= {
            "action_type": kind,
            "target": action.target,
            # Marketo lists take the lead's own email; LinkedIn contacts follow activation.yaml.
            "hash_emails": kind == "linkedin_contacts" and config.activation.linkedin.hash_emails,
        }
        run_sql(con, "journeys/person_action", params.values, identifiers={"people_filter": people_filter})
    else:
        payload: dict[str, Any]
        if action.sales_alert is not None:
            payload = {"to": list(action.sales_alert.to)}
            target = ",".join(action.sales_alert.to)
        else:
            payload = {"audience": action.target, "membership": "add" if kind == "linkedin_audience" else "remove"}
            target = action.target
        run_sql(
            con,
            "journeys/account_action",
            {**base, "action_type": kind, "target": target, "payload": json.dumps(payload)},
        )


def _member_person_columns(journeys: list[Journey]) -> str:
    """The quoted ``b2b.persons`` columns the person actions read: the payload's and those
    named by a ``people.where`` (validated against the persons scope when the config loaded)."""
    columns = set(_PAYLOAD_PERSON_COLUMNS)
    for journey in journeys:
        for node in journey.nodes:
            for action in getattr(node, "actions", []):
                body = action.marketo_list or action.linkedin_contacts
                if body is not None:
                    columns |= referenced_fields(body.people.where)
    columns.discard(PERSON_ENGAGEMENT_FIELD)  # the member's score, read from the members table
    return ", ".join(quote_identifier(column) for column in sorted(columns))


def _people_sql(people: People, params: SqlParams) -> str:
    """Which active members (``m``) of the group, as persons ``p``, a person action reaches."""
    parts = ["true"]
    if people.roles:
        parts.append(f"list_contains({params.bind(list(people.roles))}, m.role)")
    if people.has_interest is not None:
        parts.append(f"m.has_interest = {params.bind(people.has_interest)}")
    if people.where is not None:
        context = CompileContext(role_person_scope(), "p", {PERSON_ENGAGEMENT_FIELD: "m.person_engagement_score"})
        parts.append(compile_condition(people.where, context, params))
    return "(" + " AND ".join(parts) + ")"


def _when_sql(when: When, config: ProjectConfig, as_of: dt.date, params: SqlParams) -> str:
    """A split path's condition over ``g`` (the group's mart row, ``st`` its lifecycle
    stage) and ``a`` (the account)."""
    if isinstance(when, ScopedCondition):
        if when.side == "buying_group":
            context = CompileContext(buying_group_scope(), "g", {"lifecycle_stage": "st.stage"})
        else:
            context = CompileContext(
                account_scope(), "a", as_of=as_of, default_within_days=config.engagement.window_days
            )
        return compile_condition(when.condition, context, params)
    if isinstance(when, WhenNot):
        return f"(NOT {_when_sql(when.item, config, as_of, params)})"
    joiner = " AND " if isinstance(when, WhenAll) else " OR "
    assert isinstance(when, WhenAll | WhenAny)
    return "(" + joiner.join(_when_sql(item, config, as_of, params) for item in when.items) + ")"


def _summarise(con: duckdb.DuckDBPyConnection, as_of: dt.date, rerun: bool, rounds: int) -> JourneyRunResult:
    (entered, active) = con.execute(  # type: ignore[misc]
        "SELECT count(*) FILTER (WHERE entered_on = $as_of), count(*) FILTER (WHERE status = 'active') "
        "FROM marts.journey_state",
        {"as_of": as_of},
    ).fetchone()
    actions = dict(
        con.execute(
            "SELECT action_type, count(*) FROM marts.journey_actions WHERE as_of = $as_of GROUP BY ALL",
            {"as_of": as_of},
        ).fetchall()
    )
    (accepted, ignored) = con.execute(  # type: ignore[misc]
        "SELECT count(*) FILTER (WHERE accepted), count(*) FILTER (WHERE NOT accepted) "
        "FROM marts.buying_group_stage_history WHERE as_of = $as_of AND source = 'journey'",
        {"as_of": as_of},
    ).fetchone()
    return JourneyRunResult(
        as_of=as_of,
        rerun=rerun,
        rounds=rounds,
        entered=int(entered),
        active=int(active),
        actions_by_type=actions,
        stage_moves_accepted=int(accepted),
        stage_moves_ignored=int(ignored),
    )


__all__ = [
    "EXIT",
    "JourneyOrderError",
    "JourneyRunResult",
    "last_run_as_of",
    "order_problem",
    "run_journeys",
]
