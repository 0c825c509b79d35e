"""A pure-Python evaluator of the condition language over dict rows.

It is the executable specification the SQL compiler is tested against (differential property
test), and handy for unit tests. It uses the same three-valued logic: ``None`` is UNKNOWN.
Cross-entity conditions need a :class:`RelatedRows` with the other tables' rows.

Known divergence: case folding uses Python ``str.lower`` while SQL uses DuckDB ``lower``; they
agree on ASCII and common accented letters, not on a few special cases (Turkish dotted I,
Greek final sigma).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from buying_groups.conditions.model import (
    NEGATED_OPS,
    WHITESPACE,
    AllOf,
    AnyOf,
    Condition,
    FieldKind,
    FieldScope,
    HasActivity,
    HasOpportunity,
    HasPeople,
    Leaf,
    Not,
    event_scope,
    opportunity_scope,
    person_scope,
    window_bounds,
)

Row = Mapping[str, Any]


@dataclass(frozen=True)
class RelatedRows:
    """Rows of the other tables, for ``has_people`` / ``has_activity`` / ``has_opportunity``."""

    persons: Sequence[Row] = ()
    events: Sequence[Row] = ()
    opportunities: Sequence[Row] = ()
    as_of: dt.date | None = None
    default_within_days: int | None = None


def matches(condition: Condition, row: Row, scope: FieldScope, related: RelatedRows | None = None) -> bool:
    """True when ``row`` satisfies ``condition`` (UNKNOWN counts as no match)."""
    return evaluate3(condition, row, scope, related) is True


def evaluate3(condition: Condition, row: Row, scope: FieldScope, related: RelatedRows | None = None) -> bool | None:
    """TRUE, FALSE or None (UNKNOWN), with SQL's Kleene logic."""
    if isinstance(condition, AllOf):
        results = [evaluate3(c, row, scope, related) for c in condition.items]
        if False in results:
            return False
        return None if None in results else True
    if isinstance(condition, AnyOf):
        results = [evaluate3(c, row, scope, related) for c in condition.items]
        if True in results:
            return True
        return None if None in results else False
    if isinstance(condition, Not):
        inner = evaluate3(condition.item, row, scope, related)
        return None if inner is None else not inner
    if isinstance(condition, Leaf):
        return _leaf(condition, row, scope)
    return _cross_entity(condition, row, related or RelatedRows())


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return str(value).strip(WHITESPACE) or None


def _leaf(leaf: Leaf, row: Row, scope: FieldScope) -> bool | None:
    kind = scope.fields[leaf.field]
    value = row.get(leaf.field)
    if kind is FieldKind.TEXT_LIST:
        return _list_leaf(leaf, value)
    if kind is FieldKind.TEXT:
        value = _text(value)
    if leaf.op == "is_empty":
        return value is None
    if leaf.op == "is_not_empty":
        return value is not None
    if leaf.op in NEGATED_OPS:
        positive = _leaf(Leaf(leaf.field, NEGATED_OPS[leaf.op], leaf.values, leaf.case_sensitive), row, scope)
        return None if positive is None else not positive
    if value is None:
        return None
    if leaf.op == "matches":
        flags = 0 if leaf.case_sensitive else re.IGNORECASE
        return re.search(leaf.values[0], value, flags) is not None
    fold = kind is FieldKind.TEXT and not leaf.case_sensitive
    if fold:
        value = value.lower()
    wanted = [v.lower() for v in leaf.values] if fold else list(leaf.values)
    if leaf.op in ("equals", "in"):
        return any(value == v for v in wanted)
    if leaf.op == "contains":
        return any(v in value for v in wanted)
    if leaf.op == "starts_with":
        return any(value.startswith(v) for v in wanted)
    if leaf.op == "ends_with":
        return any(value.endswith(v) for v in wanted)
    if leaf.op == "between":
        return wanted[0] <= value <= wanted[1]
    target = wanted[0]
    return {"gt": value > target, "gte": value >= target, "lt": value < target, "lte": value <= target}[leaf.op]


def _list_leaf(leaf: Leaf, value: Sequence[Any] | None) -> bool | None:
    if leaf.op == "is_empty":
        return not value
    if leaf.op == "is_not_empty":
        return bool(value)
    if leaf.op in NEGATED_OPS:
        positive = _list_leaf(Leaf(leaf.field, NEGATED_OPS[leaf.op], leaf.values, leaf.case_sensitive), value)
        return None if positive is None else not positive
    if value is None:
        return None

    def fold(text: str) -> str:
        return text if leaf.case_sensitive else text.lower()

    elements = {fold(str(v).strip(WHITESPACE)) for v in value if v is not None}
    return any(fold(v) in elements for v in leaf.values)


def _count_where(rows: Sequence[Row], where: Condition | None, scope: FieldScope) -> int:
    return sum(1 for r in rows if where is None or matches(where, r, scope))


def _cross_entity(condition: Condition, account: Row, related: RelatedRows) -> bool:
    account_key = account.get("account_key")
    current_persons = [p for p in related.persons if p.get("account_key") == account_key and not p.get("is_deleted")]
    if isinstance(condition, HasPeople):
        return _count_where(current_persons, condition.where, person_scope()) >= condition.min_count
    if isinstance(condition, HasOpportunity):
        opportunities = [
            o for o in related.opportunities if o.get("account_key") == account_key and not o.get("is_deleted")
        ]
        return _count_where(opportunities, condition.where, opportunity_scope()) >= condition.min_count
    if isinstance(condition, HasActivity):
        within_days = condition.within_days or related.default_within_days
        if related.as_of is None or within_days is None:
            raise ValueError("has_activity needs as_of and a window")
        start, end = window_bounds(related.as_of, within_days)
        person_keys = {p.get("person_key") for p in current_persons}
        events = [
            e
            for e in related.events
            if e.get("person_key") in person_keys
            and e.get("activity_type_id") in condition.activity_types
            and start <= e["timestamp"] < end
        ]
        return _count_where(events, condition.where, event_scope()) >= condition.min_count
    raise TypeError(f"not a condition: {condition!r}")
