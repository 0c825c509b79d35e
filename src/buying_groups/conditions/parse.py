"""Parse a condition from its YAML form into the tree of ``model.py``, collecting every problem.

Each problem names its path inside the condition (``all[1].value``), the bad value and what is
allowed, so the configuration loader can report it against the file and YAML path.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from functools import cache
from typing import Any

import duckdb

from buying_groups.conditions.model import (
    LIST_OPS,
    LIST_OR_SCALAR_OPS,
    OPS,
    OPS_BY_KIND,
    WHITESPACE,
    AllOf,
    AnyOf,
    Condition,
    ConditionError,
    ConditionIssue,
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
)

LEAF_KEYS = ("field", "op", "value", "case_sensitive")
COMBINATOR_KEYS = ("all", "any", "not")
CROSS_ENTITY_KEYS = ("has_people", "has_activity", "has_opportunity")
_CROSS_ENTITY_ARGS = {
    "has_people": ("where", "min_count"),
    "has_activity": ("activity_types", "within_days", "min_count", "where"),
    "has_opportunity": ("where", "min_count"),
}


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _allowed(values: Any) -> str:
    return ", ".join(str(v) for v in values)


@cache
def regex_error(pattern: str) -> str | None:
    """Why ``pattern`` is not usable by both Python ``re`` and DuckDB (RE2), or None."""
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"not a valid regular expression ({exc})"
    try:
        with duckdb.connect() as con:
            con.execute("SELECT regexp_matches('', $pattern)", {"pattern": pattern})
    except duckdb.Error as exc:
        return f"not accepted by DuckDB's RE2 regular expressions ({exc})"
    return None


def parse_condition(raw: Any, scope: FieldScope) -> Condition:
    """The condition ``raw`` (a YAML mapping) over ``scope``; raises ``ConditionError``."""
    issues: list[ConditionIssue] = []
    condition = _parse(raw, scope, "", issues)
    if issues or condition is None:
        raise ConditionError(issues or [ConditionIssue("", "empty condition")])
    return condition


def _parse(raw: Any, scope: FieldScope, path: str, issues: list[ConditionIssue]) -> Condition | None:
    node_keys = COMBINATOR_KEYS + (CROSS_ENTITY_KEYS if scope.cross_entity else ())
    if not isinstance(raw, dict):
        issues.append(
            ConditionIssue(
                path, f"{raw!r} is not a condition; expected a mapping with one of: {_allowed(('field', *node_keys))}"
            )
        )
        return None
    if "field" in raw or "op" in raw:
        return _parse_leaf(raw, scope, path, issues)
    if len(raw) != 1:
        issues.append(
            ConditionIssue(
                path, f"a condition has exactly one of: {_allowed(('field', *node_keys))}; got {_allowed(raw)}"
            )
        )
        return None
    ((key, body),) = raw.items()
    here = _join(path, str(key))
    if key in ("all", "any"):
        if not isinstance(body, list) or not body:
            issues.append(ConditionIssue(here, f"{body!r} is not allowed; {key} needs a non-empty list of conditions"))
            return None
        items = [_parse(item, scope, f"{here}[{i}]", issues) for i, item in enumerate(body)]
        if any(item is None for item in items):
            return None
        return (AllOf if key == "all" else AnyOf)(tuple(items))  # type: ignore[arg-type]
    if key == "not":
        item = _parse(body, scope, here, issues)
        return Not(item) if item is not None else None
    if key in CROSS_ENTITY_KEYS and scope.cross_entity:
        return _parse_cross_entity(key, body, here, issues)
    note = f" in a {scope.entity} condition" if key in CROSS_ENTITY_KEYS else ""
    issues.append(ConditionIssue(here, f"{key!r} is not allowed{note}; allowed: {_allowed(('field', *node_keys))}"))
    return None


def _count(body: dict[str, Any], key: str, path: str, issues: list[ConditionIssue], default: int | None) -> int | None:
    value = body.get(key, default)
    if value is None and default is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        issues.append(ConditionIssue(_join(path, key), f"{value!r} is not allowed; allowed: a whole number >= 1"))
        return None
    return value


def _parse_cross_entity(key: str, body: Any, path: str, issues: list[ConditionIssue]) -> Condition | None:
    allowed_args = _CROSS_ENTITY_ARGS[key]
    if body is None:
        body = {}
    if not isinstance(body, dict):
        issues.append(ConditionIssue(path, f"{body!r} is not allowed; expected a mapping of: {_allowed(allowed_args)}"))
        return None
    before = len(issues)
    for unknown in (k for k in body if k not in allowed_args):
        issues.append(
            ConditionIssue(_join(path, str(unknown)), f"unknown field {unknown!r}; allowed: {_allowed(allowed_args)}")
        )
    where_scope = {"has_people": person_scope, "has_activity": event_scope, "has_opportunity": opportunity_scope}[key]()
    where = None
    if body.get("where") is not None:
        where = _parse(body["where"], where_scope, _join(path, "where"), issues)
    min_count = _count(body, "min_count", path, issues, 1)
    if key == "has_activity":
        types = body.get("activity_types")
        if (
            not isinstance(types, list)
            or not types
            or any(isinstance(t, bool) or not isinstance(t, int) or t < 0 for t in types)
        ):
            issues.append(
                ConditionIssue(
                    _join(path, "activity_types"),
                    f"{types!r} is not allowed; allowed: a non-empty list of activity type ids (whole numbers >= 0)",
                )
            )
            types = []
        within_days = _count(body, "within_days", path, issues, None)
        if len(issues) > before:
            return None
        return HasActivity(tuple(types), within_days, min_count or 1, where)
    if len(issues) > before:
        return None
    cls = HasPeople if key == "has_people" else HasOpportunity
    return cls(where, min_count or 1)


def _parse_leaf(raw: dict[str, Any], scope: FieldScope, path: str, issues: list[ConditionIssue]) -> Leaf | None:
    before = len(issues)
    for unknown in (k for k in raw if k not in LEAF_KEYS):
        issues.append(
            ConditionIssue(_join(path, str(unknown)), f"unknown field {unknown!r}; allowed: {_allowed(LEAF_KEYS)}")
        )
    name, op = raw.get("field"), raw.get("op")
    kind = scope.fields.get(name) if isinstance(name, str) else None
    if kind is None:
        issues.append(
            ConditionIssue(
                _join(path, "field"), f"{name!r} is not a field of {scope.entity}; allowed: {_allowed(scope.fields)}"
            )
        )
    if op not in OPS:
        issues.append(ConditionIssue(_join(path, "op"), f"{op!r} is not allowed; allowed: {_allowed(OPS)}"))
    elif kind is not None and op not in OPS_BY_KIND[kind]:
        issues.append(
            ConditionIssue(
                _join(path, "op"),
                f"{op!r} does not apply to {name} ({kind} field); allowed: {_allowed(OPS_BY_KIND[kind])}",
            )
        )
    case_sensitive = raw.get("case_sensitive", False)
    if not isinstance(case_sensitive, bool):
        issues.append(
            ConditionIssue(_join(path, "case_sensitive"), f"{case_sensitive!r} is not allowed; allowed: true, false")
        )
    if len(issues) > before or kind is None:
        return None
    values = _parse_values(raw, op, kind, _join(path, "value"), issues)
    if values is None:
        return None
    return Leaf(name, op, values, case_sensitive)


def _parse_values(
    raw: dict[str, Any], op: str, kind: FieldKind, path: str, issues: list[ConditionIssue]
) -> tuple[Any, ...] | None:
    value = raw.get("value")
    if op in ("is_empty", "is_not_empty"):
        if value is not None:
            issues.append(ConditionIssue(path, f"{value!r} is not allowed; {op} takes no value"))
            return None
        return ()
    if "value" not in raw or value is None:
        issues.append(ConditionIssue(path, f"missing; {op} needs {_shape(op, kind)}"))
        return None
    if op == "matches":
        if not isinstance(value, str) or not value:
            issues.append(
                ConditionIssue(
                    path, f"{value!r} is not allowed; matches needs a regular expression (a non-empty string)"
                )
            )
            return None
        error = regex_error(value)
        if error:
            issues.append(ConditionIssue(path, f"{value!r} is {error}"))
            return None
        return (value,)
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            issues.append(ConditionIssue(path, f"{value!r} is not allowed; between needs [low, high] ({kind} values)"))
            return None
    elif op in LIST_OPS:
        if not isinstance(value, list) or not value:
            issues.append(
                ConditionIssue(path, f"{value!r} is not allowed; {op} needs a non-empty list of {kind} values")
            )
            return None
    elif isinstance(value, list) and (op not in LIST_OR_SCALAR_OPS or not value):
        issues.append(ConditionIssue(path, f"{value!r} is not allowed; {op} needs {_shape(op, kind)}"))
        return None
    items = value if isinstance(value, list) else [value]
    converted = []
    for index, item in enumerate(items):
        item_path = f"{path}[{index}]" if isinstance(value, list) else path
        try:
            converted.append(_scalar(item, kind))
        except ValueError as exc:
            issues.append(ConditionIssue(item_path, f"{item!r} is not allowed; {exc}"))
    if len(converted) != len(items):
        return None
    if op == "between" and converted[0] > converted[1]:
        issues.append(ConditionIssue(path, f"{value!r} is not allowed; between needs [low, high] with low <= high"))
        return None
    return tuple(converted)


def _shape(op: str, kind: FieldKind) -> str:
    if op == "between":
        return f"[low, high] ({kind} values)"
    if op in LIST_OPS:
        return f"a non-empty list of {kind} values"
    if op in LIST_OR_SCALAR_OPS:
        return f"a {kind} value or a non-empty list of them (any of)"
    return f"one {kind} value"


def _scalar(value: Any, kind: FieldKind) -> Any:
    """``value`` as the Python type compared with a ``kind`` field; ValueError says why not."""
    if kind in (FieldKind.TEXT, FieldKind.TEXT_LIST):
        if isinstance(value, bool):
            raise ValueError("expected a text value (quote it: YAML reads yes/no/on/off/true/false as booleans)")
        if not isinstance(value, str | int | float):
            raise ValueError("expected a text value")
        text = str(value).strip(WHITESPACE)
        if not text:
            raise ValueError("an empty text value matches nothing; use op is_empty")
        return text
    if kind in (FieldKind.INTEGER, FieldKind.NUMBER):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (isinstance(value, float) and not math.isfinite(value))
        ):
            raise ValueError("expected a number")
        return value
    if kind is FieldKind.BOOLEAN:
        if not isinstance(value, bool):
            raise ValueError("expected true or false")
        return value
    if kind is FieldKind.DATE:
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError("expected a date YYYY-MM-DD") from None
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        raise ValueError("expected a date YYYY-MM-DD")
    # TIMESTAMP: naive UTC wall-clock, like the stored values.
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("expected an ISO-8601 date or timestamp") from None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    raise ValueError("expected an ISO-8601 date or timestamp")
