"""``journeys.yaml``: the buying-group stage model and the account journeys.

The models check each value's shape (types, ranges, safe names, one action kind per action);
:func:`journey_problems` checks what spans nodes and files - node references, reachability,
stages, loops without a ``wait``/``listen`` node, solution interests and their roles - and
reports every problem at once, like the loader's cross-file checks.

Choices where the journey contract is silent (documented in ``docs/journeys.md``):

- a ``listen`` node without ``on_timeout`` exits on timeout; a ``wait`` or ``listen`` node
  without ``next`` completes the journey;
- ``wait.days`` and ``listen.timeout_days`` are at least 1, so a node entered today always
  blocks today and a run's number of hops is bounded by the longest non-blocking path;
- list and audience names become file and folder names: letters, digits, ``.``, ``_``,
  ``-``, not starting with ``.`` or ``-``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import Field, PlainSerializer, PlainValidator, model_validator
from pydantic_core import PydanticCustomError

from buying_groups.conditions import (
    Condition,
    ConditionError,
    ConditionIssue,
    FieldKind,
    FieldScope,
    account_scope,
    condition_to_dict,
    parse_condition,
)
from buying_groups.config.errors import ConfigProblem
from buying_groups.config.models import (
    ID_PATTERN,
    MAX_ID_LENGTH,
    EventCondition,
    Id,
    ProjectConfig,
    RolePersonCondition,
    StrictModel,
    not_allowed,
)

JOURNEYS_FILE = "journeys.yaml"
EXIT = "exit"  # the reserved target "leave the journey"
BLOCKING_TYPES = ("wait", "listen")
NODE_TYPES = ("split", "action", "wait", "listen")
ACTION_KINDS = (
    "update_stage",
    "sales_alert",
    "marketo_list",
    "linkedin_contacts",
    "linkedin_audience",
    "linkedin_audience_remove",
)
PERSON_ACTIONS = ("marketo_list", "linkedin_contacts")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@cache
def buying_group_scope() -> FieldScope:
    """The columns of ``marts.buying_groups`` a split may test (``missing_roles`` is a list)."""
    return FieldScope(
        "buying_groups",
        {
            "stage": FieldKind.TEXT,
            "lifecycle_stage": FieldKind.TEXT,
            "completeness_score": FieldKind.NUMBER,
            "weighted_completeness_score": FieldKind.NUMBER,
            "engagement_score": FieldKind.NUMBER,
            "member_count": FieldKind.INTEGER,
            "interested_members": FieldKind.INTEGER,
            "missing_roles": FieldKind.TEXT_LIST,
        },
    )


# --- split conditions: all/any/not over `buying_group:` and `account:` leaves ----------------


@dataclass(frozen=True)
class ScopedCondition:
    """A condition over one side of the account: ``buying_group`` (its group's mart row) or
    ``account`` (``b2b.accounts``, with ``has_people``/``has_activity``/``has_opportunity``)."""

    side: Literal["buying_group", "account"]
    condition: Condition


@dataclass(frozen=True)
class WhenAll:
    items: tuple[When, ...]


@dataclass(frozen=True)
class WhenAny:
    items: tuple[When, ...]


@dataclass(frozen=True)
class WhenNot:
    item: When


When = ScopedCondition | WhenAll | WhenAny | WhenNot
_SIDES: dict[str, Callable[[], FieldScope]] = {"buying_group": buying_group_scope, "account": account_scope}


def _parse_when(raw: Any, path: str, issues: list[ConditionIssue]) -> When | None:
    keys = ("all", "any", "not", *_SIDES)
    if not isinstance(raw, dict) or len(raw) != 1:
        issues.append(
            ConditionIssue(path, f"{raw!r} is not allowed; expected a mapping with one of: {', '.join(keys)}")
        )
        return None
    ((key, body),) = raw.items()
    here = f"{path}.{key}" if path else str(key)
    if key in ("all", "any"):
        if not isinstance(body, list) or not body:
            issues.append(ConditionIssue(here, f"{body!r} is not allowed; {key} needs a non-empty list of conditions"))
            return None
        items = [_parse_when(item, f"{here}[{i}]", issues) for i, item in enumerate(body)]
        if any(item is None for item in items):
            return None
        return (WhenAll if key == "all" else WhenAny)(tuple(items))  # type: ignore[arg-type]
    if key == "not":
        item = _parse_when(body, here, issues)
        return WhenNot(item) if item is not None else None
    if key in _SIDES:
        try:
            return ScopedCondition(key, parse_condition(body, _SIDES[key]()))  # type: ignore[arg-type]
        except ConditionError as exc:
            issues.extend(ConditionIssue(f"{here}.{i.path}" if i.path else here, i.message) for i in exc.issues)
            return None
    issues.append(ConditionIssue(here, f"{key!r} is not allowed; allowed: {', '.join(keys)}"))
    return None


def _validate_when(raw: Any) -> When:
    if isinstance(raw, ScopedCondition | WhenAll | WhenAny | WhenNot):
        return raw
    issues: list[ConditionIssue] = []
    when = _parse_when(raw, "", issues)
    if issues or when is None:
        raise PydanticCustomError(
            "condition",
            "{summary}",
            {"summary": str(ConditionError(issues)), "issues": [(i.path, i.message) for i in issues]},
        )
    return when


def when_to_dict(when: When) -> dict[str, Any]:
    if isinstance(when, ScopedCondition):
        return {when.side: condition_to_dict(when.condition)}
    if isinstance(when, WhenNot):
        return {"not": when_to_dict(when.item)}
    return {"all" if isinstance(when, WhenAll) else "any": [when_to_dict(i) for i in when.items]}


def scoped_conditions(when: When) -> Iterator[ScopedCondition]:
    if isinstance(when, ScopedCondition):
        yield when
    elif isinstance(when, WhenNot):
        yield from scoped_conditions(when.item)
    else:
        for item in when.items:
            yield from scoped_conditions(item)


WhenCondition = Annotated[
    When, PlainValidator(_validate_when), PlainSerializer(when_to_dict, return_type=dict[str, Any])
]
# A name that becomes a file or folder name (list, audience).
SafeName = Annotated[str, Field(pattern=f"^{ID_PATTERN}$", max_length=MAX_ID_LENGTH)]
Target = Annotated[str, Field(min_length=1, max_length=100)]


# --- the stage model -------------------------------------------------------------------------


class StageModel(StrictModel):
    """The lifecycle stages of buying groups and the moves allowed between them."""

    stages: Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]
    entry: str
    success: str | None = None
    failure: list[str] = []
    # stage -> stages it may move to; a stage not listed may not move.
    transitions: dict[str, list[str]] = {}

    def allows(self, from_stage: str, to_stage: str) -> bool:
        return to_stage in self.transitions.get(from_stage, [])


# --- actions and nodes -----------------------------------------------------------------------


class People(StrictModel):
    """Which active members of the group a person action reaches (all when empty)."""

    roles: list[str] | None = None
    has_interest: bool | None = None
    where: RolePersonCondition = None


class SalesAlert(StrictModel):
    to: Annotated[list[str], Field(min_length=1)]

    @model_validator(mode="after")
    def _emails(self) -> SalesAlert:
        bad = [address for address in self.to if not _EMAIL.match(address)]
        if bad:
            raise not_allowed(bad[0], ["email addresses (name@example.com)"])
        return self


class MarketoList(StrictModel):
    list: SafeName
    people: People = People()


class LinkedInContacts(StrictModel):
    audience: SafeName
    people: People = People()


class LinkedInAudience(StrictModel):
    audience: SafeName


class Action(StrictModel):
    """Exactly one of the action kinds."""

    update_stage: Annotated[str, Field(min_length=1)] | None = None
    sales_alert: SalesAlert | None = None
    marketo_list: MarketoList | None = None
    linkedin_contacts: LinkedInContacts | None = None
    linkedin_audience: LinkedInAudience | None = None
    linkedin_audience_remove: LinkedInAudience | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Action:
        given = [kind for kind in ACTION_KINDS if getattr(self, kind) is not None]
        if len(given) != 1:
            raise not_allowed(given or "no action", ACTION_KINDS, note=" (give exactly one action kind)")
        return self

    @property
    def kind(self) -> str:
        return next(kind for kind in ACTION_KINDS if getattr(self, kind) is not None)

    @property
    def target(self) -> str | None:
        """The stage, list or audience the action names (None for a sales alert)."""
        body = getattr(self, self.kind)
        if isinstance(body, str):
            return body
        return getattr(body, "list", None) or getattr(body, "audience", None)


class SplitPath(StrictModel):
    when: WhenCondition
    next: Target


class SplitNode(StrictModel):
    id: Id
    type: Literal["split"]
    paths: Annotated[list[SplitPath], Field(min_length=1)]
    otherwise: Target | None = None  # absent: an account matching no path exits


class ActionNode(StrictModel):
    id: Id
    type: Literal["action"]
    actions: Annotated[list[Action], Field(min_length=1)]
    next: Target | None = None  # absent: the journey is completed


class WaitNode(StrictModel):
    id: Id
    type: Literal["wait"]
    days: Annotated[int, Field(ge=1)]
    next: Target | None = None


class ListenEvent(StrictModel):
    """Like ``has_activity``: an event of a current person of the account."""

    activity_types: Annotated[list[Annotated[int, Field(ge=0)]], Field(min_length=1)]
    where: EventCondition = None


class ListenNode(StrictModel):
    id: Id
    type: Literal["listen"]
    event: ListenEvent
    timeout_days: Annotated[int, Field(ge=1)]
    next: Target | None = None
    on_timeout: Target = EXIT


Node = Annotated[SplitNode | ActionNode | WaitNode | ListenNode, Field(discriminator="type")]


class Reentry(StrictModel):
    after_days: Annotated[int, Field(ge=0)] = 0
    max_entries: Annotated[int, Field(ge=1)] | None = None  # None = no limit


class Journey(StrictModel):
    id: Id
    name: str
    description: str | None = None
    solution_interest: str
    start: dt.date | None = None
    end: dt.date | None = None
    reentry: Reentry | None = None  # absent: an account enters once
    start_node: str
    nodes: Annotated[list[Node], Field(min_length=1)]

    def node(self, node_id: str) -> SplitNode | ActionNode | WaitNode | ListenNode:
        return next(n for n in self.nodes if n.id == node_id)

    @property
    def max_entries(self) -> int:
        if self.reentry is None:
            return 1
        return self.reentry.max_entries or 2**31 - 1


class JourneysConfig(StrictModel):
    """``journeys.yaml`` (optional): absent = no stage model and no journeys."""

    stage_model: StageModel | None = None
    journeys: list[Journey] = []


# --- checks across nodes and files -----------------------------------------------------------


def node_targets(node: SplitNode | ActionNode | WaitNode | ListenNode) -> list[tuple[str, str]]:
    """(path inside the node, target) of every edge leaving ``node``."""
    if isinstance(node, SplitNode):
        edges = [(f"paths[{i}].next", p.next) for i, p in enumerate(node.paths)]
        return edges + ([("otherwise", node.otherwise)] if node.otherwise else [])
    if isinstance(node, ListenNode):
        return ([("next", node.next)] if node.next else []) + [("on_timeout", node.on_timeout)]
    return [("next", node.next)] if node.next else []


def _cycle_without_blocking(journey: Journey) -> list[str] | None:
    """A loop of split/action nodes only (an account would move forever in one run)."""
    ids = {n.id for n in journey.nodes}
    edges = {
        n.id: [t for _, t in node_targets(n) if t in ids and journey.node(t).type not in BLOCKING_TYPES]
        for n in journey.nodes
        if n.type not in BLOCKING_TYPES
    }
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    stack: list[str] = []

    def visit(node_id: str) -> list[str] | None:
        state[node_id] = 1
        stack.append(node_id)
        for target in edges.get(node_id, []):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node_id] = 2
        return None

    for node_id in edges:
        if node_id not in state and (found := visit(node_id)):
            return found
    return None


def longest_non_blocking_path(journey: Journey) -> int:
    """The most nodes an account can be evaluated at in one run: the blocking node it starts
    on, the longest chain of split/action nodes, and the blocking node where it stops. The
    engine's rounds stop earlier, when no account moves."""
    ids = {n.id for n in journey.nodes}

    @cache
    def chain(node_id: str) -> int:
        node = journey.node(node_id)
        if node.type in BLOCKING_TYPES:
            return 0
        return 1 + max((chain(t) for _, t in node_targets(node) if t in ids), default=0)

    return 2 + max(chain(n.id) for n in journey.nodes)


_NODE_TAG = re.compile(r"(nodes\[\d+\])\.(?:split|action|wait|listen)(?=[.\[]|$)")


def without_node_tags(problems: list[ConfigProblem]) -> list[ConfigProblem]:
    """Pydantic puts the node's ``type`` into the path of an error inside a node
    (``nodes[0].split.paths``); the YAML has no such level, so it is dropped."""
    return [ConfigProblem(p.file, _NODE_TAG.sub(r"\1", p.path), p.message) for p in problems]


def journey_problems(config: ProjectConfig, label: str) -> list[ConfigProblem]:
    """Every problem of ``journeys.yaml`` that spans nodes or files."""
    journeys = config.journeys
    problems: list[ConfigProblem] = []

    def problem(path: str, message: str) -> None:
        problems.append(ConfigProblem(label, path, message))

    stages: list[str] = []
    model = journeys.stage_model
    if model is not None:
        stages = model.stages
        seen: set[str] = set()
        for index, stage in enumerate(stages):
            if stage in seen:
                problem(f"stage_model.stages[{index}]", f"{stage!r} is not allowed; duplicate stage")
            seen.add(stage)
        allowed = ", ".join(stages)
        references = [("stage_model.entry", model.entry)]
        references += [("stage_model.success", model.success)] if model.success else []
        references += [(f"stage_model.failure[{i}]", s) for i, s in enumerate(model.failure)]
        for source, targets in model.transitions.items():
            references.append((f"stage_model.transitions.{source} (key)", source))
            references += [(f"stage_model.transitions.{source}[{i}]", t) for i, t in enumerate(targets)]
        for path, stage in references:
            if stage not in stages:
                problem(path, f"{stage!r} is not allowed; not a stage of the model; allowed: {allowed}")

    interest_ids = [s.id for s in config.interests]
    seen_journeys: dict[str, int] = {}
    for j_index, journey in enumerate(journeys.journeys):
        here = f"journeys[{j_index}]"
        if journey.id in seen_journeys:
            problem(
                f"{here}.id",
                f"{journey.id!r} is not allowed; duplicate journey id (first at index {seen_journeys[journey.id]})",
            )
        seen_journeys.setdefault(journey.id, j_index)
        if journey.start and journey.end and journey.start > journey.end:
            problem(f"{here}.end", f"{journey.end.isoformat()!r} is not allowed; allowed: on or after start")
        roles: list[str] | None = None
        if journey.solution_interest not in interest_ids:
            problem(
                f"{here}.solution_interest",
                f"{journey.solution_interest!r} is not allowed; no such solution interest; "
                f"allowed: {', '.join(interest_ids) or '(none defined)'}",
            )
        else:
            interest = config.solution_interest(journey.solution_interest)
            if interest.roles_template in {t.id for t in config.templates}:
                roles = [r.role for r in config.template(interest.roles_template).roles]

        node_index: dict[str, int] = {}
        for n_index, node in enumerate(journey.nodes):
            if node.id == EXIT:
                problem(f"{here}.nodes[{n_index}].id", f"{EXIT!r} is not allowed; it is the reserved exit target")
            elif node.id in node_index:
                problem(
                    f"{here}.nodes[{n_index}].id",
                    f"{node.id!r} is not allowed; duplicate node id (first at index {node_index[node.id]})",
                )
            node_index.setdefault(node.id, n_index)
        targets_allowed = ", ".join([*node_index, EXIT])
        if journey.start_node not in node_index:
            problem(
                f"{here}.start_node",
                f"{journey.start_node!r} is not allowed; no such node; allowed: {', '.join(node_index)}",
            )
        for n_index, node in enumerate(journey.nodes):
            at = f"{here}.nodes[{n_index}]"
            for path, target in node_targets(node):
                if target != EXIT and target not in node_index:
                    problem(f"{at}.{path}", f"{target!r} is not allowed; no such node; allowed: {targets_allowed}")
            if isinstance(node, ActionNode):
                for a_index, action in enumerate(node.actions):
                    _check_action(action, f"{at}.actions[{a_index}]", model, roles, journey, problem)
        if journey.start_node in node_index:
            reached = {journey.start_node}
            frontier = [journey.start_node]
            while frontier:
                node = journey.node(frontier.pop())
                for _, target in node_targets(node):
                    if target in node_index and target not in reached:
                        reached.add(target)
                        frontier.append(target)
            for node_id, n_index in node_index.items():
                if node_id not in reached:
                    problem(
                        f"{here}.nodes[{n_index}]",
                        f"{node_id!r} is not allowed; unreachable from start_node {journey.start_node!r}",
                    )
        cycle = _cycle_without_blocking(journey) if set(node_index) == {n.id for n in journey.nodes} else None
        if cycle:
            problem(
                f"{here}.nodes",
                f"loop {' -> '.join(cycle)} is not allowed; allowed: a loop that passes a wait or listen node",
            )
    return problems


def _check_action(
    action: Action,
    path: str,
    model: StageModel | None,
    roles: list[str] | None,
    journey: Journey,
    problem: Callable[[str, str], None],
) -> None:
    if action.update_stage is not None:
        if model is None:
            problem(f"{path}.update_stage", "is not allowed without a stage_model; allowed: define stage_model first")
        elif action.update_stage not in model.stages:
            problem(
                f"{path}.update_stage",
                f"{action.update_stage!r} is not allowed; not a stage of the model; allowed: {', '.join(model.stages)}",
            )
    body = action.marketo_list or action.linkedin_contacts
    people = body.people if body is not None else None
    if people is not None and people.roles and roles is not None:
        for r_index, role in enumerate(people.roles):
            if role not in roles:
                problem(
                    f"{path}.{action.kind}.people.roles[{r_index}]",
                    f"{role!r} is not allowed; not a role of solution interest "
                    f"{journey.solution_interest!r}; allowed: {', '.join(roles)}",
                )


# ProjectConfig names JourneysConfig only under TYPE_CHECKING (this module imports its file).
ProjectConfig.model_rebuild(_types_namespace={"JourneysConfig": JourneysConfig})

# Re-exported so the engine and docs read the node classes from one place.
JourneyNode = SplitNode | ActionNode | WaitNode | ListenNode
__all__ = [
    "ACTION_KINDS",
    "BLOCKING_TYPES",
    "EXIT",
    "JOURNEYS_FILE",
    "NODE_TYPES",
    "PERSON_ACTIONS",
    "Action",
    "ActionNode",
    "Journey",
    "JourneyNode",
    "JourneysConfig",
    "ListenNode",
    "People",
    "Reentry",
    "ScopedCondition",
    "SplitNode",
    "StageModel",
    "WaitNode",
    "When",
    "WhenAll",
    "WhenAny",
    "WhenNot",
    "buying_group_scope",
    "journey_problems",
    "longest_non_blocking_path",
    "node_targets",
    "scoped_conditions",
]
