"""Configuration loading: the example config, defaults, and one clear error per kind of mistake."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from buying_groups.conditions import HasPeople, Leaf
from buying_groups.config import (
    ConfigError,
    ProjectConfig,
    RoleWeight,
    load_config,
)
from tests.conftest import REPO, run_command

EXAMPLE = Path(__file__).resolve().parents[1] / "config"


def edit_yaml(path: Path, change: object) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def errors(config_dir: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(config_dir)
    return str(info.value)


def test_example_config_loads() -> None:
    config = load_config(EXAMPLE)
    assert isinstance(config, ProjectConfig)
    assert config.munchkin_id == "123-ABC-456"
    assert config.instance.max_rejected_share == 0.05
    assert [a.id for a in config.audiences] == ["enterprise-agtech", "midmarket-software"]
    template = config.template("core-committee")
    assert [r.role for r in template.roles] == ["Decision Maker", "Influencer", "Champion", "Other"]
    assert [int(r.weight) for r in template.roles] == [100, 80, 60, 20]
    assert template.roles[0].weight is RoleWeight.Vital
    assert [r.required for r in template.roles] == [True, True, True, False]
    assert template.roles[1].members_required == 2 and template.roles[2].members_required == 1
    assert template.roles[3].conditions is None
    assert isinstance(template.roles[0].conditions, Leaf)
    audience = config.audience("enterprise-agtech").conditions
    assert isinstance(audience.items[2], HasPeople)  # type: ignore[union-attr]
    interest = config.solution_interest("ai-driven-seeds")
    assert interest.require_interest is False
    assert config.signal_within_days(interest.interest_signals[0]) == 30
    assert config.engagement.weights == {1: 40, 2: 40, 3: 40, 10: 30, 11: 30, 46: 60}
    assert config.activation.linkedin.max_rows_per_file == 300_000
    assert [s.id for s in config.linkedin_targets()] == ["ai-driven-seeds", "cloud-analytics"]
    assert config.membership_overrides == []
    config.model_dump()  # serialisable (conditions dump to their YAML form)


def test_defaults_when_optional_files_and_fields_are_absent(config_dir: Path) -> None:
    for name in ("engagement.yaml", "activation.yaml", "membership_overrides.csv"):
        (config_dir / name).unlink()
    (config_dir / "instance.yaml").write_text('munchkin_id: "123-ABC-456"\n')
    edit_yaml(config_dir / "solution_interests.yaml", lambda d: d["solution_interests"][0].pop("qualification"))
    config = load_config(config_dir)
    assert config.engagement.window_days == 30 and config.engagement.daily_cap == 20
    assert config.engagement.weights[46] == 60
    assert config.activation.linkedin.hash_emails is False
    assert config.activation.linkedin.min_rows == 300
    assert config.activation.linkedin.max_bytes_per_file == 20_000_000
    qualification = config.qualification_for(config.interests[0])
    assert (qualification.min_completeness, qualification.min_engagement) == (70, 30)


def test_bad_weight_message_names_file_path_value_and_allowed(config_dir: Path) -> None:
    edit_yaml(config_dir / "roles_templates.yaml", lambda d: d["roles_templates"][0]["roles"][1].update(weight="Huge"))
    assert errors(config_dir) == (
        f"{config_dir / 'roles_templates.yaml'}: roles_templates[0].roles[1].weight: "
        "'Huge' is not allowed; allowed: Trivial, Minor, Normal, Important, Vital"
    )


def test_unknown_field_lists_allowed_fields(config_dir: Path) -> None:
    edit_yaml(
        config_dir / "roles_templates.yaml", lambda d: d["roles_templates"][0]["roles"][0].update(member_required=2)
    )
    message = errors(config_dir)
    assert "roles_templates[0].roles[0].member_required: unknown field 'member_required'" in message
    assert "allowed: role, weight, required, members_required, conditions" in message


def test_all_errors_of_a_file_are_collected(config_dir: Path) -> None:
    def break_it(d: dict) -> None:
        d["roles_templates"][0]["roles"][0]["members_required"] = 0
        d["roles_templates"][1]["roles"][1]["weight"] = "Big"
        d["roles_templates"][1]["roles"][2]["conditions"] = {"field": "title", "op": "equals", "value": "x"}

    edit_yaml(config_dir / "roles_templates.yaml", break_it)
    lines = errors(config_dir).splitlines()
    assert len(lines) == 3
    assert "roles_templates[0].roles[0].members_required: 0 is not allowed" in lines[0]
    assert "roles_templates[1].roles[1].weight: 'Big' is not allowed" in lines[1]
    assert (
        "roles_templates[1].roles[2].conditions.field: 'title' is not a field of persons; "
        "allowed: person_key, account_key" in lines[2]
    )


@pytest.mark.parametrize(
    ("condition", "path", "message"),
    [
        (
            {"field": "industry", "op": "like", "value": "x"},
            "conditions.op",
            "'like' is not allowed; allowed: equals, not_equals, in",
        ),
        (
            {"field": "industri", "op": "is_empty"},
            "conditions.field",
            "'industri' is not a field of accounts; allowed: account_key",
        ),
        (
            {"all": [{"field": "employee_count", "op": "between", "value": 5}]},
            "conditions.all[0].value",
            "5 is not allowed; between needs [low, high]",
        ),
        (
            {"field": "industry", "op": "in", "value": "Software"},
            "conditions.value",
            "'Software' is not allowed; in needs a non-empty list",
        ),
        (
            {"field": "industry", "op": "is_empty", "value": "x"},
            "conditions.value",
            "'x' is not allowed; is_empty takes no value",
        ),
        (
            {"field": "industry", "op": "matches", "value": "(?<=x)y"},
            "conditions.value",
            "'(?<=x)y' is not accepted by DuckDB's RE2",
        ),
        (
            {"field": "industry", "op": "matches", "value": "[a-"},
            "conditions.value",
            "'[a-' is not a valid regular expression",
        ),
        (
            {"has_activity": {"activity_types": [], "within_days": 0}},
            "conditions.has_activity.activity_types",
            "[] is not allowed; allowed: a non-empty list of activity type ids",
        ),
        (
            {"has_people": {"where": {"field": "industry", "op": "is_empty"}}},
            "conditions.has_people.where.field",
            "'industry' is not a field of persons",
        ),
        (
            {"has_opportunity": {"where": {"field": "stage", "op": "equals", "value": "Won"}, "min_count": 0}},
            "conditions.has_opportunity.min_count",
            "0 is not allowed; allowed: a whole number >= 1",
        ),
    ],
)
def test_condition_errors_have_full_paths(config_dir: Path, condition: dict, path: str, message: str) -> None:
    edit_yaml(config_dir / "account_audiences.yaml", lambda d: d["audiences"][1].update(conditions=condition))
    text = errors(config_dir)
    assert f"{config_dir / 'account_audiences.yaml'}: audiences[1].{path}: {message}" in text


def test_yaml_syntax_error_names_the_line(config_dir: Path) -> None:
    (config_dir / "engagement.yaml").write_text("window_days: 30\nweights: {1: 40, 2: [\n")
    message = errors(config_dir)
    assert f"{config_dir / 'engagement.yaml'}: line 3, column 1: YAML syntax error" in message


def test_duplicate_yaml_key_is_an_error(config_dir: Path) -> None:
    (config_dir / "engagement.yaml").write_text("window_days: 30\nwindow_days: 60\n")
    assert "found duplicate key 'window_days'" in errors(config_dir)


def test_missing_required_file_and_field(config_dir: Path) -> None:
    (config_dir / "roles_templates.yaml").unlink()
    (config_dir / "instance.yaml").write_text("qualification: {min_completeness: 50}\n")
    message = errors(config_dir)
    assert f"{config_dir / 'roles_templates.yaml'}: missing; this file is required" in message
    assert f"{config_dir / 'instance.yaml'}: munchkin_id: missing" in message


def test_duplicate_ids_and_role_names(config_dir: Path) -> None:
    edit_yaml(config_dir / "account_audiences.yaml", lambda d: d["audiences"][1].update(id="enterprise-agtech"))
    edit_yaml(
        config_dir / "roles_templates.yaml", lambda d: d["roles_templates"][1]["roles"][2].update(role="Evaluator")
    )
    message = errors(config_dir)
    assert "audiences[1].id: 'enterprise-agtech' is not allowed; duplicate audience id" in message
    assert (
        "roles_templates[1].roles[2].role: 'Evaluator' is not allowed; duplicate role in template 'it-evaluation'"
    ) in message


def test_more_than_20_roles(config_dir: Path) -> None:
    roles = [{"role": f"R{i}", "weight": "Minor"} for i in range(21)]
    edit_yaml(config_dir / "roles_templates.yaml", lambda d: d["roles_templates"][1].update(roles=roles))
    assert "roles_templates[1].roles: 21 roles is not allowed; allowed: at most 20" in errors(config_dir)


def test_cross_file_references(config_dir: Path) -> None:
    def break_it(d: dict) -> None:
        d["solution_interests"][0]["roles_template"] = "nope"
        d["solution_interests"][1]["account_audience"] = "missing-audience"
        d["solution_interests"][1]["crm_role_map"]["Economic Buyer"] = "Decider"

    edit_yaml(config_dir / "solution_interests.yaml", break_it)
    message = errors(config_dir)
    assert (
        "solution_interests[0].roles_template: 'nope' is not allowed; no such template in "
        "roles_templates.yaml; allowed: core-committee, it-evaluation"
    ) in message
    assert (
        "solution_interests[1].account_audience: 'missing-audience' is not allowed; no such "
        "audience in account_audiences.yaml; allowed: enterprise-agtech, "
        "midmarket-software"
    ) in message
    assert (
        "solution_interests[1].crm_role_map.Economic Buyer: 'Decider' is not allowed; not a "
        "role of template 'it-evaluation'; allowed: Technical Buyer, Evaluator, "
        "End User"
    ) in message


def test_duplicate_solution_interest_and_unknown_linkedin_target(config_dir: Path) -> None:
    edit_yaml(config_dir / "solution_interests.yaml", lambda d: d["solution_interests"][1].update(id="ai-driven-seeds"))
    (config_dir / "activation.yaml").write_text("linkedin: {solution_interests: [nope]}\n")
    message = errors(config_dir)
    assert "solution_interests[1].id: 'ai-driven-seeds' is not allowed; duplicate" in message
    assert "linkedin.solution_interests[0]: 'nope' is not allowed" in message


def test_interest_signal_defaults_and_errors(config_dir: Path) -> None:
    edit_yaml(
        config_dir / "solution_interests.yaml",
        lambda d: d["solution_interests"][0]["interest_signals"].append(
            {"activity_types": ["x"], "where": {"field": "job_title", "op": "is_empty"}}
        ),
    )
    message = errors(config_dir)
    assert "solution_interests[0].interest_signals[1].activity_types[0]: 'x' is not allowed" in message
    assert (
        "solution_interests[0].interest_signals[1].where.field: 'job_title' is not a field of experience_events"
    ) in message


def test_engagement_and_activation_values(config_dir: Path) -> None:
    (config_dir / "engagement.yaml").write_text("window_days: 0\nweights: {1: -5}\n")
    (config_dir / "activation.yaml").write_text("linkedin: {hash_emails: maybe, target: x}\n")
    message = errors(config_dir)
    assert "engagement.yaml: window_days: 0 is not allowed" in message
    assert "engagement.yaml: weights[1]: -5 is not allowed" in message
    assert "activation.yaml: linkedin.hash_emails: 'maybe' is not allowed" in message
    assert (
        "activation.yaml: linkedin.target: unknown field 'target'; allowed: hash_emails, "
        "solution_interests, max_rows_per_file" in message
    )


def test_membership_overrides(config_dir: Path) -> None:
    (config_dir / "membership_overrides.csv").write_text(
        "solution_interest_id,account_key,person_key,action,role\n"
        "ai-driven-seeds,1.mkto_org@123-ABC-456.Marketo,7@123-ABC-456.Marketo,ADD ,champion\n"
        "\n"
        "ai-driven-seeds,1.mkto_org@123-ABC-456.Marketo,8@123-ABC-456.Marketo,remove,\n"
    )
    overrides = load_config(config_dir).membership_overrides
    assert [(o.action, o.role, o.line_number) for o in overrides] == [("add", "champion", 2), ("remove", None, 4)]


def test_membership_override_errors(config_dir: Path) -> None:
    path = config_dir / "membership_overrides.csv"
    path.write_text(
        "solution_interest_id,account_key,person_key,action,role\n"
        "ai-driven-seeds,a,p,delete,Champion\n"
        "unknown-si,a,p,add,Champion\n"
        "ai-driven-seeds,a,p,add,Janitor\n"
        "ai-driven-seeds,a,p,add,\n"
    )
    message = errors(config_dir)
    label = str(path)
    assert f"{label}: line 2.action: 'delete' is not allowed; allowed: 'add' or 'remove'" in message
    assert (
        f"{label}: line 3.solution_interest_id: 'unknown-si' is not allowed; no such "
        "solution interest; allowed: ai-driven-seeds, cloud-analytics"
    ) in message
    assert f"{label}: line 4.role: 'Janitor' is not allowed; not a role of template" in message
    assert f"{label}: line 5.role: missing; an add needs a role" in message
    path.write_text("solution_interest_id,account,person_key,action,role\n")
    message = errors(config_dir)
    assert "unknown column 'account'" in message and "missing column 'account_key'" in message


# --- YAML that would hang or crash the loader: bounded at load, exit 2 fast ------------------


def alias_bomb() -> str:
    """Nine levels of nine aliases: ~350 bytes that expand to 9**9 (387 million) strings."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    return "\n".join([*lines, "audiences: []", ""])


def deep_not(levels: int) -> str:
    leaf = "{field: industry, op: is_empty}"
    return f"audiences:\n  - id: deep\n    name: Deep\n    conditions: {'{not: ' * levels}{leaf}{'}' * levels}\n"


def run_cli(config_dir: Path, tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    (tmp_path / "landing").mkdir(exist_ok=True)  # an empty landing zone: only the config is wrong
    started = time.monotonic()
    done = subprocess.run(
        run_command(tmp_path / "landing", tmp_path / "warehouse.duckdb", tmp_path / "output", config=config_dir),
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "DAGSTER_HOME": ""},
        timeout=60,
    )
    return done, time.monotonic() - started


@pytest.mark.parametrize(
    ("document", "where", "message"),
    [
        pytest.param(
            alias_bomb(),
            "line 6, column 4",  # 9**6 values: the first list over the bound
            "aliases expand this to more than 200,000 values, which is not allowed; "
            "allowed: at most 200,000 values with every alias (*name) expanded",
            id="alias-bomb",
        ),
        pytest.param(
            deep_not(2000),
            "line 4, column 378",
            "nesting deeper than 64 levels is not allowed; allowed: at most 64 levels of nested lists and mappings",
            id="not-2000-deep",
        ),
    ],
)
def test_cli_refuses_a_yaml_bomb_fast_with_exit_2(
    config_dir: Path, tmp_path: Path, document: str, where: str, message: str
) -> None:
    (config_dir / "account_audiences.yaml").write_text(document)
    done, elapsed = run_cli(config_dir, tmp_path)
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.splitlines() == [f"error: {config_dir / 'account_audiences.yaml'}: {where}: {message}"]
    assert elapsed < 30
    assert not (tmp_path / "warehouse.duckdb").exists()  # nothing touched


def test_aliases_may_not_nest_deeper_than_the_limit_either(config_dir: Path) -> None:
    # Each audience's condition is {not: <the previous one>}: shallow YAML, deep conditions.
    lines = ["audiences:", "  - {id: a0, name: A, conditions: &c0 {field: industry, op: is_empty}}"]
    lines += [f"  - {{id: a{i}, name: A, conditions: &c{i} {{not: *c{i - 1}}}}}" for i in range(1, 80)]
    (config_dir / "account_audiences.yaml").write_text("\n".join(lines) + "\n")
    assert "aliases nest this deeper than 64 levels, which is not allowed" in errors(config_dir)


def test_a_recursive_alias_is_refused(config_dir: Path) -> None:
    (config_dir / "account_audiences.yaml").write_text("audiences:\n  - &r {id: x, name: x, conditions: {not: *r}}\n")
    assert errors(config_dir) == (
        f"{config_dir / 'account_audiences.yaml'}: line 2, column 43: an alias inside its own anchor "
        "(a recursive structure) is not allowed; allowed: aliases to complete lists, mappings and values"
    )


def test_shared_conditions_through_aliases_still_load(config_dir: Path) -> None:
    (config_dir / "account_audiences.yaml").write_text(
        "audiences:\n"
        "  - {id: enterprise-agtech, name: A, conditions: &big {field: employee_count, op: gte, value: 500}}\n"
        "  - {id: midmarket-software, name: B, conditions: {all: [*big, {field: industry, op: is_not_empty}]}}\n"
    )
    assert [a.id for a in load_config(config_dir).audiences] == ["enterprise-agtech", "midmarket-software"]


# --- ids name folders and files: checked at load ---------------------------------------------


@pytest.mark.parametrize("bad_id", ["a..b", "a/b", "../etc", "x.", ".hidden", "-x", "a b", "tab\there", "a" * 101])
@pytest.mark.parametrize(
    ("file", "path"),
    [
        ("solution_interests.yaml", ("solution_interests", 0, "id")),
        ("account_audiences.yaml", ("audiences", 0, "id")),
        ("roles_templates.yaml", ("roles_templates", 0, "id")),
    ],
)
def test_an_id_that_cannot_name_a_folder_is_refused_at_load(
    config_dir: Path, bad_id: str, file: str, path: tuple[str, int, str]
) -> None:
    edit_yaml(config_dir / file, lambda d: d[path[0]][path[1]].update({path[2]: bad_id}))
    message = errors(config_dir)
    assert (
        f"{config_dir / file}: {path[0]}[0].id: {bad_id!r} is not allowed; allowed: letters, digits, '_', '-' "
        "and a single '.' between them, starting with a letter or digit, at most 100 characters "
        "(ids name folders and files)"
    ) in message.splitlines()


def test_solution_interest_ids_differing_only_in_case_are_refused(config_dir: Path) -> None:
    edit_yaml(config_dir / "solution_interests.yaml", lambda d: d["solution_interests"][1].update(id="AI-Driven-Seeds"))
    assert (
        "solution_interests[1].id: 'AI-Driven-Seeds' is not allowed; duplicate solution interest id ignoring case"
    ) in errors(config_dir)


def test_cli_refuses_a_solution_interest_id_with_dot_dot_before_touching_data(config_dir: Path, tmp_path: Path) -> None:
    edit_yaml(config_dir / "solution_interests.yaml", lambda d: d["solution_interests"][0].update(id="a..b"))
    (config_dir / "activation.yaml").unlink()
    landing = tmp_path / "landing" / "2026-11-01"
    landing.mkdir(parents=True)
    done, _ = run_cli(config_dir, tmp_path)
    assert done.returncode == 2, done.stderr[-2000:]
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"error: {config_dir / 'solution_interests.yaml'}: solution_interests[0].id: 'a..b' ")
    assert not (tmp_path / "warehouse.duckdb").exists() and not (tmp_path / "output").exists()
