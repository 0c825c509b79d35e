"""The condition language of the configuration (SPEC §4): parse, compile to SQL, evaluate.

See :mod:`buying_groups.conditions.model` for the semantics (three-valued logic, empty text,
ops by field type, time windows).
"""

from buying_groups.conditions.compile import CompileContext, compile_condition
from buying_groups.conditions.evaluate import RelatedRows, evaluate3, matches
from buying_groups.conditions.model import (
    OPS,
    OPS_BY_KIND,
    PERSON_ENGAGEMENT_FIELD,
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
    account_scope,
    condition_to_dict,
    event_scope,
    opportunity_scope,
    person_scope,
    referenced_fields,
    role_person_scope,
    window_bounds,
)
from buying_groups.conditions.parse import parse_condition, regex_error
from buying_groups.conditions.render import condition_text, condition_text_sql
from buying_groups.sql_files import SqlParams  # the project's one parameter binder, re-exported

__all__ = [
    "OPS",
    "OPS_BY_KIND",
    "PERSON_ENGAGEMENT_FIELD",
    "WHITESPACE",
    "AllOf",
    "AnyOf",
    "CompileContext",
    "Condition",
    "ConditionError",
    "ConditionIssue",
    "FieldKind",
    "FieldScope",
    "HasActivity",
    "HasOpportunity",
    "HasPeople",
    "Leaf",
    "Not",
    "RelatedRows",
    "SqlParams",
    "account_scope",
    "compile_condition",
    "condition_text",
    "condition_text_sql",
    "condition_to_dict",
    "evaluate3",
    "event_scope",
    "matches",
    "opportunity_scope",
    "parse_condition",
    "person_scope",
    "referenced_fields",
    "regex_error",
    "role_person_scope",
    "window_bounds",
]
