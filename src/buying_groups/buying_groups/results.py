"""What a scoring run reports: small counts the Dagster assets put in their metadata."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class BuyingGroupScoringResult:
    """Outcome of :func:`score_buying_groups`."""

    as_of: dt.date
    groups_by_stage: dict[str, int]
    newly_qualified: int
    members_active: int
    members_removed: int
    members_added_this_run: int
    members_removed_this_run: int
    ignored_overrides_by_reason: dict[str, int] = field(default_factory=dict)

    @property
    def groups(self) -> int:
        return sum(self.groups_by_stage.values())

    @property
    def ignored_overrides(self) -> int:
        return sum(self.ignored_overrides_by_reason.values())

    def as_metadata(self) -> dict[str, object]:
        return {
            "as_of": self.as_of.isoformat(),
            "groups": self.groups,
            **{f"groups_{stage}": count for stage, count in self.groups_by_stage.items()},
            "newly_qualified": self.newly_qualified,
            "members_active": self.members_active,
            "members_removed": self.members_removed,
            "members_added_this_run": self.members_added_this_run,
            "members_removed_this_run": self.members_removed_this_run,
            "ignored_overrides": self.ignored_overrides,
            **{f"ignored_overrides_{reason}": count for reason, count in self.ignored_overrides_by_reason.items()},
        }
