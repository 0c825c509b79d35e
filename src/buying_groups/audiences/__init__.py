"""Account audiences, role rule matches and interest signals as ``work.*`` tables (SQL glue)."""

from buying_groups.audiences.build import (
    build_audience_members,
    build_interest,
    build_rule_matches,
    load_config_tables,
)

__all__ = ["build_audience_members", "build_interest", "build_rule_matches", "load_config_tables"]
