"""The condition tree (SPEC §4) and the field whitelists it is checked against.

A condition is parsed once (``parse.py``), from YAML, into these frozen dataclasses; the SQL
compiler (``compile.py``) and the Python evaluator (``evaluate.py``) both walk the same tree,
so they cannot disagree on what a condition *is*, only on what it *means*, which the
differential property test pins down.

Semantics shared by both back ends (documented in the README of the condition language):

- **Three-valued logic.** A leaf over an empty field is UNKNOWN (SQL ``NULL``), except
  ``is_empty`` / ``is_not_empty``, which are always TRUE or FALSE. ``all`` / ``any`` / ``not``
  follow SQL (Kleene) logic: ``not UNKNOWN`` is UNKNOWN, ``all [UNKNOWN, FALSE]`` is FALSE,
  ``any [UNKNOWN, TRUE]`` is TRUE. A row is selected only when the whole condition is TRUE.
  Hence an empty field matches only ``is_empty`` and neither the negated ops nor ``not`` ever
  turn an empty field into a match.
- **Empty text.** A text value that is NULL or only whitespace (space, tab, CR, LF, VT, FF) is
  empty. Text is trimmed of that whitespace before every comparison, whatever
  ``case_sensitive`` says; ``case_sensitive`` only controls case folding.
- **Ops by field type.** Text fields take the string ops; numeric, date and timestamp fields
  take the comparison ops; boolean fields take ``equals`` / ``in`` and their negations.
  Anything else (``gt`` on ``job_title``, ``contains`` on ``employee_count``) is rejected when
  the configuration is loaded, so there is no silent string-vs-number comparison.
- **Cross-entity conditions** (accounts only) are counts, so always TRUE or FALSE.
- **Time windows** (``has_activity``, interest signals, engagement) are over the UTC *date*
  of the event: ``(as_of - within_days, as_of]``, i.e. the ``within_days`` dates ending with
  ``as_of`` itself. An event on ``as_of - within_days`` is outside, one on ``as_of`` inside,
  one after ``as_of`` outside.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any

from buying_groups.model import entity_by_table

# The whitespace trimmed from text on both sides (SQL ``trim(x, chars)`` and Python
# ``str.strip(chars)`` with the same explicit set, so the two back ends agree exactly).
WHITESPACE = " \t\n\r\x0b\x0c"


class FieldKind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    TIMESTAMP = "timestamp"
    DATE = "date"
    # A list of names (``missing_roles``): ``contains`` = holds one of the values as an
    # element (trimmed, case-insensitive unless ``case_sensitive``), not a substring.
    TEXT_LIST = "text list"


_KIND_BY_DUCKDB_TYPE = {
    "VARCHAR": FieldKind.TEXT,
    "BIGINT": FieldKind.INTEGER,
    "DOUBLE": FieldKind.NUMBER,
    "BOOLEAN": FieldKind.BOOLEAN,
    "TIMESTAMP": FieldKind.TIMESTAMP,
    "DATE": FieldKind.DATE,
    "VARCHAR[]": FieldKind.TEXT_LIST,
}

OPS: tuple[str, ...] = (
    "equals",
    "not_equals",
    "in",
    "not_in",
    "contains",
    "not_contains",
    "starts_with",
    "ends_with",
    "matches",
    "is_empty",
    "is_not_empty",
    "gt",
    "gte",
    "lt",
    "lte",
    "between",
)
_EQUALITY_OPS = ("equals", "not_equals", "in", "not_in")
_EMPTINESS_OPS = ("is_empty", "is_not_empty")
_ORDER_OPS = ("gt", "gte", "lt", "lte", "between")
OPS_BY_KIND: dict[FieldKind, tuple[str, ...]] = {
    FieldKind.TEXT: (
        *_EQUALITY_OPS,
        "contains",
        "not_contains",
        "starts_with",
        "ends_with",
        "matches",
        *_EMPTINESS_OPS,
    ),
    FieldKind.INTEGER: (*_EQUALITY_OPS, *_ORDER_OPS, *_EMPTINESS_OPS),
    FieldKind.NUMBER: (*_EQUALITY_OPS, *_ORDER_OPS, *_EMPTINESS_OPS),
    FieldKind.BOOLEAN: (*_EQUALITY_OPS, *_EMPTINESS_OPS),
    FieldKind.TIMESTAMP: (*_EQUALITY_OPS, *_ORDER_OPS, *_EMPTINESS_OPS),
    FieldKind.DATE: (*_EQUALITY_OPS, *_ORDER_OPS, *_EMPTINESS_OPS),
    FieldKind.TEXT_LIST: ("contains", "not_contains", *_EMPTINESS_OPS),
}
# Ops whose value may be a list meaning "any of" (``in``/``not_in`` require a list).
LIST_OR_SCALAR_OPS = ("equals", "not_equals", "contains", "not_contains", "starts_with", "ends_with")
LIST_OPS = ("in", "not_in")
NEGATED_OPS = {"not_equals": "equals", "not_in": "in", "not_contains": "contains"}

Scalar = str | int | float | bool | dt.date | dt.datetime


@dataclass(frozen=True)
class FieldScope:
    """The fields a condition over one entity may name, with their kinds.

    ``entity`` is the validated table (``persons``); ``cross_entity`` allows ``has_people``,
    ``has_activity`` and ``has_opportunity`` (account conditions only).
    """

    entity: str
    fields: Mapping[str, FieldKind]
    cross_entity: bool = False

    @classmethod
    def for_table(
        cls,
        table: str,
        *,
        extra: Mapping[str, FieldKind] | None = None,
        cross_entity: bool = False,
    ) -> FieldScope:
        """The whitelist of a validated table, read off its Pandera model, plus ``extra``."""
        columns = {c.name: _KIND_BY_DUCKDB_TYPE[c.duckdb_type] for c in entity_by_table(table).columns}
        return cls(table, {**columns, **(extra or {})}, cross_entity)


@cache
def account_scope() -> FieldScope:
    return FieldScope.for_table("accounts", cross_entity=True)


@cache
def person_scope() -> FieldScope:
    return FieldScope.for_table("persons")


# Person conditions of roles run with the person joined to ``marts.person_engagement``.
PERSON_ENGAGEMENT_FIELD = "person_engagement_score"


@cache
def role_person_scope() -> FieldScope:
    return FieldScope.for_table("persons", extra={PERSON_ENGAGEMENT_FIELD: FieldKind.NUMBER})


@cache
def event_scope() -> FieldScope:
    return FieldScope.for_table("experience_events")


@cache
def opportunity_scope() -> FieldScope:
    return FieldScope.for_table("opportunities")


# --- the tree -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Leaf:
    """``{field, op, value, case_sensitive}``. ``values`` is always a tuple: the "any of" list,
    the ``in`` list, ``(low, high)`` for ``between``, one value for the other ops, and empty
    for ``is_empty``/``is_not_empty``. Text values are stored trimmed; a ``matches`` pattern
    is stored as written."""

    field: str
    op: str
    values: tuple[Any, ...] = ()
    case_sensitive: bool = False


@dataclass(frozen=True)
class AllOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    item: Condition


@dataclass(frozen=True)
class HasPeople:
    """At least ``min_count`` current persons of the account satisfy ``where``."""

    where: Condition | None = None
    min_count: int = 1


@dataclass(frozen=True)
class HasActivity:
    """At least ``min_count`` events of the account's current persons, of one of
    ``activity_types``, in the window of ``within_days`` (None = the engagement window)
    ending at ``as_of``, satisfy ``where``."""

    activity_types: tuple[int, ...]
    within_days: int | None = None
    min_count: int = 1
    where: Condition | None = None


@dataclass(frozen=True)
class HasOpportunity:
    """At least ``min_count`` current opportunities of the account satisfy ``where``."""

    where: Condition | None = None
    min_count: int = 1


Condition = Leaf | AllOf | AnyOf | Not | HasPeople | HasActivity | HasOpportunity


@dataclass(frozen=True)
class ConditionIssue:
    """One problem in a condition, at ``path`` relative to the condition's root."""

    path: str
    message: str


@dataclass
class ConditionError(ValueError):
    """A condition that does not parse; ``issues`` lists every problem found."""

    issues: list[ConditionIssue] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(f"{i.path or '<root>'}: {i.message}" for i in self.issues)


def walk(condition: Condition) -> Iterator[Condition]:
    """Every node of the tree on the condition's own entity (not inside ``has_*`` where)."""
    yield condition
    if isinstance(condition, AllOf | AnyOf):
        for item in condition.items:
            yield from walk(item)
    elif isinstance(condition, Not):
        yield from walk(condition.item)


def referenced_fields(condition: Condition | None) -> set[str]:
    """Fields of the condition's own entity named by its leaves."""
    if condition is None:
        return set()
    return {node.field for node in walk(condition) if isinstance(node, Leaf)}


def window_bounds(as_of: dt.date, within_days: int) -> tuple[dt.datetime, dt.datetime]:
    """``[start, end)`` timestamps of the event dates ``(as_of - within_days, as_of]``.

    Binding timestamps (rather than casting every event to a date) keeps the filter
    sargable for DuckDB's zone maps.
    """
    start = dt.datetime.combine(as_of - dt.timedelta(days=within_days - 1), dt.time())
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
    return start, end


def condition_to_dict(condition: Condition | None) -> dict[str, Any] | None:
    """The YAML form of a parsed condition (for ``model_dump``, metadata and docs)."""
    if condition is None:
        return None
    if isinstance(condition, AllOf | AnyOf):
        key = "all" if isinstance(condition, AllOf) else "any"
        return {key: [condition_to_dict(c) for c in condition.items]}
    if isinstance(condition, Not):
        return {"not": condition_to_dict(condition.item)}
    if isinstance(condition, Leaf):
        out: dict[str, Any] = {"field": condition.field, "op": condition.op}
        if condition.op in ("in", "not_in", "between") or len(condition.values) > 1:
            out["value"] = list(condition.values)
        elif condition.values:
            out["value"] = condition.values[0]
        if condition.case_sensitive:
            out["case_sensitive"] = True
        return out
    body: dict[str, Any] = {}
    if isinstance(condition, HasActivity):
        body["activity_types"] = list(condition.activity_types)
        if condition.within_days is not None:
            body["within_days"] = condition.within_days
    body["min_count"] = condition.min_count
    if condition.where is not None:
        body["where"] = condition_to_dict(condition.where)
    key = {HasPeople: "has_people", HasActivity: "has_activity", HasOpportunity: "has_opportunity"}[type(condition)]
    return {key: body}
