"""Buying groups: membership, role coverage, completeness, engagement score, stage, history.

Pure functions over a DuckDB connection (no Dagster imports); every statement is a file
``sql/buying_groups/*.sql`` run with bound parameters.

Choices where SPEC §5 is silent:

- Manual overrides: the latest row per (solution interest, account, person) in file order
  wins. A row naming an unknown group, a person who is not a current person of that account,
  a role not in the template (add) or an unknown action is ignored and counted by reason in
  :class:`BuyingGroupScoringResult`. Template and CRM role names match case-insensitively.
  Deleting an ``add`` line from the overrides file withdraws it (the person then falls back
  to CRM/rules, or is marked removed).
- Members are persistent: a member who stops qualifying keeps its row with
  ``is_removed = true`` and ``removed_at`` = the first as_of it was missing (never
  overwritten); its role, source and scores stay as they were when it left. A member who
  qualifies again is re-activated and keeps its original ``added_at``.
- ``buying_groups`` / ``buying_group_roles`` are snapshots of the latest run;
  ``buying_group_history`` holds one row per group per as_of. ``created_at`` and
  ``qualified_at`` come from history rows up to the run's as_of.
- A group whose account has no name is named after the account key.
- Scoring refuses (:class:`StaleInputsError`) when ``marts.person_engagement`` or
  ``marts.account_audience_members`` was computed for another as_of, rather than staging
  groups on stale inputs.
"""

from buying_groups.buying_groups.groups import StaleInputsError, member_problems, score_buying_groups
from buying_groups.buying_groups.inputs import build_interest, build_rule_matches, load_scoring_config
from buying_groups.buying_groups.results import BuyingGroupScoringResult

__all__ = [
    "BuyingGroupScoringResult",
    "StaleInputsError",
    "build_interest",
    "build_rule_matches",
    "load_scoring_config",
    "member_problems",
    "score_buying_groups",
]
