"""``ConfigError`` and the translation of pydantic errors into file + path + value + allowed.

Every problem reads ``<file>: <path>: <what is wrong>; allowed: <what is allowed>``, e.g.
``config/roles_templates.yaml: roles_templates[0].roles[1].weight: 'Huge' is not allowed;
allowed: Trivial, Minor, Normal, Important, Vital``.
"""

from __future__ import annotations

import types
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError


@dataclass(frozen=True)
class ConfigProblem:
    file: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.message}" if self.path else f"{self.file}: {self.message}"


class ConfigError(Exception):
    """A configuration that cannot be used; ``problems`` lists every problem found."""

    def __init__(self, problems: Sequence[ConfigProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def format_path(loc: Sequence[Any]) -> str:
    """``('roles_templates', 0, 'roles', 2, 'weight')`` becomes
    ``roles_templates[0].roles[2].weight``."""
    path = ""
    for item in loc:
        if isinstance(item, int):
            path += f"[{item}]"
        elif item == "[key]":
            path += " (key)"
        else:
            path += f".{item}" if path else str(item)
    return path


def join_path(base: str, inner: str) -> str:
    if not inner:
        return base
    if not base or inner.startswith("["):
        return base + inner
    return f"{base}.{inner}"


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            candidates = [a for a in get_args(annotation) if a is not type(None)]
            models = [a for a in candidates if isinstance(a, type) and issubclass(a, BaseModel)]
            annotation = (models or candidates)[0]
        else:
            return annotation


def _model_at(root: type[BaseModel], loc: Sequence[Any]) -> type[BaseModel] | None:
    """The model class whose fields live at ``loc`` (to list them for an unknown field)."""
    current: Any = root
    for item in loc:
        current = _unwrap(current)
        origin = get_origin(current)
        if isinstance(item, int) and origin in (list, tuple):
            current = get_args(current)[0]
        elif origin is dict:
            current = get_args(current)[1]
        elif isinstance(current, type) and issubclass(current, BaseModel) and isinstance(item, str):
            field = current.model_fields.get(item)
            if field is None:
                return None
            current = field.annotation
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def problems_from_validation_error(
    error: ValidationError, file: str, model: type[BaseModel], prefix: str = ""
) -> list[ConfigProblem]:
    """One ``ConfigProblem`` per pydantic error (per condition issue for conditions)."""
    problems = []
    for item in error.errors():
        loc = item["loc"]
        path = join_path(prefix, format_path(loc))
        ctx = item.get("ctx") or {}
        kind = item["type"]
        if kind == "condition":
            for inner_path, message in ctx["issues"]:
                problems.append(ConfigProblem(file, join_path(path, inner_path), message))
            continue
        if kind == "not_allowed":
            message = item["msg"]
        elif kind == "extra_forbidden":
            owner = _model_at(model, loc[:-1])
            allowed = ", ".join(owner.model_fields) if owner else "see the documentation"
            message = f"unknown field {loc[-1]!r}; allowed: {allowed}"
        elif kind == "missing":
            message = "missing; this field is required"
        elif kind in ("literal_error", "enum"):
            message = f"{item['input']!r} is not allowed; allowed: {ctx.get('expected', '')}"
        else:
            message = f"{item['input']!r} is not allowed; {item['msg']}"
        problems.append(ConfigProblem(file, path, message))
    return problems
