"""``load_config(config_dir)``: read, validate and cross-check the YAML files (SPEC §4).

All problems of all files are collected and raised together as one ``ConfigError``, each
naming the file, the path inside it, the bad value and what is allowed. Nothing here touches
data: the only database used is an in-memory DuckDB that checks regular expressions.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from buying_groups.config.errors import (
    ConfigError,
    ConfigProblem,
    problems_from_validation_error,
)
from buying_groups.config.journeys import JOURNEYS_FILE, JourneysConfig, journey_problems, without_node_tags
from buying_groups.config.models import (
    AccountAudiencesConfig,
    ActivationConfig,
    EngagementConfig,
    InstanceConfig,
    KpisConfig,
    MembershipOverride,
    ProjectConfig,
    RolesTemplatesConfig,
    SolutionInterestsConfig,
)

# attribute of ProjectConfig -> (file name, model, required?)
CONFIG_FILES: dict[str, tuple[str, type[BaseModel], bool]] = {
    "instance": ("instance.yaml", InstanceConfig, True),
    "account_audiences": ("account_audiences.yaml", AccountAudiencesConfig, True),
    "roles_templates": ("roles_templates.yaml", RolesTemplatesConfig, True),
    "solution_interests": ("solution_interests.yaml", SolutionInterestsConfig, True),
    "engagement": ("engagement.yaml", EngagementConfig, False),
    "activation": ("activation.yaml", ActivationConfig, False),
    "journeys": (JOURNEYS_FILE, JourneysConfig, False),
    "kpis": ("kpis.yaml", KpisConfig, False),
}
OVERRIDES_FILE = "membership_overrides.csv"
OVERRIDE_COLUMNS = ("solution_interest_id", "account_key", "person_key", "action", "role")


# Bounds checked while a YAML file is composed, before anything is built from it. A config
# file is small and shallow; a ~700-byte file of nested aliases (`*name`) expands to hundreds
# of millions of values ("billion laughs"), and 2,000 nested `{not: ...}` blow Python's stack.
MAX_YAML_DEPTH = 64  # nested lists and mappings, aliases expanded
MAX_YAML_VALUES = 200_000  # scalars, lists and mappings, aliases expanded


class YamlLimitError(yaml.MarkedYAMLError):
    """A YAML document over :data:`MAX_YAML_DEPTH` or :data:`MAX_YAML_VALUES`."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that rejects a key repeated in one mapping (PyYAML keeps the last silently)
    and bounds the document's depth and size with aliases expanded (see ``compose_node``)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        # id(node) -> (values, depth) of the node with its aliases expanded; an alias is the
        # same node object as its anchor, so each node is measured once.
        self._measured: dict[int, tuple[int, int]] = {}

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        mark = event.start_mark
        if isinstance(event, yaml.AliasEvent):
            node = super().compose_node(parent, index)
            if id(node) not in self._measured:  # every complete node is measured
                raise YamlLimitError(
                    problem="an alias inside its own anchor (a recursive structure) is not allowed; "
                    "allowed: aliases to complete lists, mappings and values",
                    problem_mark=mark,
                )
            return node
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise YamlLimitError(
                    problem=f"nesting deeper than {MAX_YAML_DEPTH} levels is not allowed; "
                    f"allowed: at most {MAX_YAML_DEPTH} levels of nested lists and mappings",
                    problem_mark=mark,
                )
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        self._measure(node, mark)
        return node

    def _measure(self, node: yaml.Node, mark: yaml.Mark) -> None:
        if isinstance(node, yaml.ScalarNode):
            self._measured[id(node)] = (1, 1)
            return
        children = node.value
        if isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        values = 1 + sum(self._measured[id(child)][0] for child in children)
        depth = 1 + max((self._measured[id(child)][1] for child in children), default=0)
        if values > MAX_YAML_VALUES:
            raise YamlLimitError(
                problem=f"aliases expand this to more than {MAX_YAML_VALUES:,} values, which is not allowed; "
                f"allowed: at most {MAX_YAML_VALUES:,} values with every alias (*name) expanded",
                problem_mark=mark,
            )
        if depth > MAX_YAML_DEPTH:
            raise YamlLimitError(
                problem=f"aliases nest this deeper than {MAX_YAML_DEPTH} levels, which is not allowed; "
                f"allowed: at most {MAX_YAML_DEPTH} levels of nested lists and mappings with every alias expanded",
                problem_mark=mark,
            )
        self._measured[id(node)] = (values, depth)


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
            seen.add(key)
        except TypeError:  # unhashable key: let the normal constructor report it
            duplicate = False
        if duplicate:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark, f"found duplicate key {key!r}", key_node.start_mark
            )
    return loader.construct_mapping(node, deep=True)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_yaml(path: Path, label: str, problems: list[ConfigProblem]) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(ConfigProblem(label, "", f"cannot be read: {exc}"))
        return None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass
    except YamlLimitError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problems.append(ConfigProblem(label, where, str(exc.problem)))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        problems.append(ConfigProblem(label, where, f"YAML syntax error: {what}"))
    except yaml.YAMLError as exc:
        problems.append(ConfigProblem(label, "", f"YAML syntax error: {exc}"))
    return None


def _label(config_dir: Path, name: str) -> str:
    return str(config_dir / name)


def load_config(config_dir: Path) -> ProjectConfig:
    """The validated configuration under ``config_dir``; raises ``ConfigError``."""
    config_dir = Path(config_dir)
    problems: list[ConfigProblem] = []
    if not config_dir.is_dir():
        raise ConfigError([ConfigProblem(str(config_dir), "", "is not a directory")])
    parsed: dict[str, Any] = {}
    for attribute, (name, model, required) in CONFIG_FILES.items():
        path, label = config_dir / name, _label(config_dir, name)
        if not path.is_file():
            if required:
                problems.append(ConfigProblem(label, "", "missing; this file is required"))
            continue
        before = len(problems)
        raw = _read_yaml(path, label, problems)
        if len(problems) > before:
            continue
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            allowed = ", ".join(model.model_fields)
            problems.append(ConfigProblem(label, "", f"{raw!r} is not allowed; expected a mapping of: {allowed}"))
            continue
        try:
            parsed[attribute] = model.model_validate(raw)
        except ValidationError as exc:
            found = problems_from_validation_error(exc, label, model)
            problems.extend(without_node_tags(found) if model is JourneysConfig else found)
    overrides = _read_overrides(config_dir, problems)
    if not problems:
        config = ProjectConfig(config_dir=config_dir, membership_overrides=overrides, **parsed)
        problems.extend(cross_check(config))
        if not problems:
            return config
    elif {"account_audiences", "roles_templates", "solution_interests"} <= parsed.keys():
        # Report cross-file problems together with the others, over the parts that parsed.
        partial = ProjectConfig.model_construct(config_dir=config_dir, membership_overrides=overrides, **parsed)
        problems.extend(cross_check(partial))
    raise ConfigError(problems)


def _duplicates(
    ids: Iterable[str], label: str, path: str, what: str, key: Callable[[str], str] = str
) -> list[ConfigProblem]:
    """A problem for each id whose ``key`` an earlier id already had."""
    problems, first_index = [], {}
    for index, value in enumerate(ids):
        if key(value) in first_index:
            problems.append(
                ConfigProblem(
                    label,
                    path.format(index),
                    f"{value!r} is not allowed; duplicate {what} (first at index {first_index[key(value)]})",
                )
            )
        else:
            first_index[key(value)] = index
    return problems


def _known(values: Iterable[str]) -> str:
    return ", ".join(values) or "(none defined)"


def cross_check(config: ProjectConfig) -> list[ConfigProblem]:
    """Checks that span files: ids unique and references resolvable."""
    directory = config.config_dir or Path(".")
    audiences_file = _label(directory, "account_audiences.yaml")
    templates_file = _label(directory, "roles_templates.yaml")
    interests_file = _label(directory, "solution_interests.yaml")
    problems = _duplicates((a.id for a in config.audiences), audiences_file, "audiences[{}].id", "audience id")
    problems += _duplicates((t.id for t in config.templates), templates_file, "roles_templates[{}].id", "template id")
    for t_index, template in enumerate(config.templates):
        problems += _duplicates(
            (r.role for r in template.roles),
            templates_file,
            f"roles_templates[{t_index}].roles[{{}}].role",
            f"role in template {template.id!r}",
        )
    problems += _duplicates(
        (s.id for s in config.interests), interests_file, "solution_interests[{}].id", "solution interest id"
    )
    exact_duplicates = {p.path for p in problems}
    problems += [
        problem
        for problem in _duplicates(
            (s.id for s in config.interests),
            interests_file,
            "solution_interests[{}].id",
            "solution interest id ignoring case (their folders would be one on a case-insensitive disk)",
            key=str.casefold,
        )
        if problem.path not in exact_duplicates
    ]
    audience_ids = [a.id for a in config.audiences]
    template_ids = [t.id for t in config.templates]
    for index, interest in enumerate(config.interests):
        here = f"solution_interests[{index}]"
        if interest.account_audience not in audience_ids:
            problems.append(
                ConfigProblem(
                    interests_file,
                    f"{here}.account_audience",
                    f"{interest.account_audience!r} is not allowed; no such audience in "
                    f"account_audiences.yaml; allowed: {_known(audience_ids)}",
                )
            )
        if interest.roles_template not in template_ids:
            problems.append(
                ConfigProblem(
                    interests_file,
                    f"{here}.roles_template",
                    f"{interest.roles_template!r} is not allowed; no such template in "
                    f"roles_templates.yaml; allowed: {_known(template_ids)}",
                )
            )
            continue
        roles = [r.role for r in config.template(interest.roles_template).roles]
        for crm_role, role in interest.crm_role_map.items():
            if role not in roles:
                problems.append(
                    ConfigProblem(
                        interests_file,
                        f"{here}.crm_role_map.{crm_role}",
                        f"{role!r} is not allowed; not a role of template "
                        f"{interest.roles_template!r}; allowed: {_known(roles)}",
                    )
                )
    interest_ids = [s.id for s in config.interests]
    targets = config.activation.linkedin.solution_interests or []
    for index, target in enumerate(targets):
        if target not in interest_ids:
            problems.append(
                ConfigProblem(
                    _label(directory, "activation.yaml"),
                    f"linkedin.solution_interests[{index}]",
                    f"{target!r} is not allowed; no such solution interest; allowed: {_known(interest_ids)}",
                )
            )
    problems += journey_problems(config, _label(directory, JOURNEYS_FILE))
    problems += _lead_sources_used_twice(config, _label(directory, "kpis.yaml"))
    overrides_file = _label(directory, OVERRIDES_FILE)
    for override in config.membership_overrides:
        here = f"line {override.line_number}"
        if override.solution_interest_id not in interest_ids:
            problems.append(
                ConfigProblem(
                    overrides_file,
                    f"{here}.solution_interest_id",
                    f"{override.solution_interest_id!r} is not allowed; no such solution interest; "
                    f"allowed: {_known(interest_ids)}",
                )
            )
            continue
        interest = config.solution_interest(override.solution_interest_id)
        if interest.roles_template not in template_ids:
            continue
        roles = [r.role for r in config.template(interest.roles_template).roles]
        if override.action == "add" and not override.role:
            problems.append(
                ConfigProblem(overrides_file, f"{here}.role", f"missing; an add needs a role; allowed: {_known(roles)}")
            )
        elif override.role and override.role.casefold() not in {r.casefold() for r in roles}:
            # Case-insensitive like the scoring SQL: the CSV is typed by hand.
            problems.append(
                ConfigProblem(
                    overrides_file,
                    f"{here}.role",
                    f"{override.role!r} is not allowed; not a role of template "
                    f"{interest.roles_template!r}; allowed: {_known(roles)}",
                )
            )
    return problems


def _lead_sources_used_twice(config: ProjectConfig, label: str) -> list[ConfigProblem]:
    """A lead source belongs to one platform at most: its leads would be counted twice."""
    problems, owner = [], {}
    for platform, settings in config.kpis.platforms.items():
        for index, source in enumerate(settings.lead_sources):
            key = source.strip().casefold()
            if key in owner and owner[key] != platform:
                problems.append(
                    ConfigProblem(
                        label,
                        f"platforms.{platform}.lead_sources[{index}]",
                        f"{source!r} is not allowed; already a lead source of platform {owner[key]!r} "
                        "(a lead counts for one platform)",
                    )
                )
            owner.setdefault(key, platform)
    return problems


def _read_overrides(config_dir: Path, problems: list[ConfigProblem]) -> list[MembershipOverride]:
    """Rows of the optional ``membership_overrides.csv``; cells are trimmed, ``action``
    lower-cased, an empty ``role`` is None, blank lines are skipped."""
    path = config_dir / OVERRIDES_FILE
    label = _label(config_dir, OVERRIDES_FILE)
    if not path.is_file():
        return []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header: Sequence[str] = [h.strip() for h in (reader.fieldnames or [])]
            reader.fieldnames = list(header)
            unknown = [h for h in header if h not in OVERRIDE_COLUMNS]
            missing = [c for c in OVERRIDE_COLUMNS if c not in header]
            if header and (unknown or missing):
                for name in unknown:
                    problems.append(
                        ConfigProblem(
                            label, "line 1", f"unknown column {name!r}; allowed: {', '.join(OVERRIDE_COLUMNS)}"
                        )
                    )
                for name in missing:
                    problems.append(
                        ConfigProblem(
                            label, "line 1", f"missing column {name!r}; required: {', '.join(OVERRIDE_COLUMNS)}"
                        )
                    )
                return []
            overrides = []
            for row in reader:
                line = reader.line_num
                if extra := row.pop(None, None):  # type: ignore[call-overload]
                    problems.append(
                        ConfigProblem(
                            label,
                            f"line {line}",
                            f"{extra!r} is not allowed; more cells than the {len(OVERRIDE_COLUMNS)} columns",
                        )
                    )
                    continue
                cells = {k: (v or "").strip() for k, v in row.items()}
                if not any(cells.values()):
                    continue
                cells["action"] = cells["action"].lower()
                values: dict[str, Any] = {**cells, "role": cells["role"] or None, "line_number": line}
                try:
                    overrides.append(MembershipOverride.model_validate(values))
                except ValidationError as exc:
                    problems.extend(
                        problems_from_validation_error(exc, label, MembershipOverride, prefix=f"line {line}")
                    )
            return overrides
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        problems.append(ConfigProblem(label, "", f"cannot be read as CSV: {exc}"))
        return []
